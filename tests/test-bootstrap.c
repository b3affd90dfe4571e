/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Tests of the user-data generator (scaler-bootstrap.c).
 *
 * Besides `bash -n` and `shellcheck -S warning`, the generated script is RUN
 * in a sandbox: every path it touches is under a temporary directory (the
 * generator's sandbox_root, the only difference from the real script), and
 * PATH holds only stub commands (apt-get, dnf, curl, python3, systemctl,
 * shutdown, sleep, gpg; the venv's python and clearml-agent; nvidia-smi and
 * nvidia-ctk where a test puts them) that record their arguments, plus
 * mkdir/chmod/tee/sed/ln. The test then checks byte for byte what arrived:
 * clearml.conf, the init script, CLEARML_WORKER_ID, the agent's arguments,
 * environment and umask, and what happens after the agent exits.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "scaler-core.h"
#include "scaler-util.h"
#include "support/scaler-test-config.h"

#define FAKE_INSTANCE_ID "i-0123456789abcdef0"

/* A value that would create $SANDBOX/pwned if any shell ever evaluated it. */
#define EVIL_LINE \
  "it's \"q\" $(printf x >> \"$SANDBOX/pwned\") `printf y >> \"$SANDBOX/pwned\"` " \
  "${SANDBOX} $SANDBOX \\ \\' \\\" * ? [a-z] ~ ! # ; & | < > {a,b} %s %n " \
  "EOF 'EOF' \"EOF\" é ü 中文 🚀 '\\''"
#define EVIL_CORE EVIL_LINE "\nsecond line\ttab"

static const char stub_script[] =
  "#!/bin/bash\n"
  "name=${0##*/}\n"
  "printf '%s\\0' \"$name\" \"$#\" \"$@\" >> \"$SANDBOX/calls\"\n"
  "case $name in\n"
  "  curl)\n"
  "    n=0\n"
  "    if [[ -f $SANDBOX/curl-count ]]; then n=$(<\"$SANDBOX/curl-count\"); fi\n"
  "    n=$((n + 1))\n"
  "    printf '%s' \"$n\" > \"$SANDBOX/curl-count\"\n"
  "    if ((n <= ${SANDBOX_CURL_FAILURES:-0})); then exit 7; fi\n"
  "    for a in \"$@\"; do\n"
  "      if [[ $a == PUT ]]; then printf 'TOKEN123'; exit 0; fi\n"
  "      case $a in\n"
  "        */gpgkey) printf 'NVIDIA KEY'; exit 0 ;;\n"
  "        */nvidia-container-toolkit.list) printf 'deb https://nvidia.github.io/libnvidia-container/stable/deb/$(ARCH) /\\n'; exit 0 ;;\n"
  "        */nvidia-container-toolkit.repo) printf '[nvidia-container-toolkit]\\n'; exit 0 ;;\n"
  "      esac\n"
  "    done\n"
  "    for a in \"$@\"; do\n"
  "      if [[ $a == 'X-aws-ec2-metadata-token: TOKEN123' ]]; then\n"
  "        printf '" FAKE_INSTANCE_ID "'; exit 0\n"
  "      fi\n"
  "    done\n"
  "    exit 22 ;;\n"
  "  python3)\n"
  "    if [[ $1 == -m && $2 == venv ]]; then\n"
  "      /bin/mkdir -p \"$3/bin\" &&\n"
  "        /bin/ln -s \"$SANDBOX/bin/stub\" \"$3/bin/python\" &&\n"
  "        /bin/ln -s \"$SANDBOX/bin/stub\" \"$3/bin/clearml-agent\"\n"
  "    fi ;;\n"
  "  gpg)\n"
  "    while (($#)); do if [[ $1 == -o ]]; then /bin/cat > \"$2\"; fi; shift; done ;;\n"
  "  apt-get|dnf)\n"
  "    for a in \"$@\"; do\n"
  "      if [[ $a == nvidia-container-toolkit ]]; then /bin/ln -sf \"$SANDBOX/bin/stub\" \"$SANDBOX/bin/nvidia-ctk\"; fi\n"
  "    done ;;\n"
  "  clearml-agent)\n"
  "    n=0\n"
  "    if [[ -f $SANDBOX/agent-count ]]; then n=$(<\"$SANDBOX/agent-count\"); fi\n"
  "    n=$((n + 1))\n"
  "    printf '%s' \"$n\" > \"$SANDBOX/agent-count\"\n"
  "    printf '%s' \"$CLEARML_WORKER_ID\" > \"$SANDBOX/worker-id\"\n"
  "    printf '%s' \"${SCALER_TEST_EXPORT-unset}\" > \"$SANDBOX/agent-export\"\n"
  "    printf '%s' \"${NVIDIA_VISIBLE_DEVICES-unset}\" > \"$SANDBOX/agent-nvidia\"\n"
  "    umask > \"$SANDBOX/agent-umask\"\n"
  "    read -ra statuses <<< \"${SANDBOX_AGENT_STATUS:-0}\"\n"
  "    exit \"${statuses[n - 1]:-${statuses[-1]}}\" ;;\n"
  "esac\n"
  "exit 0\n";

static const char *stubs[] = {
  "apt-get", "dnf", "curl", "python3", "systemctl", "shutdown", "sleep", "gpg", NULL
};
static const char *real_tools[] = { "mkdir", "chmod", "tee", "sed", NULL };

typedef struct
{
  char      *dir;       /* the sandbox */
  char      *root;      /* sandbox_root of the script */
  char      *script;
  int        status;    /* wait status of bash */
  char      *out;       /* stdout + stderr of the script */
  GPtrArray *calls;     /* of GStrv: name, args... */
} Sandbox;

static void
sandbox_free (Sandbox *sb)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *rm_argv0 = g_find_program_in_path ("rm");
  const char *argv[] = { rm_argv0, "-rf", sb->dir, NULL };

  if (g_getenv ("SCALER_TEST_KEEP_SANDBOX") == NULL && rm_argv0 != NULL)
    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, NULL,
                  &error);
  g_free (sb->dir);
  g_free (sb->root);
  g_free (sb->script);
  g_free (sb->out);
  g_clear_pointer (&sb->calls, g_ptr_array_unref);
  g_free (sb);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Sandbox, sandbox_free)

static ScalerConfig *
make_config (void)
{
  ScalerConfig *config = scaler_test_config_new (&(ScalerTestConfigOptions) {
    .workers_prefix = "dynamic_worker",
    .resource = "aws4gpu",
    .queue = "gpu",
    .instance_type = "g4dn.xlarge",
  });

  scaler_set_str (&config->clearml_api_server, "https://api.clear.ml");
  scaler_set_str (&config->git_user, "ci-bot");
  return config;
}

static ScalerSecrets *
make_secrets (void)
{
  ScalerSecrets *secrets = scaler_secrets_new ();

  secrets->aws_access_key_id = g_strdup ("AKIAEXAMPLEAWSKEY0001");
  secrets->aws_secret_access_key = g_strdup ("awsSECRETnever/in+user-data0000000000000");
  secrets->aws_session_token = g_strdup ("awsSESSIONtokenNEVERinUSERdata");
  secrets->clearml_access_key = g_strdup ("CLEARMLKEY123");
  secrets->clearml_secret_key = g_strdup ("clearml-secret-456");
  secrets->git_password = g_strdup ("git-pass-789");

  return secrets;
}

/* Every user field gets a different hostile value (tagged with its name). */
static void
make_hostile (ScalerConfig  *config,
              ScalerSecrets *secrets)
{
  ScalerResource *resource = g_ptr_array_index (config->resources, 0);
  g_autoptr(GString) longval = g_string_new ("long:");

  for (guint i = 0; i < 25; i++)
    g_string_append (longval, EVIL_CORE);

  scaler_set_str (&config->workers_prefix, "prefix " EVIL_CORE);
  scaler_set_str (&resource->name, "res " EVIL_CORE);
  scaler_set_str (&resource->instance_type, "type " EVIL_CORE);
  scaler_set_str (&resource->queue, "queue " EVIL_CORE);
  scaler_set_str (&config->default_docker_image, "image " EVIL_CORE);
  /* What goes into clearml.conf may not hold control characters (see
   * test_control_characters); everything else may. */
  scaler_set_str (&config->clearml_api_server, "https://api " EVIL_LINE);
  scaler_set_str (&config->clearml_web_server, "https://web " EVIL_LINE);
  scaler_set_str (&config->clearml_files_server, "https://files " EVIL_LINE);
  scaler_set_str (&config->git_user, "gituser " EVIL_LINE);
  scaler_set_str (&config->extra_clearml_conf, longval->str);
  scaler_set_str (&secrets->clearml_access_key, "key " EVIL_LINE);
  scaler_set_str (&secrets->clearml_secret_key, "secret " EVIL_LINE);
  scaler_set_str (&secrets->git_password, "gitpass " EVIL_LINE);
  /* The init script is code: hostile text in comments, strings and a
   * heredoc, plus an export that must reach the agent. */
  scaler_set_str (&config->extra_vm_bash_script,
           "# comment: it's \"q\" $(printf x >> \"$SANDBOX/pwned\") `printf y` ${x} \\ * ? é 中文 🚀\n"
           "SCALER_TEST_EXPORT='init '\\''quoted'\\'' $(no) `no` ${no} \\ \"q\" é 中文 🚀'\n"
           "export SCALER_TEST_EXPORT\n"
           "read -r -d '' heredoc <<'EOF'\n"
           "inside ' \" $(no) `no` ${no}\n"
           "EOF\n"
           "printf '%s|%s' \"$SCALER_TEST_EXPORT\" \"$heredoc\" > \"$SANDBOX/init-ran\"\n");
}

static char *
write_stubs (const char *dir)
{
  g_autofree char *bin = g_build_filename (dir, "bin", NULL);
  g_autofree char *stub = g_build_filename (bin, "stub", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (bin, 0700), ==, 0);
  g_file_set_contents (stub, stub_script, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (stub, 0700), ==, 0);
  for (guint i = 0; stubs[i] != NULL; i++)
    {
      g_autofree char *link = g_build_filename (bin, stubs[i], NULL);
      g_assert_cmpint (symlink (stub, link), ==, 0);
    }
  for (guint i = 0; real_tools[i] != NULL; i++)
    {
      g_autofree char *real = g_find_program_in_path (real_tools[i]);
      g_autofree char *link = g_build_filename (bin, real_tools[i], NULL);

      g_assert_nonnull (real);
      g_assert_cmpint (symlink (real, link), ==, 0);
    }

  return g_steal_pointer (&bin);
}

static GPtrArray *
parse_calls (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  GPtrArray *calls = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  gsize pos = 0;

  if (!g_file_get_contents (path, &data, &len, NULL))
    return calls;

  while (pos < len)
    {
      const char *name = data + pos;
      const char *argc_s;
      guint64 argc;
      GStrv call;

      pos += strlen (name) + 1;
      g_assert_cmpuint (pos, <, len);
      argc_s = data + pos;
      pos += strlen (argc_s) + 1;
      argc = g_ascii_strtoull (argc_s, NULL, 10);
      call = g_new0 (char *, argc + 2);
      call[0] = g_strdup (name);
      for (guint64 i = 0; i < argc; i++)
        {
          g_assert_cmpuint (pos, <=, len);
          call[i + 1] = g_strdup (data + pos);
          pos += strlen (data + pos) + 1;
        }
      g_ptr_array_add (calls, call);
    }

  return calls;
}

/* Runs @script_text (generated for @sb->root) in the sandbox. */
static Sandbox *
sandbox_new (const char *os_release)
{
  Sandbox *sb = g_new0 (Sandbox, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *etc = NULL;
  g_autofree char *osr = NULL;
  g_autofree char *bin = NULL;

  sb->dir = g_dir_make_tmp ("scaler-bootstrap-XXXXXX", &error);
  g_assert_no_error (error);
  sb->root = g_build_filename (sb->dir, "root", NULL);
  etc = g_build_filename (sb->root, "etc", NULL);
  g_assert_cmpint (g_mkdir_with_parents (etc, 0700), ==, 0);
  osr = g_build_filename (etc, "os-release", NULL);
  g_file_set_contents (osr, os_release, -1, &error);
  g_assert_no_error (error);
  bin = write_stubs (sb->dir);
  g_free (bin);
  bin = NULL;

  return sb;
}

static void
sandbox_run (Sandbox    *sb,
             const char *script_text,
             const char *const *extra_env)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *bash = g_find_program_in_path ("bash");
  g_autofree char *calls_path = g_build_filename (sb->dir, "calls", NULL);
  g_autofree char *home = g_build_filename (sb->dir, "home", NULL);
  g_autofree char *path_env = g_strdup_printf ("PATH=%s/bin", sb->dir);
  g_autofree char *sandbox_env = g_strdup_printf ("SANDBOX=%s", sb->dir);
  g_autofree char *home_env = g_strdup_printf ("HOME=%s", home);
  g_autoptr(GPtrArray) envp = g_ptr_array_new ();
  const char *argv[3];

  sb->script = g_build_filename (sb->dir, "user-data.sh", NULL);
  g_file_set_contents (sb->script, script_text, -1, &error);
  g_assert_no_error (error);

  g_ptr_array_add (envp, path_env);
  g_ptr_array_add (envp, sandbox_env);
  g_ptr_array_add (envp, home_env);
  g_ptr_array_add (envp, (char *) "LC_ALL=C.UTF-8");
  for (guint i = 0; extra_env != NULL && extra_env[i] != NULL; i++)
    g_ptr_array_add (envp, (char *) extra_env[i]);
  g_ptr_array_add (envp, NULL);

  argv[0] = bash;
  argv[1] = sb->script;
  argv[2] = NULL;
  g_spawn_sync (sb->dir, (char **) argv, (char **) envp->pdata, G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &sb->out, NULL, &sb->status, &error);
  g_assert_no_error (error);

  sb->calls = parse_calls (calls_path);
}

static char *
sandbox_read (Sandbox    *sb,
              const char *relpath)
{
  g_autofree char *path = g_build_filename (sb->dir, relpath, NULL);
  char *data = NULL;

  if (!g_file_get_contents (path, &data, NULL, NULL))
    return NULL;
  return data;
}

static guint
count_calls (Sandbox    *sb,
             const char *name)
{
  guint n = 0;

  for (guint i = 0; i < sb->calls->len; i++)
    if (g_str_equal (((GStrv) g_ptr_array_index (sb->calls, i))[0], name))
      n++;
  return n;
}

static GStrv
find_call (Sandbox    *sb,
           const char *name,
           const char *with_arg)
{
  for (guint i = 0; i < sb->calls->len; i++)
    {
      GStrv call = g_ptr_array_index (sb->calls, i);

      if (g_str_equal (call[0], name) &&
          (with_arg == NULL || g_strv_contains ((const char * const *) call + 1, with_arg)))
        return call;
    }
  return NULL;
}

static void
assert_call_argv (GStrv              call,
                  const char * const *expected)
{
  g_assert_nonnull (call);
  g_assert_cmpuint (g_strv_length (call), ==, g_strv_length ((GStrv) expected));
  for (guint i = 0; expected[i] != NULL; i++)
    g_assert_cmpstr (call[i], ==, expected[i]);
}

static char *
run_checker (const char *const *argv,
             int                *status)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  char *err = NULL;
  char *both;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                status, &error);
  g_assert_no_error (error);
  both = g_strconcat (out, err, NULL);
  g_free (out);
  g_free (err);
  return both;
}

static void
check_script_static (const char *script,
                     const char *severity)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("scaler-bootstrap-lint-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  int status = -1;

  g_assert_no_error (error);
  path = g_build_filename (dir, "user-data.sh", NULL);
  g_file_set_contents (path, script, -1, &error);
  g_assert_no_error (error);

  {
    const char *argv[] = { "bash", "-n", path, NULL };
    out = run_checker (argv, &status);
    if (!g_spawn_check_wait_status (status, NULL))
      g_error ("bash -n failed: %s", out);
    g_clear_pointer (&out, g_free);
  }
  /* Nothing is disabled on the command line. The script itself carries two
   * directives: SC2317 on the EXIT trap handler (shellcheck cannot see that a
   * trap calls it) and "source=/dev/null" (SC1091) on /etc/os-release, which
   * does not exist at lint time. The generated script with plain values is
   * checked at every severity ("style"); with hostile values at "warning", as
   * info notes such as SC2016 ("expressions don't expand in single quotes")
   * are the very point of the quoting there. */
  {
    const char *argv[] = { "shellcheck", "-s", "bash", "-S", severity, path, NULL };
    out = run_checker (argv, &status);
    if (!g_spawn_check_wait_status (status, NULL))
      g_error ("shellcheck reported warnings or errors:\n%s", out);
  }

  g_unlink (path);
  g_rmdir (dir);
}

static const char ubuntu_release[] =
  "PRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"24.04\"\n"
  "ID=ubuntu\nID_LIKE=debian\n";
static const char al2023_release[] =
  "NAME=\"Amazon Linux\"\nVERSION=\"2023\"\nID=\"amzn\"\nID_LIKE=\"fedora\"\n"
  "VERSION_ID=\"2023\"\n";

/* clearml.conf as written: every quoted value must decode (JSON string
 * syntax, which HOCON uses) to exactly the input. */
static void
assert_conf_line (const char *line,
                  const char *key,
                  const char *expected)
{
  g_autofree char *prefix = g_strdup_printf ("%s: ", key);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  const char *start;

  start = strstr (line, prefix);
  g_assert_nonnull (start);
  for (const char *p = line; p < start; p++)
    g_assert_cmpint (*p, ==, ' ');
  json_parser_load_from_data (parser, start + strlen (prefix), -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_node_get_value_type (json_parser_get_root (parser)), ==, G_TYPE_STRING);
  g_assert_cmpstr (json_node_get_string (json_parser_get_root (parser)), ==, expected);
}

static void
assert_conf (const char          *conf,
             const ScalerConfig  *config,
             const ScalerSecrets *secrets)
{
  const char *extra_marker = "# extra_clearml_conf\n";
  const char *extra_start = strstr (conf, extra_marker);
  g_autofree char *head = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  g_assert_nonnull (extra_start);
  head = g_strndup (conf, extra_start - conf);
  lines = g_strsplit (head, "\n", -1);
  g_assert_cmpstr (lines[n++], ==, "# Written by the EC2 Autoscaler bootstrap.");
  g_assert_cmpstr (lines[n++], ==, "api {");
  {
    g_autofree char *api = scaler_bootstrap_agent_api_server (config->clearml_api_server);
    assert_conf_line (lines[n++], "api_server", api);
  }
  assert_conf_line (lines[n++], "web_server", config->clearml_web_server);
  assert_conf_line (lines[n++], "files_server", config->clearml_files_server);
  g_assert_cmpstr (lines[n++], ==, "  credentials {");
  assert_conf_line (lines[n++], "access_key", secrets->clearml_access_key);
  assert_conf_line (lines[n++], "secret_key", secrets->clearml_secret_key);
  g_assert_cmpstr (lines[n++], ==, "  }");
  g_assert_cmpstr (lines[n++], ==, "}");
  g_assert_cmpstr (lines[n++], ==, "agent {");
  assert_conf_line (lines[n++], "git_user", config->git_user);
  assert_conf_line (lines[n++], "git_pass", secrets->git_password);
  g_assert_cmpstr (lines[n++], ==, "}");
  g_assert_cmpstr (lines[n++], ==, "");
  g_assert_null (lines[n]);

  /* The user's extra configuration, verbatim, plus a final newline. */
  {
    g_autofree char *expected = g_str_has_suffix (config->extra_clearml_conf, "\n")
      ? g_strdup (config->extra_clearml_conf)
      : g_strconcat (config->extra_clearml_conf, "\n", NULL);
    g_assert_cmpstr (extra_start + strlen (extra_marker), ==, expected);
  }
}

static void
test_shell_quote (void)
{
  const char *values[] = {
    "", "plain", "it's", "''", "'", "a'b'c", "$(id) `id` ${HOME} $HOME",
    "back\\slash\\", "new\nline", "* ? [a-z] ~ ! # ;&|<>", "é 中文 🚀", "\"dq\"", NULL
  };

  for (guint i = 0; values[i] != NULL; i++)
    {
      g_autofree char *quoted = scaler_bootstrap_shell_quote (values[i]);
      g_autofree char *cmd = g_strdup_printf ("printf '%%s' %s", quoted);
      const char *argv[] = { "bash", "--norc", "-c", cmd, NULL };
      g_autofree char *out = NULL;
      g_autoptr(GError) error = NULL;
      int status = -1;

      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
                    &status, &error);
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      g_assert_cmpstr (out, ==, values[i]);
    }
}

static void
test_static_checks (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSecrets) secrets = make_secrets ();
  ScalerResource *resource = g_ptr_array_index (config->resources, 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *no_secrets = NULL;
  g_autofree char *hostile = NULL;

  plain = scaler_bootstrap_generate (config, resource, secrets, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (plain, "#!/bin/bash\n"));
  check_script_static (plain, "style");

  no_secrets = scaler_bootstrap_generate (config, resource, NULL, &error);
  g_assert_no_error (error);
  check_script_static (no_secrets, "style");
  g_assert_null (strstr (no_secrets, "credentials {"));

  {
    g_autofree char *docker = NULL;

    scaler_set_str (&config->default_docker_image, "nvidia/cuda:12.4.1-runtime-ubuntu22.04");
    scaler_set_str (&config->extra_vm_bash_script, "echo hello");
    scaler_set_str (&config->extra_clearml_conf, "sdk.development.default_output_uri: \"s3://bucket\"");
    docker = scaler_bootstrap_generate (config, resource, secrets, &error);
    g_assert_no_error (error);
    check_script_static (docker, "style");
    g_assert_nonnull (strstr (docker, "    --docker 'nvidia/cuda:12.4.1-runtime-ubuntu22.04' \\\n    --force-current-version\n"));
    g_assert_nonnull (strstr (docker, "scaler_nvidia_toolkit\n"));
    g_assert_null (strstr (docker, "--cpu-only"));
  }
  {
    g_autofree char *cpu_docker = NULL;

    /* A CPU type with docker: --cpu-only, no toolkit step. */
    scaler_set_str (&resource->instance_type, "m5.large");
    cpu_docker = scaler_bootstrap_generate (config, resource, secrets, &error);
    g_assert_no_error (error);
    check_script_static (cpu_docker, "style");
    g_assert_nonnull (strstr (cpu_docker, "    --force-current-version \\\n    --cpu-only\n"));
    g_assert_null (strstr (cpu_docker, "scaler_nvidia_toolkit"));
    scaler_set_str (&resource->instance_type, "g4dn.xlarge");
  }

  make_hostile (config, secrets);
  resource = g_ptr_array_index (config->resources, 0);
  hostile = scaler_bootstrap_generate (config, resource, secrets, &error);
  g_assert_no_error (error);
  check_script_static (hostile, "warning");
}

static void
test_no_aws_credentials (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSecrets) secrets = make_secrets ();
  ScalerResource *resource = g_ptr_array_index (config->resources, 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *script = scaler_bootstrap_generate (config, resource, secrets, &error);

  g_assert_no_error (error);
  g_assert_null (strstr (script, secrets->aws_access_key_id));
  g_assert_null (strstr (script, secrets->aws_secret_access_key));
  g_assert_null (strstr (script, secrets->aws_session_token));
  g_assert_null (strstr (script, "AWS_"));
  /* The ClearML ones are there (documented in the README). */
  g_assert_nonnull (strstr (script, secrets->clearml_access_key));
  g_assert_nonnull (strstr (script, secrets->clearml_secret_key));
  g_assert_nonnull (strstr (script, secrets->git_password));
  /* Nothing may trace commands: that would print the secrets to the console. */
  g_assert_null (strstr (script, "set -x"));
  g_assert_null (strstr (script, "set -o xtrace"));
}

static void
test_forms_for_agent_simulation (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  ScalerResource *resource = g_ptr_array_index (config->resources, 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *script = NULL;
  const char *first_queue;
  const char *last_id;
  const char *p;

  scaler_set_str (&config->extra_vm_bash_script, "echo --queue not-this-one\nCLEARML_WORKER_ID=nope\n");
  script = scaler_bootstrap_generate (config, resource, NULL, &error);
  g_assert_no_error (error);

  /* tests/fakes/README.md: the first --queue argument, the last assignment of
   * CLEARML_WORKER_ID, in one of the accepted forms. */
  first_queue = strstr (script, "--queue ");
  g_assert_nonnull (first_queue);
  g_assert_true (g_str_has_prefix (first_queue, "--queue 'gpu'"));
  last_id = NULL;
  for (p = strstr (script, "CLEARML_WORKER_ID="); p != NULL; p = strstr (p + 1, "CLEARML_WORKER_ID="))
    last_id = p;
  g_assert_nonnull (last_id);
  g_assert_true (g_str_has_prefix (last_id, "CLEARML_WORKER_ID='dynamic_worker:aws4gpu:g4dn.xlarge:'"
                                            "\"$SCALER_INSTANCE_ID\"\n"));
  g_assert_true (g_str_has_prefix (last_id - strlen ("export "), "export "));
}

static void
test_sandbox_hostile (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSecrets) secrets = make_secrets ();
  g_autoptr(Sandbox) sb = sandbox_new (ubuntu_release);
  ScalerResource *resource;
  g_autoptr(GError) error = NULL;
  g_autofree char *script = NULL;
  g_autofree char *real = NULL;
  g_autofree char *expected_id = NULL;
  g_autofree char *conf_rel = NULL;
  g_autofree char *conf_path = NULL;
  g_autofree char *venv = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *init = NULL;
  g_autofree char *init_expected = NULL;
  g_autofree char *worker_id = NULL;
  g_autofree char *agent_export = NULL;
  g_autofree char *init_ran = NULL;
  g_autofree char *pwned = NULL;
  g_autofree char *log = NULL;
  GStrv call;

  make_hostile (config, secrets);
  resource = g_ptr_array_index (config->resources, 0);
  script = scaler_bootstrap_generate_full (config, resource, secrets, sb->root, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (script), >, 8000);

  /* The sandboxed script is the real one but for the SCALER_ROOT line. */
  real = scaler_bootstrap_generate (config, resource, secrets, &error);
  g_assert_no_error (error);
  {
    g_autofree char *root_q = scaler_bootstrap_shell_quote (sb->root);
    g_autofree char *root_line = g_strdup_printf ("\nSCALER_ROOT=%s\n", root_q);
    const char *at = strstr (script, root_line);
    const char *real_at = strstr (real, "\nSCALER_ROOT=''\n");

    g_assert_nonnull (at);
    g_assert_nonnull (real_at);
    g_assert_cmpint (at - script, ==, real_at - real);
    g_assert_cmpint (strncmp (script, real, at - script), ==, 0);
    g_assert_cmpstr (at + strlen (root_line), ==, real_at + strlen ("\nSCALER_ROOT=''\n"));
  }

  sandbox_run (sb, script, NULL);
  g_assert_true (g_spawn_check_wait_status (sb->status, NULL));

  /* No value was ever evaluated. */
  pwned = sandbox_read (sb, "pwned");
  g_assert_null (pwned);

  /* IMDSv2: PUT for a token, then GET with it. */
  call = find_call (sb, "curl", "PUT");
  g_assert_nonnull (call);
  g_assert_true (g_strv_contains ((const char * const *) call,
                                  "X-aws-ec2-metadata-token-ttl-seconds: 21600"));
  g_assert_true (g_strv_contains ((const char * const *) call,
                                  "http://169.254.169.254/latest/api/token"));
  call = find_call (sb, "curl", "X-aws-ec2-metadata-token: TOKEN123");
  g_assert_nonnull (call);
  g_assert_true (g_strv_contains ((const char * const *) call,
                                  "http://169.254.169.254/latest/meta-data/instance-id"));

  /* Ubuntu: apt, never dnf; docker installed because an image is set. */
  g_assert_nonnull (find_call (sb, "apt-get", "update"));
  call = find_call (sb, "apt-get", "python3-venv");
  g_assert_nonnull (call);
  g_assert_true (g_strv_contains ((const char * const *) call, "python3-pip"));
  g_assert_true (g_strv_contains ((const char * const *) call, "python3-dev"));
  g_assert_true (g_strv_contains ((const char * const *) call, "build-essential"));
  g_assert_true (g_strv_contains ((const char * const *) call, "git"));
  g_assert_nonnull (find_call (sb, "apt-get", "docker.io"));
  g_assert_nonnull (find_call (sb, "systemctl", "docker"));
  g_assert_cmpuint (count_calls (sb, "dnf"), ==, 0);

  /* Virtualenv with the pinned agent. */
  venv = g_build_filename (sb->root, "opt", "ec2-autoscaler", "venv", NULL);
  {
    const char *expected[] = { "python3", "-m", "venv", venv, NULL };
    assert_call_argv (find_call (sb, "python3", NULL), expected);
  }
  g_assert_nonnull (find_call (sb, "python", "clearml-agent==" SCALER_BOOTSTRAP_AGENT_VERSION));

  /* The agent: exact arguments. */
  conf_rel = g_build_filename ("root", "root", "clearml.conf", NULL);
  conf_path = g_build_filename (sb->dir, conf_rel, NULL);
  {
    /* An instance type not in the table, not named like a GPU family: CPU only. */
    const char *expected[] = { "clearml-agent", "--config-file", conf_path, "daemon",
                               "--queue", resource->queue,
                               "--docker", config->default_docker_image,
                               "--force-current-version", "--cpu-only", NULL };
    assert_call_argv (find_call (sb, "clearml-agent", NULL), expected);
  }
  g_assert_cmpuint (count_calls (sb, "clearml-agent"), ==, 1);

  /* The worker id, with the instance id from IMDS. */
  worker_id = sandbox_read (sb, "worker-id");
  expected_id = scaler_worker_id_build (config->workers_prefix, resource->name,
                                        resource->instance_type, FAKE_INSTANCE_ID);
  g_assert_cmpstr (worker_id, ==, expected_id);

  /* clearml.conf, value by value, and mode 600. */
  conf = sandbox_read (sb, conf_rel);
  g_assert_nonnull (conf);
  assert_conf (conf, config, secrets);
  {
    GStatBuf st;
    g_assert_cmpint (g_stat (conf_path, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  }

  /* The init script: written byte for byte, sourced (its export reached the
   * agent), and its own quoting intact. */
  init = sandbox_read (sb, "root/opt/ec2-autoscaler/init.sh");
  init_expected = g_strconcat (config->extra_vm_bash_script, "\n", NULL);
  g_assert_cmpstr (init, ==, init_expected);
  agent_export = sandbox_read (sb, "agent-export");
  g_assert_cmpstr (agent_export, ==, "init 'quoted' $(no) `no` ${no} \\ \"q\" é 中文 🚀");
  init_ran = sandbox_read (sb, "init-ran");
  g_assert_cmpstr (init_ran, ==,
                   "init 'quoted' $(no) `no` ${no} \\ \"q\" é 中文 🚀|inside ' \" $(no) `no` ${no}");

  /* Shut down after the agent, last. */
  call = g_ptr_array_index (sb->calls, sb->calls->len - 1);
  {
    const char *expected[] = { "shutdown", "-h", "now", NULL };
    assert_call_argv (call, expected);
  }
  g_assert_cmpuint (count_calls (sb, "shutdown"), ==, 1);

  /* Everything logged to the file (and the console). */
  log = sandbox_read (sb, "root" SCALER_BOOTSTRAP_LOG_FILE);
  g_assert_nonnull (log);
  g_assert_nonnull (strstr (log, "instance id: " FAKE_INSTANCE_ID));
  g_assert_nonnull (strstr (sb->out, "instance id: " FAKE_INSTANCE_ID));
  /* ... but never a secret. */
  g_assert_null (strstr (log, "gitpass "));
  g_assert_null (strstr (log, "secret it"));
}

static void
test_sandbox_amazon_linux (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSecrets) secrets = make_secrets ();
  g_autoptr(Sandbox) sb = sandbox_new (al2023_release);
  ScalerResource *resource = g_ptr_array_index (config->resources, 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *script = NULL;
  g_autofree char *conf_path = NULL;
  g_autofree char *worker_id = NULL;
  g_autofree char *agent_export = NULL;
  const char *const env[] = { "SANDBOX_CURL_FAILURES=3", "SANDBOX_AGENT_STATUS=3", NULL };

  script = scaler_bootstrap_generate_full (config, resource, secrets, sb->root, &error);
  g_assert_no_error (error);
  sandbox_run (sb, script, env);

  /* dnf, never apt, with the build tools; no docker image, so no docker and
   * no --docker. */
  {
    const char *expected[] = { "dnf", "-y", "install", "python3", "python3-pip", "python3-devel",
                               "gcc", "gcc-c++", "make", "git", NULL };
    assert_call_argv (find_call (sb, "dnf", NULL), expected);
  }
  g_assert_cmpuint (count_calls (sb, "dnf"), ==, 1);
  g_assert_cmpuint (count_calls (sb, "apt-get"), ==, 0);
  g_assert_cmpuint (count_calls (sb, "systemctl"), ==, 0);
  conf_path = g_build_filename (sb->root, "root", "clearml.conf", NULL);
  {
    const char *expected[] = { "clearml-agent", "--config-file", conf_path, "daemon",
                               "--queue", "gpu", NULL };
    assert_call_argv (find_call (sb, "clearml-agent", NULL), expected);
  }

  /* Three failed IMDS calls were retried. */
  g_assert_cmpuint (count_calls (sb, "curl"), ==, 5);
  worker_id = sandbox_read (sb, "worker-id");
  g_assert_cmpstr (worker_id, ==, "dynamic_worker:aws4gpu:g4dn.xlarge:" FAKE_INSTANCE_ID);
  agent_export = sandbox_read (sb, "agent-export");
  g_assert_cmpstr (agent_export, ==, "unset");

  /* The agent always fails (status 3): restarted with back-off, then the
   * instance still shuts down. */
  g_assert_cmpuint (count_calls (sb, "clearml-agent"), ==, SCALER_BOOTSTRAP_AGENT_ATTEMPTS);
  g_assert_cmpuint (count_calls (sb, "shutdown"), ==, 1);
  g_assert_nonnull (strstr (sb->out, "clearml-agent exited with status 3"));
  g_assert_nonnull (strstr (sb->out, "clearml-agent failed 5 times in a row; giving up"));
  g_assert_nonnull (strstr (sb->out, "bootstrap finished (exit status 3)"));
}

static void
test_sandbox_failures (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  ScalerResource *resource = g_ptr_array_index (config->resources, 0);

  /* The metadata service never answers: no agent, but a shutdown. */
  {
    g_autoptr(Sandbox) sb = sandbox_new (ubuntu_release);
    g_autoptr(GError) error = NULL;
    g_autofree char *script = NULL;
    const char *const env[] = { "SANDBOX_CURL_FAILURES=100000", NULL };

    script = scaler_bootstrap_generate_full (config, resource, NULL, sb->root, &error);
    g_assert_no_error (error);
    sandbox_run (sb, script, env);
    g_assert_false (g_spawn_check_wait_status (sb->status, NULL));
    g_assert_cmpuint (count_calls (sb, "curl"), ==, 60);
    g_assert_cmpuint (count_calls (sb, "clearml-agent"), ==, 0);
    g_assert_cmpuint (count_calls (sb, "apt-get"), ==, 0);
    g_assert_cmpuint (count_calls (sb, "shutdown"), ==, 1);
    g_assert_nonnull (strstr (sb->out, "cannot read the instance id"));
  }

  /* An unknown distribution: a clear message, no agent, a shutdown. */
  {
    g_autoptr(Sandbox) sb = sandbox_new ("ID=gentoo\n");
    g_autoptr(GError) error = NULL;
    g_autofree char *script = NULL;

    script = scaler_bootstrap_generate_full (config, resource, NULL, sb->root, &error);
    g_assert_no_error (error);
    sandbox_run (sb, script, NULL);
    g_assert_false (g_spawn_check_wait_status (sb->status, NULL));
    g_assert_cmpuint (count_calls (sb, "clearml-agent"), ==, 0);
    g_assert_cmpuint (count_calls (sb, "shutdown"), ==, 1);
    g_assert_nonnull (strstr (sb->out, "unsupported distribution ( gentoo  )"));
  }

  /* An init script that exits early still ends in a shutdown. */
  {
    g_autoptr(Sandbox) sb = sandbox_new (ubuntu_release);
    g_autoptr(GError) error = NULL;
    g_autofree char *script = NULL;

    scaler_set_str (&config->extra_vm_bash_script, "exit 5");
    script = scaler_bootstrap_generate_full (config, resource, NULL, sb->root, &error);
    g_assert_no_error (error);
    sandbox_run (sb, script, NULL);
    g_assert_cmpuint (count_calls (sb, "clearml-agent"), ==, 0);
    g_assert_cmpuint (count_calls (sb, "shutdown"), ==, 1);
  }
}

static void
test_no_secrets (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(Sandbox) sb = sandbox_new (ubuntu_release);
  ScalerResource *resource = g_ptr_array_index (config->resources, 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *script = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *agent_export = NULL;

  /* Credentials from the init script (e.g. SSM Parameter Store), none in
   * the app: the conf has no credentials block, the init script's exports
   * reach the agent. */
  scaler_set_str (&config->git_user, "");
  scaler_set_str (&config->extra_vm_bash_script,
           "export SCALER_TEST_EXPORT=from-ssm CLEARML_API_ACCESS_KEY=k CLEARML_API_SECRET_KEY=s");
  script = scaler_bootstrap_generate_full (config, resource, NULL, sb->root, &error);
  g_assert_no_error (error);
  sandbox_run (sb, script, NULL);
  conf = sandbox_read (sb, "root/root/clearml.conf");
  g_assert_cmpstr (conf, ==,
                   "# Written by the EC2 Autoscaler bootstrap.\n"
                   "api {\n"
                   "  api_server: \"https://api.clear.ml\"\n"
                   "  web_server: \"https://app.clear.ml\"\n"
                   "  files_server: \"https://files.clear.ml\"\n"
                   "}\n");
  agent_export = sandbox_read (sb, "agent-export");
  g_assert_cmpstr (agent_export, ==, "from-ssm");
}

static void
test_too_large (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(ScalerSecrets) secrets = make_secrets ();
  ScalerResource *resource = g_ptr_array_index (config->resources, 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL;
  g_autofree char *script = NULL;
  g_autofree char *over_msg = NULL;
  gsize base_len;
  gsize room;

  /* A one-byte init script, to learn the fixed part. */
  scaler_set_str (&config->extra_vm_bash_script, "x");
  scaler_set_str (&config->extra_clearml_conf, "sdk.development.worker.report_period_sec: 600");
  base = scaler_bootstrap_generate (config, resource, secrets, &error);
  g_assert_no_error (error);
  base_len = strlen (base);
  room = SCALER_BOOTSTRAP_MAX_SIZE - base_len;

  /* Exactly at the limit: accepted. */
  g_free (config->extra_vm_bash_script);
  config->extra_vm_bash_script = g_strnfill (room + 1, 'x');
  script = scaler_bootstrap_generate (config, resource, secrets, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (script), ==, SCALER_BOOTSTRAP_MAX_SIZE);
  g_clear_pointer (&script, g_free);

  /* 1234 bytes over: a clear error that says so and names the field. */
  g_free (config->extra_vm_bash_script);
  config->extra_vm_bash_script = g_strnfill (room + 1 + 1234, 'x');
  script = scaler_bootstrap_generate (config, resource, secrets, &error);
  g_assert_null (script);
  g_assert_error (error, SCALER_ERROR, SCALER_ERROR_TOO_LARGE);
  over_msg = g_strdup_printf ("%d bytes, 1234 bytes over EC2’s limit of 16384 bytes",
                              SCALER_BOOTSTRAP_MAX_SIZE + 1234);
  g_assert_nonnull (strstr (error->message, over_msg));
  g_assert_nonnull (strstr (error->message, "“aws4gpu”"));
  g_assert_nonnull (strstr (error->message, "extra_vm_bash_script ("));
  {
    g_autofree char *second = g_strdup_printf ("extra_vm_bash_script (%" G_GSIZE_FORMAT " bytes), "
                                               "extra_clearml_conf (%" G_GSIZE_FORMAT " bytes)",
                                               room + 1 + 1234,
                                               strlen (config->extra_clearml_conf));
    g_assert_nonnull (strstr (error->message, second));
  }
  /* The message must not leak the secrets it ranks. */
  g_assert_null (strstr (error->message, secrets->clearml_secret_key));
}

static void
test_check_size (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(GPtrArray) problems =
    g_ptr_array_new_with_free_func ((GDestroyNotify) scaler_config_problem_free);
  ScalerConfigProblem *problem;

  g_assert_true (scaler_bootstrap_check_size (config, problems));
  g_assert_cmpuint (problems->len, ==, 0);

  g_free (config->extra_clearml_conf);
  config->extra_clearml_conf = g_strnfill (17000, 'c');
  g_ptr_array_add (config->resources, scaler_resource_copy (g_ptr_array_index (config->resources, 0)));
  g_assert_false (scaler_bootstrap_check_size (config, problems));
  g_assert_cmpuint (problems->len, ==, 1);
  problem = g_ptr_array_index (problems, 0);
  g_assert_cmpint (problem->severity, ==, SCALER_PROBLEM_ERROR);
  g_assert_cmpstr (problem->path, ==, "extra_clearml_conf");
  g_assert_nonnull (strstr (problem->message, "extra_clearml_conf (17000 bytes)"));

  /* Wired into the config validation. */
  {
    g_autoptr(GPtrArray) all = NULL;
    gboolean found = FALSE;

    g_free (config->extra_clearml_conf);
    config->extra_clearml_conf = g_strdup ("");
    g_free (config->extra_vm_bash_script);
    config->extra_vm_bash_script = g_strnfill (16500, 's');
    all = scaler_config_validate (config);
    for (guint i = 0; i < all->len; i++)
      {
        ScalerConfigProblem *p = g_ptr_array_index (all, i);

        if (g_str_equal (p->path, "extra_vm_bash_script") && p->severity == SCALER_PROBLEM_ERROR &&
            strstr (p->message, "over EC2’s limit of 16384 bytes") != NULL)
          found = TRUE;
      }
    g_assert_true (found);
  }
}

/* Runs @config's first resource in an Ubuntu sandbox; @stubs_on_path are
 * extra stub commands (e.g. "nvidia-smi") the AMI has. */
static Sandbox *
run_resource (ScalerConfig       *config,
              const char * const *stubs_on_path,
              const char * const *env)
{
  Sandbox *sb = sandbox_new (ubuntu_release);
  ScalerResource *resource = g_ptr_array_index (config->resources, 0);
  g_autoptr(ScalerSecrets) secrets = make_secrets ();
  g_autoptr(GError) error = NULL;
  g_autofree char *script = NULL;

  for (guint i = 0; stubs_on_path != NULL && stubs_on_path[i] != NULL; i++)
    {
      g_autofree char *stub = g_build_filename (sb->dir, "bin", "stub", NULL);
      g_autofree char *link = g_build_filename (sb->dir, "bin", stubs_on_path[i], NULL);

      g_assert_cmpint (symlink (stub, link), ==, 0);
    }
  script = scaler_bootstrap_generate_full (config, resource, secrets, sb->root, &error);
  g_assert_no_error (error);
  sandbox_run (sb, script, env);
  g_assert_cmpuint (count_calls (sb, "shutdown"), ==, 1);
  return sb;
}

static GStrv
agent_call (Sandbox *sb)
{
  GStrv call = find_call (sb, "clearml-agent", NULL);

  g_assert_nonnull (call);
  return call;
}

static gboolean
call_has (GStrv       call,
          const char *arg)
{
  return g_strv_contains ((const char * const *) call + 1, arg);
}

/* The api_server the agent gets: no version segment, no trailing '/'. */
static void
test_agent_api_server (void)
{
  const char *cases[][2] = {
    { "https://api.clear.ml", "https://api.clear.ml" },
    { "https://api.clear.ml/", "https://api.clear.ml" },
    { "https://api.clear.ml//", "https://api.clear.ml" },
    { "https://api.clear.ml/v2.20", "https://api.clear.ml" },
    { "https://api.clear.ml/v2.20/", "https://api.clear.ml" },
    { "http://10.0.0.5:8008/V2", "http://10.0.0.5:8008" },
    { "https://host/clearml-api/v2.31", "https://host/clearml-api" },
    { "https://host/clearml-api/v2.31//", "https://host/clearml-api" },
    { "https://host/clearml-api/", "https://host/clearml-api" },
    /* Not a version segment: kept. */
    { "https://v2.example.com", "https://v2.example.com" },
    { "https://v2.20", "https://v2.20" },
    { "https://host/v2x", "https://host/v2x" },
    { "https://host/v2.20.1", "https://host/v2.20.1" },
    { "https://host/api/v2./", "https://host/api/v2." },
    { " https://api.clear.ml/v2.4 ", "https://api.clear.ml" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = scaler_bootstrap_agent_api_server (cases[i][0]);

      g_assert_cmpstr (out, ==, cases[i][1]);
    }

  /* ... and that is what clearml.conf holds. */
  {
    g_autoptr(ScalerConfig) config = make_config ();
    g_autoptr(Sandbox) sb = NULL;
    g_autofree char *conf = NULL;

    scaler_set_str (&config->clearml_api_server, "https://api.clear.ml/v2.20/");
    sb = run_resource (config, NULL, NULL);
    conf = sandbox_read (sb, "root/root/clearml.conf");
    g_assert_nonnull (strstr (conf, "\n  api_server: \"https://api.clear.ml\"\n"));
  }
}

/* A CPU instance type never gets docker --gpus all: --cpu-only. A GPU type
 * does not; docker mode always pins the agent inside the container. */
static void
test_cpu_only_flags (void)
{
  struct {
    const char    *type;
    ScalerCpuOnly  cpu_only;
    const char    *docker;
    gboolean       expect_cpu_only;
  } cases[] = {
    { "m5.large", SCALER_CPU_ONLY_AUTO, "python:3.11", TRUE },
    { "t3.micro", SCALER_CPU_ONLY_AUTO, "", TRUE },
    { "g4dn.xlarge", SCALER_CPU_ONLY_AUTO, "nvidia/cuda:12.4.1-runtime-ubuntu22.04", FALSE },
    { "g4dn.xlarge", SCALER_CPU_ONLY_YES, "nvidia/cuda:12.4.1-runtime-ubuntu22.04", TRUE },
    { "m5.large", SCALER_CPU_ONLY_NO, "", FALSE },
    { "g6e.xlarge", SCALER_CPU_ONLY_AUTO, "", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ScalerConfig) config = make_config ();
      ScalerResource *resource = g_ptr_array_index (config->resources, 0);
      const char *have_gpu_tools[] = { "nvidia-smi", "nvidia-ctk", NULL };
      g_autoptr(Sandbox) sb = NULL;
      g_autofree char *nvidia = NULL;
      GStrv call;

      scaler_set_str (&resource->instance_type, cases[i].type);
      resource->cpu_only = cases[i].cpu_only;
      scaler_set_str (&config->default_docker_image, cases[i].docker);
      sb = run_resource (config, have_gpu_tools, NULL);
      call = agent_call (sb);
      g_assert_cmpint (call_has (call, "--cpu-only"), ==, cases[i].expect_cpu_only);
      g_assert_cmpint (call_has (call, "--docker"), ==, *cases[i].docker != '\0');
      g_assert_cmpint (call_has (call, "--force-current-version"), ==, *cases[i].docker != '\0');
      g_assert_false (call_has (call, "--gpus"));
      /* The script itself leaves NVIDIA_VISIBLE_DEVICES to the agent. */
      nvidia = sandbox_read (sb, "agent-nvidia");
      g_assert_cmpstr (nvidia, ==, "unset");
      /* The toolkit step exists only for a GPU resource with docker. */
      g_assert_cmpint (find_call (sb, "nvidia-ctk", NULL) != NULL, ==,
                       *cases[i].docker != '\0' && !cases[i].expect_cpu_only);
    }
}

/* GPU + docker: the NVIDIA container toolkit is installed from NVIDIA's
 * repository when missing, or a NOTE says why tasks will fail. */
static void
test_nvidia_toolkit (void)
{
  g_autoptr(ScalerConfig) config = make_config ();

  scaler_set_str (&config->default_docker_image, "nvidia/cuda:12.4.1-runtime-ubuntu22.04");

  /* Driver present, toolkit missing: installed, then docker configured. */
  {
    const char *on_path[] = { "nvidia-smi", NULL };
    g_autoptr(Sandbox) sb = run_resource (config, on_path, NULL);
    g_autofree char *list = sandbox_read (sb, "root/etc/apt/sources.list.d/nvidia-container-toolkit.list");
    g_autofree char *key = sandbox_read (sb, "root/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg");
    g_autofree char *key_path = g_build_filename (sb->root, "usr", "share", "keyrings",
                                                  "nvidia-container-toolkit-keyring.gpg", NULL);
    GStatBuf st;

    g_assert_nonnull (find_call (sb, "curl", "https://nvidia.github.io/libnvidia-container/gpgkey"));
    g_assert_nonnull (find_call (sb, "gpg", "--dearmor"));
    g_assert_cmpstr (key, ==, "NVIDIA KEY");
    /* apt reads the keyring as the _apt user. */
    g_assert_cmpint (g_stat (key_path, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0644);
    g_assert_cmpstr (list, ==,
                     "deb [signed-by=/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg] "
                     "https://nvidia.github.io/libnvidia-container/stable/deb/$(ARCH) /\n");
    g_assert_nonnull (find_call (sb, "apt-get", "nvidia-container-toolkit"));
    {
      const char *expected[] = { "nvidia-ctk", "runtime", "configure", "--runtime=docker", NULL };
      assert_call_argv (find_call (sb, "nvidia-ctk", NULL), expected);
    }
    g_assert_nonnull (find_call (sb, "systemctl", "restart"));
    g_assert_null (strstr (sb->out, "NOTE:"));
    g_assert_false (call_has (agent_call (sb), "--cpu-only"));
  }

  /* Toolkit already on the AMI: only configured. */
  {
    const char *on_path[] = { "nvidia-smi", "nvidia-ctk", NULL };
    g_autoptr(Sandbox) sb = run_resource (config, on_path, NULL);

    g_assert_null (find_call (sb, "apt-get", "nvidia-container-toolkit"));
    g_assert_null (find_call (sb, "gpg", NULL));
    g_assert_nonnull (find_call (sb, "nvidia-ctk", "configure"));
  }

  /* No driver: nothing installed, a clear NOTE, and the agent still runs. */
  {
    g_autoptr(Sandbox) sb = run_resource (config, NULL, NULL);
    g_autofree char *log = sandbox_read (sb, "root" SCALER_BOOTSTRAP_LOG_FILE);

    g_assert_null (find_call (sb, "apt-get", "nvidia-container-toolkit"));
    g_assert_nonnull (strstr (log, "NOTE: this AMI has no NVIDIA driver (nvidia-smi)"));
    g_assert_cmpuint (count_calls (sb, "clearml-agent"), ==, 1);
  }

  /* Amazon Linux: the rpm repository. */
  {
    g_autoptr(Sandbox) sb = sandbox_new (al2023_release);
    ScalerResource *resource = g_ptr_array_index (config->resources, 0);
    g_autofree char *stub = g_build_filename (sb->dir, "bin", "stub", NULL);
    g_autofree char *link = g_build_filename (sb->dir, "bin", "nvidia-smi", NULL);
    g_autoptr(GError) error = NULL;
    g_autofree char *script = NULL;
    g_autofree char *repo = NULL;

    g_assert_cmpint (symlink (stub, link), ==, 0);
    script = scaler_bootstrap_generate_full (config, resource, NULL, sb->root, &error);
    g_assert_no_error (error);
    sandbox_run (sb, script, NULL);
    repo = sandbox_read (sb, "root/etc/yum.repos.d/nvidia-container-toolkit.repo");
    g_assert_cmpstr (repo, ==, "[nvidia-container-toolkit]\n");
    g_assert_nonnull (find_call (sb, "dnf", "nvidia-container-toolkit"));
    g_assert_nonnull (find_call (sb, "nvidia-ctk", "configure"));
  }
}

/* After the agent exits: status 0 ends it; failures are retried with
 * back-off (15, 30, 60, 120 s), then the instance shuts down. */
static void
test_agent_restarts (void)
{
  struct {
    const char *statuses;
    guint       calls;
    const char *sleeps;
  } cases[] = {
    { "SANDBOX_AGENT_STATUS=0", 1, "" },
    { "SANDBOX_AGENT_STATUS=1 1 0", 3, "15 30 " },
    { "SANDBOX_AGENT_STATUS=1", 5, "15 30 60 120 " },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ScalerConfig) config = make_config ();
      const char *env[] = { cases[i].statuses, NULL };
      g_autoptr(Sandbox) sb = run_resource (config, NULL, env);
      g_autoptr(GString) sleeps = g_string_new (NULL);
      GStrv last;

      g_assert_cmpuint (count_calls (sb, "clearml-agent"), ==, cases[i].calls);
      for (guint j = 0; j < sb->calls->len; j++)
        {
          GStrv call = g_ptr_array_index (sb->calls, j);

          if (g_str_equal (call[0], "sleep"))
            g_string_append_printf (sleeps, "%s ", call[1]);
        }
      g_assert_cmpstr (sleeps->str, ==, cases[i].sleeps);
      last = g_ptr_array_index (sb->calls, sb->calls->len - 1);
      g_assert_cmpstr (last[0], ==, "shutdown");
      g_assert_nonnull (strstr (sb->out, "(attempt 1 of 5)"));
      g_assert_cmpint (strstr (sb->out, "giving up") != NULL, ==, cases[i].calls == 5);
    }
}

/* clearml.conf is written 0600; the agent (and its tasks) run with umask
 * 022; the init script with 077. */
static void
test_umask (void)
{
  g_autoptr(ScalerConfig) config = make_config ();
  g_autoptr(Sandbox) sb = NULL;
  g_autofree char *agent_umask = NULL;
  g_autofree char *init_umask = NULL;
  g_autofree char *conf_path = NULL;
  GStatBuf st;

  scaler_set_str (&config->extra_vm_bash_script, "umask > \"$SANDBOX/init-umask\"");
  sb = run_resource (config, NULL, NULL);
  agent_umask = sandbox_read (sb, "agent-umask");
  g_assert_cmpstr (agent_umask, ==, "0022\n");
  init_umask = sandbox_read (sb, "init-umask");
  g_assert_cmpstr (init_umask, ==, "0077\n");
  conf_path = g_build_filename (sb->root, "root", "clearml.conf", NULL);
  g_assert_cmpint (g_stat (conf_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

/* A control character in a clearml.conf value is refused, not escaped: the
 * agent's pyhocon would not decode it. The message names the field only. */
static void
test_control_characters (void)
{
  const char *bad[] = { "\x01", "\b", "\f", "\x7f", "\t", "\n", "\r", NULL };

  for (guint i = 0; bad[i] != NULL; i++)
    for (guint field = 0; field < 7; field++)
      {
        g_autoptr(ScalerConfig) config = make_config ();
        g_autoptr(ScalerSecrets) secrets = make_secrets ();
        ScalerResource *resource = g_ptr_array_index (config->resources, 0);
        char **targets[] = {
          &config->clearml_api_server, &config->clearml_web_server, &config->clearml_files_server,
          &config->git_user, &secrets->clearml_access_key, &secrets->clearml_secret_key,
          &secrets->git_password,
        };
        const char *names[] = {
          "clearml.api_server", "clearml.web_server", "clearml.files_server", "git_user",
          "the ClearML access key", "the ClearML secret key", "the git password",
        };
        g_autofree char *value = g_strconcat ("TOP", bad[i], "SECRET", NULL);
        g_autoptr(GError) error = NULL;
        g_autofree char *script = NULL;

        scaler_set_str (targets[field], value);
        script = scaler_bootstrap_generate (config, resource, secrets, &error);
        g_assert_null (script);
        g_assert_error (error, SCALER_ERROR, SCALER_ERROR_INVALID_CONFIG);
        g_assert_nonnull (strstr (error->message, names[field]));
        g_assert_null (strstr (error->message, "TOP"));
      }

  /* The same values without the control character are fine, escaped for
   * HOCON (only " and \). */
  {
    g_autoptr(ScalerConfig) config = make_config ();
    g_autoptr(ScalerSecrets) secrets = make_secrets ();
    ScalerResource *resource = g_ptr_array_index (config->resources, 0);
    g_autoptr(GError) error = NULL;
    g_autofree char *script = NULL;

    scaler_set_str (&secrets->clearml_secret_key, "a\"b\\c é");
    script = scaler_bootstrap_generate (config, resource, secrets, &error);
    g_assert_no_error (error);
    g_assert_nonnull (strstr (script, "secret_key: \"a\\\"b\\\\c é\""));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scaler/bootstrap/shell-quote", test_shell_quote);
  g_test_add_func ("/scaler/bootstrap/static-checks", test_static_checks);
  g_test_add_func ("/scaler/bootstrap/no-aws-credentials", test_no_aws_credentials);
  g_test_add_func ("/scaler/bootstrap/forms-for-agent-simulation", test_forms_for_agent_simulation);
  g_test_add_func ("/scaler/bootstrap/sandbox-hostile", test_sandbox_hostile);
  g_test_add_func ("/scaler/bootstrap/sandbox-amazon-linux", test_sandbox_amazon_linux);
  g_test_add_func ("/scaler/bootstrap/sandbox-failures", test_sandbox_failures);
  g_test_add_func ("/scaler/bootstrap/no-secrets", test_no_secrets);
  g_test_add_func ("/scaler/bootstrap/too-large", test_too_large);
  g_test_add_func ("/scaler/bootstrap/check-size", test_check_size);
  g_test_add_func ("/scaler/bootstrap/agent-api-server", test_agent_api_server);
  g_test_add_func ("/scaler/bootstrap/cpu-only-flags", test_cpu_only_flags);
  g_test_add_func ("/scaler/bootstrap/nvidia-toolkit", test_nvidia_toolkit);
  g_test_add_func ("/scaler/bootstrap/agent-restarts", test_agent_restarts);
  g_test_add_func ("/scaler/bootstrap/umask", test_umask);
  g_test_add_func ("/scaler/bootstrap/control-characters", test_control_characters);

  return g_test_run ();
}
