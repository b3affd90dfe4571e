/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-util.c: small helpers with one copy for all of libscaler-core. */

#define G_LOG_DOMAIN "scaler-util"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "scaler-error.h"
#include "scaler-util.h"

gboolean
scaler_set_str (char       **str_pointer,
                const char  *new_str)
{
  char *copy;

  g_return_val_if_fail (str_pointer != NULL, FALSE);

  if (g_strcmp0 (*str_pointer, new_str) == 0)
    return FALSE;

  copy = g_strdup (new_str);
  g_free (*str_pointer);
  *str_pointer = copy;
  return TRUE;
}

void
scaler_secret_free (char *secret)
{
  if (secret == NULL)
    return;

  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

/* ---- files ---- */

static gboolean io_error (GError     **error,
                          int          saved_errno,
                          const char  *format,
                          ...) G_GNUC_PRINTF (3, 4);

/* "<what>: <the reason from errno>"; returns FALSE. */
static gboolean
io_error (GError     **error,
          int          saved_errno,
          const char  *format,
          ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, SCALER_ERROR, SCALER_ERROR_IO, "%s: %s", what, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
write_all (int          fd,
           const char  *contents,
           gsize        length)
{
  gsize done = 0;

  while (done < length)
    {
      gssize n = write (fd, contents + done, length - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          if (n == 0)
            errno = EIO;
          return FALSE;
        }
      done += (gsize) n;
    }
  return TRUE;
}

/* The rename itself must survive a power cut too. Some file systems cannot
 * sync a folder (EINVAL): there the rename is as durable as it gets. */
static gboolean
sync_folder (const char  *folder,
             GError     **error)
{
  int fd = g_open (folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  if (fd < 0)
    return io_error (error, errno, _("Cannot sync the folder %s"), folder);
  if (fsync (fd) != 0 && errno != EINVAL)
    {
      int saved_errno = errno;

      close (fd);
      return io_error (error, saved_errno, _("Cannot sync the folder %s"), folder);
    }
  close (fd);
  return TRUE;
}

gboolean
scaler_file_replace (const char  *path,
                     const char  *contents,
                     gssize       length,
                     int         *fd_out,
                     GError     **error)
{
  g_autofree char *folder = NULL;
  g_autofree char *tmp = NULL;
  int saved_errno;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (contents != NULL || length <= 0, FALSE);

  if (length < 0)
    length = contents != NULL ? (gssize) strlen (contents) : 0;

  folder = g_path_get_dirname (path);
  if (g_mkdir_with_parents (folder, 0700) != 0)
    return io_error (error, errno, _("Cannot create the folder %s"), folder);

  tmp = g_strconcat (path, ".XXXXXX", NULL);
  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    return io_error (error, errno, _("Cannot save %s"), path);

  if (!write_all (fd, contents, (gsize) length) || fsync (fd) != 0 || g_rename (tmp, path) != 0)
    {
      saved_errno = errno;
      close (fd);
      g_unlink (tmp);
      return io_error (error, saved_errno, _("Cannot save %s"), path);
    }

  if (!sync_folder (folder, error))
    {
      close (fd);
      return FALSE;
    }

  if (fd_out != NULL)
    *fd_out = fd;
  else
    close (fd);
  return TRUE;
}
