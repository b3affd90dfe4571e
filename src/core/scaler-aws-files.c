/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-aws-files.c: the AWS shared config and credentials files, parsed
 * the way botocore parses them (see scaler-aws-files.h). The line reader
 * mirrors CPython's RawConfigParser._read (Lib/configparser.py) with
 * botocore's settings: delimiters '=' and ':', comment prefixes '#' and ';',
 * no inline comments, empty lines allowed in values, strict.
 */

#define G_LOG_DOMAIN "scaler-aws-files"

#include "config.h"

#include <pwd.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "scaler-aws-files.h"
#include "scaler-error.h"
#include "scaler-util.h"

#define DEFAULT_SECTION "DEFAULT"

struct _ScalerAwsIni
{
  GPtrArray  *order;      /* section names (char*), file order */
  GHashTable *sections;   /* name -> GHashTable key -> value (defaults merged) */
};

struct _ScalerAwsFiles
{
  gatomicrefcount ref_count;
  char           *config_path;        /* nullable: no file */
  char           *credentials_path;   /* nullable: no file */
  ScalerAwsIni   *config;             /* nullable: missing file */
  ScalerAwsIni   *credentials;        /* nullable: missing file */
  GHashTable     *config_profiles;    /* name -> borrowed section table */
  GHashTable     *sso_sessions;       /* name -> borrowed section table */
  GHashTable     *services;           /* name -> borrowed section table */
  GHashTable     *merged;             /* name -> owned merged table */
};

/* --- helpers --- */

static GHashTable *
value_table_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) scaler_secret_free);
}

/* Python's str.isspace() for ASCII. */
static gboolean
py_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
         (c >= 0x1c && c <= 0x1f);
}

static char *
py_strip (const char *start,
          const char *end)
{
  while (start < end && py_space (*start))
    start++;
  while (end > start && py_space (end[-1]))
    end--;
  return g_strndup (start, (gsize) (end - start));
}

static void
py_rstrip_in_place (char *text)
{
  gsize len = strlen (text);

  while (len > 0 && py_space (text[len - 1]))
    text[--len] = '\0';
}

/* --- the line reader (RawConfigParser._read) --- */

typedef struct
{
  GHashTable *options;   /* key -> GPtrArray of lines (char*) */
} RawSection;

static void
raw_section_free (gpointer data)
{
  RawSection *section = data;

  g_hash_table_unref (section->options);
  g_free (section);
}

static void
lines_free (gpointer data)
{
  g_ptr_array_unref (data);
}

static RawSection *
raw_section_new (void)
{
  RawSection *section = g_new0 (RawSection, 1);

  section->options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, lines_free);
  return section;
}

typedef struct
{
  const char *path;
  GPtrArray  *order;         /* section names */
  GHashTable *sections;      /* name -> RawSection */
  RawSection *defaults;
  RawSection *current;       /* nullable */
  char       *section_name;  /* of current */
  char       *option;        /* nullable: the option continuation lines go to */
  gsize       indent_level;
  GHashTable *added;         /* "section\x01option" */
  GString    *errors;        /* non-fatal parsing errors, reported at the end */
} Reader;

static void
reader_bad_line (Reader     *reader,
                 guint       lineno,
                 const char *why)
{
  if (reader->errors->len > 0)
    g_string_append (reader->errors, "; ");
  g_string_append_printf (reader->errors, _("line %u: %s"), lineno, why);
}

/* Finds the section header "[name]" (the last ']' closes it, as the greedy
 * regex \[(?P<header>.+)\] does). */
static char *
match_section (const char *value)
{
  const char *close;

  if (value[0] != '[')
    return NULL;
  close = strrchr (value, ']');
  if (close == NULL || close - value < 2)
    return NULL;
  return g_strndup (value + 1, (gsize) (close - value - 1));
}

static gboolean
reader_section (Reader      *reader,
                char        *name,
                guint        lineno,
                GError     **error)
{
  g_free (reader->section_name);
  reader->section_name = name;
  g_clear_pointer (&reader->option, g_free);

  if (strcmp (name, DEFAULT_SECTION) == 0)
    {
      reader->current = reader->defaults;
      return TRUE;
    }
  if (g_hash_table_contains (reader->sections, name))
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                   _("%s, line %u: the section [%s] appears twice (each section may appear once)"),
                   reader->path, lineno, name);
      return FALSE;
    }
  reader->current = raw_section_new ();
  g_hash_table_insert (reader->sections, g_strdup (name), reader->current);
  g_ptr_array_add (reader->order, g_strdup (name));
  return TRUE;
}

static gboolean
reader_option (Reader      *reader,
               const char  *value,
               guint        lineno,
               GError     **error)
{
  const char *delimiter = strpbrk (value, "=:");
  g_autofree char *raw_key = NULL;
  g_autofree char *key = NULL;
  g_autofree char *marker = NULL;
  GPtrArray *lines;

  if (delimiter == NULL)
    {
      reader_bad_line (reader, lineno, _("expected \"key = value\" (or \"key: value\")"));
      return TRUE;
    }
  raw_key = py_strip (value, delimiter);
  if (*raw_key == '\0')
    reader_bad_line (reader, lineno, _("the key before the \"=\" is empty"));
  key = g_utf8_strdown (raw_key, -1);
  marker = g_strconcat (reader->section_name, "\x01", key, NULL);
  if (g_hash_table_contains (reader->added, marker))
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                   _("%s, line %u: the key \"%s\" appears twice in the section [%s]"),
                   reader->path, lineno, key, reader->section_name);
      return FALSE;
    }
  g_hash_table_add (reader->added, g_steal_pointer (&marker));

  lines = g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_secret_free);
  g_ptr_array_add (lines, py_strip (delimiter + 1, delimiter + strlen (delimiter)));
  g_hash_table_replace (reader->current->options, g_strdup (key), lines);
  g_free (reader->option);
  reader->option = g_steal_pointer (&key);
  return TRUE;
}

/* One line (without its line break). */
static gboolean
reader_line (Reader      *reader,
             const char  *line,
             gsize        length,
             guint        lineno,
             GError     **error)
{
  g_autofree char *value = py_strip (line, line + length);
  gboolean comment = value[0] == '#' || value[0] == ';';
  gsize indent = 0;
  char *name;

  if (comment || value[0] == '\0')
    {
      /* An empty line belongs to the value being read (not a comment). */
      if (!comment && reader->current != NULL && reader->option != NULL && reader->option[0] != '\0')
        {
          GPtrArray *lines = g_hash_table_lookup (reader->current->options, reader->option);

          if (lines != NULL)
            g_ptr_array_add (lines, g_strdup (""));
        }
      return TRUE;
    }

  while (indent < length && py_space (line[indent]))
    indent++;
  if (reader->current != NULL && reader->option != NULL && reader->option[0] != '\0' &&
      indent > reader->indent_level)
    {
      g_ptr_array_add (g_hash_table_lookup (reader->current->options, reader->option),
                       g_steal_pointer (&value));
      return TRUE;
    }

  reader->indent_level = indent;
  name = match_section (value);
  if (name != NULL)
    return reader_section (reader, name, lineno, error);
  if (reader->current == NULL)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                   g_str_has_prefix (line, "\xef\xbb\xbf")
                   ? _("%s, line %u: the file starts with a byte-order mark; save it as UTF-8 without BOM")
                   : _("%s, line %u: a key before the first [section] header"),
                   reader->path, lineno);
      return FALSE;
    }
  return reader_option (reader, value, lineno, error);
}

static GHashTable *
join_section (RawSection *section,
              RawSection *defaults)
{
  GHashTable *table = value_table_new ();
  RawSection *parts[] = { defaults, section };

  for (guint p = 0; p < G_N_ELEMENTS (parts); p++)
    {
      GHashTableIter iter;
      gpointer key, lines;

      if (parts[p] == NULL)
        continue;
      g_hash_table_iter_init (&iter, parts[p]->options);
      while (g_hash_table_iter_next (&iter, &key, &lines))
        {
          GPtrArray *array = lines;
          GString *joined = g_string_new (NULL);

          for (guint i = 0; i < array->len; i++)
            {
              if (i > 0)
                g_string_append_c (joined, '\n');
              g_string_append (joined, g_ptr_array_index (array, i));
            }
          py_rstrip_in_place (joined->str);
          g_hash_table_replace (table, g_strdup (key), g_string_free (joined, FALSE));
        }
    }

  return table;
}

/* botocore's _parse_nested on every value that starts with a line break. */
static gboolean
check_nested (ScalerAwsIni  *ini,
              const char    *path,
              GError       **error)
{
  for (guint s = 0; s < ini->order->len; s++)
    {
      const char *section = g_ptr_array_index (ini->order, s);
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, g_hash_table_lookup (ini->sections, section));
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          g_auto(GStrv) lines = NULL;

          if (((const char *) value)[0] != '\n')
            continue;
          lines = g_strsplit (value, "\n", -1);
          for (guint i = 0; lines[i] != NULL; i++)
            if (*g_strstrip (lines[i]) != '\0' && strchr (lines[i], '=') == NULL)
              {
                g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                             _("%s: in section [%s], the nested settings of \"%s\" have a line without \"=\" "
                               "(expected \"name = value\" on every indented line)"),
                             path, section, (const char *) key);
                return FALSE;
              }
        }
    }
  return TRUE;
}

static void
reader_clear (Reader *reader)
{
  g_ptr_array_unref (reader->order);
  g_hash_table_unref (reader->sections);
  raw_section_free (reader->defaults);
  g_hash_table_unref (reader->added);
  g_string_free (reader->errors, TRUE);
  g_free (reader->section_name);
  g_free (reader->option);
}

static gboolean
reader_run (Reader      *reader,
            const char  *text,
            gsize        length,
            GError     **error)
{
  const char *p = text;
  const char *end = text + length;
  guint lineno = 0;

  /* Universal newlines: \r\n, \r and \n each end a line. */
  while (p < end)
    {
      const char *eol = p;

      while (eol < end && *eol != '\n' && *eol != '\r')
        eol++;
      if (!reader_line (reader, p, (gsize) (eol - p), ++lineno, error))
        return FALSE;
      if (eol < end && *eol == '\r' && eol + 1 < end && eol[1] == '\n')
        eol++;
      p = eol + 1;
    }

  if (reader->errors->len > 0)
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, "%s: %s", reader->path, reader->errors->str);
      return FALSE;
    }
  return TRUE;
}

ScalerAwsIni *
scaler_aws_ini_parse (const char  *text,
                      gsize        length,
                      const char  *path,
                      GError     **error)
{
  g_autoptr(ScalerAwsIni) ini = NULL;
  Reader reader = { 0 };
  gboolean ok;

  g_return_val_if_fail (text != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (path == NULL)
    path = "(text)";
  if (!g_utf8_validate_len (text, length, NULL))
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                   _("%s: the file is not UTF-8 text"), path);
      return NULL;
    }

  reader.path = path;
  reader.order = g_ptr_array_new_with_free_func (g_free);
  reader.sections = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, raw_section_free);
  reader.defaults = raw_section_new ();
  reader.added = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  reader.errors = g_string_new (NULL);
  ok = reader_run (&reader, text, length, error);
  if (ok)
    {
      ini = g_new0 (ScalerAwsIni, 1);
      ini->order = g_ptr_array_ref (reader.order);
      ini->sections = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_hash_table_unref);
      for (guint i = 0; i < reader.order->len; i++)
        {
          const char *name = g_ptr_array_index (reader.order, i);

          g_hash_table_insert (ini->sections, g_strdup (name),
                               join_section (g_hash_table_lookup (reader.sections, name), reader.defaults));
        }
    }
  reader_clear (&reader);
  if (!ok || !check_nested (ini, path, error))
    return NULL;

  return g_steal_pointer (&ini);
}

void
scaler_aws_ini_free (ScalerAwsIni *ini)
{
  if (ini == NULL)
    return;
  g_ptr_array_unref (ini->order);
  g_hash_table_unref (ini->sections);
  g_free (ini);
}

GStrv
scaler_aws_ini_dup_sections (ScalerAwsIni *ini)
{
  GStrv names;

  g_return_val_if_fail (ini != NULL, NULL);

  names = g_new0 (char *, ini->order->len + 1);
  for (guint i = 0; i < ini->order->len; i++)
    names[i] = g_strdup (g_ptr_array_index (ini->order, i));
  return names;
}

GHashTable *
scaler_aws_ini_get_section (ScalerAwsIni *ini,
                            const char   *section)
{
  g_return_val_if_fail (ini != NULL, NULL);
  g_return_val_if_fail (section != NULL, NULL);

  return g_hash_table_lookup (ini->sections, section);
}

GHashTable *
scaler_aws_ini_parse_nested (const char *value)
{
  g_auto(GStrv) lines = NULL;
  GHashTable *table;

  if (value == NULL || value[0] != '\n')
    return NULL;

  table = value_table_new ();
  lines = g_strsplit (value, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *eq;

      g_strstrip (lines[i]);
      eq = strchr (lines[i], '=');
      if (eq == NULL)
        continue;
      *eq = '\0';
      g_hash_table_replace (table, g_strdup (g_strstrip (lines[i])), g_strdup (g_strstrip (eq + 1)));
    }
  for (guint i = 0; lines[i] != NULL; i++)
    explicit_bzero (lines[i], strlen (lines[i]));

  return table;
}

/* --- paths --- */

static gboolean
word_char (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

/* os.path.expandvars: $name and ${name}; unknown variables stay. */
static char *
expand_vars (const char *path)
{
  GString *out = g_string_new (NULL);
  const char *p = path;

  while (*p != '\0')
    {
      const char *name_start;
      const char *name_end;
      const char *after;
      g_autofree char *name = NULL;
      const char *value;

      if (*p != '$')
        {
          g_string_append_c (out, *p++);
          continue;
        }
      if (p[1] == '{' && strchr (p + 2, '}') != NULL)
        {
          name_start = p + 2;
          name_end = strchr (name_start, '}');
          after = name_end + 1;
        }
      else
        {
          name_start = p + 1;
          name_end = name_start;
          while (word_char (*name_end))
            name_end++;
          after = name_end;
          if (name_end == name_start)
            {
              g_string_append_c (out, *p++);
              continue;
            }
        }
      name = g_strndup (name_start, (gsize) (name_end - name_start));
      value = *name != '\0' ? g_getenv (name) : NULL;
      if (value != NULL)
        g_string_append (out, value);
      else
        g_string_append_len (out, p, after - p);
      p = after;
    }

  return g_string_free (out, FALSE);
}

/* os.path.expanduser: ~ is $HOME (else the passwd entry), ~user that
 * user's home; an unknown user leaves the path as it is. */
static char *
expand_user (const char *path)
{
  const char *slash;
  g_autofree char *home = NULL;
  gsize len;

  if (path[0] != '~')
    return g_strdup (path);

  slash = strchr (path + 1, '/');
  if (slash == NULL)
    slash = path + strlen (path);
  if (slash == path + 1)
    {
      const char *env = g_getenv ("HOME");

      if (env != NULL)
        home = g_strdup (env);
      else
        {
          struct passwd *pw = getpwuid (getuid ());

          if (pw == NULL)
            return g_strdup (path);
          home = g_strdup (pw->pw_dir);
        }
    }
  else
    {
      g_autofree char *user = g_strndup (path + 1, (gsize) (slash - path - 1));
      struct passwd *pw = getpwnam (user);

      if (pw == NULL)
        return g_strdup (path);
      home = g_strdup (pw->pw_dir);
    }

  len = strlen (home);
  while (len > 0 && home[len - 1] == '/')
    home[--len] = '\0';
  if (len == 0 && *slash == '\0')
    return g_strdup ("/");
  return g_strconcat (home, slash, NULL);
}

char *
scaler_aws_expand_path (const char *path)
{
  g_autofree char *vars = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  vars = expand_vars (path);
  return expand_user (vars);
}

char *
scaler_aws_file_path (const char *variable,
                      const char *name)
{
  const char *value = g_getenv (variable);
  g_autofree char *fallback = NULL;

  g_return_val_if_fail (variable != NULL && name != NULL, NULL);

  /* As botocore: a variable that is set wins, even when empty (then there
   * is no file). */
  if (value != NULL)
    return scaler_aws_expand_path (value);
  fallback = g_build_filename ("~", ".aws", name, NULL);
  return scaler_aws_expand_path (fallback);
}

/* --- shlex --- */

GStrv
scaler_aws_shlex_split (const char  *text,
                        GError     **error)
{
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) token = g_string_new (NULL);
  gboolean in_token = FALSE;
  char quote = '\0';

  g_return_val_if_fail (text != NULL, NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (quote == '\'')
        {
          if (*p == '\'')
            quote = '\0';
          else
            g_string_append_c (token, *p);
          continue;
        }
      if (quote == '"')
        {
          if (*p == '"')
            quote = '\0';
          else if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
            g_string_append_c (token, *++p);
          else if (*p == '\\' && p[1] == '\0')
            break;
          else
            g_string_append_c (token, *p);
          continue;
        }
      if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        {
          if (in_token)
            g_ptr_array_add (tokens, g_strdup (token->str));
          g_string_truncate (token, 0);
          in_token = FALSE;
          continue;
        }
      in_token = TRUE;
      if (*p == '\'' || *p == '"')
        quote = *p;
      else if (*p == '\\')
        {
          if (p[1] == '\0')
            {
              g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE,
                           _("No escaped character after the final backslash"));
              return NULL;
            }
          g_string_append_c (token, *++p);
        }
      else
        g_string_append_c (token, *p);
    }
  if (quote != '\0')
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_PARSE, _("No closing quotation (%c)"), quote);
      return NULL;
    }
  if (in_token)
    g_ptr_array_add (tokens, g_strdup (token->str));
  g_ptr_array_add (tokens, NULL);

  return (GStrv) g_ptr_array_free (g_steal_pointer (&tokens), FALSE);
}

/* --- both files --- */

static gboolean
load_one (const char     *path,
          ScalerAwsIni  **out,
          GError        **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;

  *out = NULL;
  if (path == NULL || *path == '\0' || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return TRUE;   /* botocore's ConfigNotFound: no profiles from it */
  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_IO,
                   _("Could not read the AWS file %s: %s"), path, local_error->message);
      return FALSE;
    }
  *out = scaler_aws_ini_parse (contents, length, path, error);
  explicit_bzero (contents, length);
  return *out != NULL;
}

/* "profile   x", "profile \"x y\"": the second shell word, if there are
 * exactly two (botocore's _parse_section). */
static char *
section_subname (const char *section)
{
  g_auto(GStrv) parts = scaler_aws_shlex_split (section, NULL);

  if (parts == NULL || g_strv_length (parts) != 2)
    return NULL;
  return g_strdup (parts[1]);
}

static void
build_profile_map (ScalerAwsFiles *self)
{
  g_auto(GStrv) sections = NULL;

  if (self->config == NULL)
    return;
  sections = scaler_aws_ini_dup_sections (self->config);
  for (guint i = 0; sections[i] != NULL; i++)
    {
      const char *section = sections[i];
      GHashTable *table = scaler_aws_ini_get_section (self->config, section);
      GHashTable *kind = NULL;
      char *name = NULL;

      if (g_str_has_prefix (section, "profile"))
        kind = self->config_profiles;
      else if (g_str_has_prefix (section, "sso-session"))
        kind = self->sso_sessions;
      else if (g_str_has_prefix (section, "services"))
        kind = self->services;
      if (kind != NULL)
        name = section_subname (section);
      else if (strcmp (section, "default") == 0)
        {
          kind = self->config_profiles;
          name = g_strdup (section);
        }
      if (name != NULL)
        g_hash_table_replace (kind, name, table);
    }
}

ScalerAwsFiles *
scaler_aws_files_load_paths (const char  *config_path,
                             const char  *credentials_path,
                             GError     **error)
{
  g_autoptr(ScalerAwsFiles) self = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (ScalerAwsFiles, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->config_path = g_strdup (config_path);
  self->credentials_path = g_strdup (credentials_path);
  self->config_profiles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->sso_sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->services = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->merged = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_hash_table_unref);

  if (!load_one (config_path, &self->config, error) ||
      !load_one (credentials_path, &self->credentials, error))
    return NULL;
  build_profile_map (self);

  return g_steal_pointer (&self);
}

ScalerAwsFiles *
scaler_aws_files_load (GError **error)
{
  g_autofree char *config_path = scaler_aws_file_path ("AWS_CONFIG_FILE", "config");
  g_autofree char *credentials_path = scaler_aws_file_path ("AWS_SHARED_CREDENTIALS_FILE", "credentials");

  return scaler_aws_files_load_paths (config_path, credentials_path, error);
}

ScalerAwsFiles *
scaler_aws_files_ref (ScalerAwsFiles *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
scaler_aws_files_unref (ScalerAwsFiles *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_hash_table_unref (self->merged);
  g_hash_table_unref (self->config_profiles);
  g_hash_table_unref (self->sso_sessions);
  g_hash_table_unref (self->services);
  g_clear_pointer (&self->config, scaler_aws_ini_free);
  g_clear_pointer (&self->credentials, scaler_aws_ini_free);
  g_free (self->config_path);
  g_free (self->credentials_path);
  g_free (self);
}

const char *
scaler_aws_files_get_config_path (ScalerAwsFiles *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->config_path;
}

const char *
scaler_aws_files_get_credentials_path (ScalerAwsFiles *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->credentials_path;
}

GHashTable *
scaler_aws_files_get_credentials_profile (ScalerAwsFiles *self,
                                          const char     *name)
{
  g_return_val_if_fail (self != NULL && name != NULL, NULL);

  return self->credentials != NULL ? scaler_aws_ini_get_section (self->credentials, name) : NULL;
}

GHashTable *
scaler_aws_files_get_config_profile (ScalerAwsFiles *self,
                                     const char     *name)
{
  g_return_val_if_fail (self != NULL && name != NULL, NULL);

  return g_hash_table_lookup (self->config_profiles, name);
}

static void
copy_into (GHashTable *to,
           GHashTable *from)
{
  GHashTableIter iter;
  gpointer key, value;

  if (from == NULL)
    return;
  g_hash_table_iter_init (&iter, from);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_replace (to, g_strdup (key), g_strdup (value));
}

GHashTable *
scaler_aws_files_get_profile (ScalerAwsFiles *self,
                              const char     *name)
{
  GHashTable *config;
  GHashTable *credentials;
  GHashTable *merged;

  g_return_val_if_fail (self != NULL && name != NULL, NULL);

  merged = g_hash_table_lookup (self->merged, name);
  if (merged != NULL)
    return merged;
  config = scaler_aws_files_get_config_profile (self, name);
  credentials = scaler_aws_files_get_credentials_profile (self, name);
  if (config == NULL && credentials == NULL)
    return NULL;

  merged = value_table_new ();
  copy_into (merged, config);
  copy_into (merged, credentials);
  g_hash_table_insert (self->merged, g_strdup (name), merged);
  return merged;
}

GHashTable *
scaler_aws_files_get_sso_session (ScalerAwsFiles *self,
                                  const char     *name)
{
  g_return_val_if_fail (self != NULL && name != NULL, NULL);

  return g_hash_table_lookup (self->sso_sessions, name);
}

GHashTable *
scaler_aws_files_get_services (ScalerAwsFiles *self,
                               const char     *name)
{
  g_return_val_if_fail (self != NULL && name != NULL, NULL);

  return g_hash_table_lookup (self->services, name);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

GStrv
scaler_aws_files_list_profiles (ScalerAwsFiles *self)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;
  GStrv result;

  g_return_val_if_fail (self != NULL, NULL);

  g_hash_table_iter_init (&iter, self->config_profiles);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_hash_table_add (seen, key);
  if (self->credentials != NULL)
    g_hash_table_iter_init (&iter, self->credentials->sections);
  while (self->credentials != NULL && g_hash_table_iter_next (&iter, &key, NULL))
    g_hash_table_add (seen, key);

  g_hash_table_iter_init (&iter, seen);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (names, key);
  g_ptr_array_sort (names, compare_names);
  result = g_new0 (char *, names->len + 1);
  for (guint i = 0; i < names->len; i++)
    result[i] = g_strdup (g_ptr_array_index (names, i));
  return result;
}
