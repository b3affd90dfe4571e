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

gboolean
scaler_set_member_error (GError     **error,
                         GQuark       domain,
                         gint         code,
                         const char  *where,
                         const char  *key,
                         const char  *format,
                         ...)
{
  g_autofree char *problem = NULL;
  va_list args;

  va_start (args, format);
  problem = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, domain, code, "%s%s%s: %s", where, *where != '\0' ? "." : "", key, problem);
  return FALSE;
}

/* ---- files ---- */

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
  int saved_errno = 0;

  if (fd < 0 || (fsync (fd) != 0 && errno != EINVAL))
    saved_errno = errno;
  if (fd >= 0)
    close (fd);
  if (saved_errno == 0)
    return TRUE;

  g_set_error (error, SCALER_ERROR, SCALER_ERROR_IO, _("Cannot sync the folder %s: %s"),
               folder, g_strerror (saved_errno));
  return FALSE;
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
    {
      saved_errno = errno;
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_IO, _("Cannot create the folder %s: %s"),
                   folder, g_strerror (saved_errno));
      return FALSE;
    }

  tmp = g_strconcat (path, ".XXXXXX", NULL);
  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0 || !write_all (fd, contents, (gsize) length) || fsync (fd) != 0 || g_rename (tmp, path) != 0)
    {
      saved_errno = errno;
      if (fd >= 0)
        {
          close (fd);
          g_unlink (tmp);
        }
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_IO, _("Cannot save %s: %s"),
                   path, g_strerror (saved_errno));
      return FALSE;
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
