/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sigv4-vectors DIR [--region R] [--service S] [--access-key AK] [--secret SK]
 *
 * Runs every AWS SigV4 test-suite case found under DIR (recursively): a case
 * is a folder holding <name>.req plus the expected <name>.creq, <name>.sts and
 * <name>.authz. The .req is signed with our signer (credentials, region and
 * service of the suite's README unless overridden; the time is the request's
 * X-Amz-Date) and the three results are compared byte for byte; then the
 * string to sign and the Authorization are made again from the suite's own
 * previous step, so that each step is checked on its own.
 * Prints "PASS <case>" or "FAIL <case>: <first difference>" per case and
 * "N passed, N failed" at the end; exits 1 if any case failed or none was found.
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "scaler-core.h"
#include "scaler-aws-sigv4.h"

static const char *opt_region = "us-east-1";
static const char *opt_service = "service";
static const char *opt_access_key = "AKIDEXAMPLE";
static const char *opt_secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

static guint n_passed;
static guint n_failed;

static gboolean
parse_req (const char          *text,
           ScalerSigv4Request **out,
           char               **problem)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(ScalerSigv4Request) request = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *method = NULL;
  g_autofree char *target = NULL;
  g_autoptr(GString) body = NULL;
  const char *first;
  const char *space;
  const char *http;
  char *question;
  guint i;

  if (lines[0] == NULL)
    {
      *problem = g_strdup ("empty .req file");
      return FALSE;
    }
  first = lines[0];
  space = strchr (first, ' ');
  http = g_strrstr (first, " HTTP/");
  if (space == NULL || http == NULL || http < space)
    {
      *problem = g_strdup_printf ("bad request line \"%s\"", first);
      return FALSE;
    }
  method = g_strndup (first, (gsize) (space - first));
  target = g_strndup (space + 1, (gsize) (http - space - 1));
  question = strchr (target, '?');
  if (question != NULL)
    *question = '\0';
  request = scaler_sigv4_request_new (method, target, question != NULL ? question + 1 : NULL);

  for (i = 1; lines[i] != NULL && *lines[i] != '\0'; i++)
    {
      const char *line = lines[i];
      const char *colon;

      if ((*line == ' ' || *line == '\t') && names->len > 0)
        {
          /* Obsolete line folding: continuation joined with ','. */
          g_autofree char *cont = g_strstrip (g_strdup (line));
          char *old = g_ptr_array_index (values, values->len - 1);

          values->pdata[values->len - 1] = g_strconcat (old, ",", cont, NULL);
          g_free (old);
          continue;
        }
      colon = strchr (line, ':');
      if (colon == NULL)
        {
          *problem = g_strdup_printf ("bad header line \"%s\"", line);
          return FALSE;
        }
      g_ptr_array_add (names, g_strndup (line, (gsize) (colon - line)));
      g_ptr_array_add (values, g_strdup (colon + 1));
    }
  for (guint h = 0; h < names->len; h++)
    scaler_sigv4_request_add_header (request, g_ptr_array_index (names, h),
                                     g_ptr_array_index (values, h));

  if (lines[i] != NULL)
    {
      body = g_string_new (NULL);
      for (guint b = i + 1; lines[b] != NULL; b++)
        {
          if (b > i + 1)
            g_string_append_c (body, '\n');
          g_string_append (body, lines[b]);
        }
      scaler_sigv4_request_set_payload (request, body->str, body->len);
    }

  *out = g_steal_pointer (&request);
  return TRUE;
}

static char *
first_difference (const char *what,
                  const char *expected,
                  const char *actual)
{
  g_auto(GStrv) e = g_strsplit (expected, "\n", -1);
  g_auto(GStrv) a = g_strsplit (actual, "\n", -1);
  guint i;

  for (i = 0; e[i] != NULL && a[i] != NULL; i++)
    if (strcmp (e[i], a[i]) != 0)
      return g_strdup_printf ("%s line %u: expected \"%s\", got \"%s\"", what, i + 1, e[i], a[i]);
  if (e[i] != NULL)
    return g_strdup_printf ("%s line %u: expected \"%s\", got end of text", what, i + 1, e[i]);
  if (a[i] != NULL)
    return g_strdup_printf ("%s line %u: expected end of text, got \"%s\"", what, i + 1, a[i]);

  return NULL;
}

/* Steps 3 and 4 on their own: from the suite's canonical request to its
 * string to sign, and from its string to sign to its Authorization. */
static char *
check_steps (const char *creq,
             const char *sts,
             const char *authz)
{
  /* The signed header names are the line before the payload hash. */
  const char *hash_line = strrchr (creq, '\n');
  const char *names = hash_line;
  g_autofree char *signed_headers = NULL;
  g_autofree char *datestamp = NULL;
  g_autofree char *string_to_sign = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *authorization = NULL;
  g_auto(GStrv) sts_lines = g_strsplit (sts, "\n", -1);
  char *problem;
  guint8 key[32];

  while (names != NULL && names > creq && names[-1] != '\n')
    names--;
  if (g_strv_length (sts_lines) != 4 || strlen (sts_lines[1]) < 8 || names == NULL || names == creq)
    return g_strdup ("the .sts is not four lines, or the .creq has no signed headers line");
  signed_headers = g_strndup (names, hash_line - names);

  string_to_sign = scaler_sigv4_string_to_sign (sts_lines[1], sts_lines[2], creq);
  if ((problem = first_difference ("string to sign (step 3 alone)", sts, string_to_sign)) != NULL)
    return problem;

  datestamp = g_strndup (sts_lines[1], 8);
  scaler_sigv4_derive_key (opt_secret, datestamp, opt_region, opt_service, key);
  signature = scaler_sigv4_signature (key, sts);
  authorization = scaler_sigv4_authorization (opt_access_key, sts_lines[2], signed_headers, signature);
  return first_difference ("authorization (step 4 alone)", authz, authorization);
}

static char *
run_case (const char *dir,
          const char *name)
{
  static const char *suffixes[] = { "req", "creq", "sts", "authz" };
  char *contents[G_N_ELEMENTS (suffixes)] = { NULL };
  g_autoptr(ScalerSigv4Request) request = NULL;
  g_autoptr(ScalerSigv4Result) result = NULL;
  g_autoptr(ScalerSigner) signer = NULL;
  g_autoptr(ScalerAwsCredentials) credentials = NULL;
  g_autoptr(GError) error = NULL;
  char *problem = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strdup_printf ("%s/%s.%s", dir, name, suffixes[i]);

      if (!g_file_get_contents (file, &contents[i], NULL, &error))
        {
          problem = g_strdup_printf ("cannot read %s: %s", file, error->message);
          goto out;
        }
    }

  if (!parse_req (contents[0], &request, &problem))
    goto out;

  credentials = scaler_aws_credentials_new (opt_access_key, opt_secret, NULL);
  signer = scaler_signer_new (opt_region, opt_service);
  result = scaler_signer_sign (signer, credentials, request, 0, &error);
  if (result == NULL)
    {
      problem = g_strdup_printf ("signing failed: %s", error->message);
      goto out;
    }

  if ((problem = first_difference ("canonical request", contents[1], result->canonical_request)) != NULL)
    goto out;
  if ((problem = first_difference ("string to sign", contents[2], result->string_to_sign)) != NULL)
    goto out;
  if ((problem = first_difference ("authorization", contents[3], result->authorization)) != NULL)
    goto out;
  problem = check_steps (contents[1], contents[2], contents[3]);

out:
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    g_free (contents[i]);

  return problem;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
scan (const char *dir,
      const char *root)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  if (d == NULL)
    return;
  while ((entry = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (entries, g_strdup (entry));
  g_ptr_array_sort (entries, compare_names);

  for (guint i = 0; i < entries->len; i++)
    {
      const char *e = g_ptr_array_index (entries, i);
      g_autofree char *path = g_build_filename (dir, e, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        scan (path, root);
      else if (g_str_has_suffix (e, ".req"))
        {
          g_autofree char *name = g_strndup (e, strlen (e) - 4);
          g_autofree char *problem = run_case (dir, name);
          const char *rel = dir + strlen (root);
          g_autofree char *base = NULL;
          g_autofree char *label = NULL;

          while (*rel == '/')
            rel++;
          base = g_path_get_basename (rel);
          /* The case is named by its folder (relative to DIR), plus the file
           * name when it differs from the folder's. */
          if (*rel == '\0')
            label = g_strdup (name);
          else if (strcmp (base, name) == 0)
            label = g_strdup (rel);
          else
            label = g_strdup_printf ("%s/%s", rel, name);
          if (problem == NULL)
            {
              n_passed++;
              printf ("PASS %s\n", label);
            }
          else
            {
              n_failed++;
              printf ("FAIL %s: %s\n", label, problem);
            }
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  const char *dir = NULL;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--region") == 0 && i + 1 < argc)
        opt_region = argv[++i];
      else if (strcmp (argv[i], "--service") == 0 && i + 1 < argc)
        opt_service = argv[++i];
      else if (strcmp (argv[i], "--access-key") == 0 && i + 1 < argc)
        opt_access_key = argv[++i];
      else if (strcmp (argv[i], "--secret") == 0 && i + 1 < argc)
        opt_secret = argv[++i];
      else if (dir == NULL)
        dir = argv[i];
      else
        {
          fprintf (stderr, "usage: sigv4-vectors DIR [--region R] [--service S] [--access-key AK] [--secret SK]\n");
          return 2;
        }
    }
  if (dir == NULL)
    {
      fprintf (stderr, "usage: sigv4-vectors DIR [--region R] [--service S] [--access-key AK] [--secret SK]\n");
      return 2;
    }
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      fprintf (stderr, "sigv4-vectors: %s is not a folder\n", dir);
      return 2;
    }

  scan (dir, dir);
  printf ("%u passed, %u failed\n", n_passed, n_failed);

  return (n_failed == 0 && n_passed > 0) ? 0 : 1;
}
