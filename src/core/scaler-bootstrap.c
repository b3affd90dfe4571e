/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-bootstrap"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "scaler-bootstrap.h"
#include "scaler-config.h"
#include "scaler-error.h"

/* Typical secret lengths used by scaler_bootstrap_check_size(). */
#define CHECK_ACCESS_KEY_LEN   32
#define CHECK_SECRET_KEY_LEN   64
#define CHECK_GIT_PASSWORD_LEN 128

typedef struct
{
  const char *name;
  gsize       size;
} FieldSize;

static const char *
nonnull (const char *s)
{
  return s != NULL ? s : "";
}

/* One HOCON quoted string (HOCON uses JSON's string syntax). Substitutions
 * (${...}) are not expanded inside quotes, so the value arrives as is. */
static void
append_hocon_string (GString    *out,
                     const char *value)
{
  g_string_append_c (out, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        case '\b':
          g_string_append (out, "\\b");
          break;
        case '\f':
          g_string_append (out, "\\f");
          break;
        default:
          if (c < 0x20 || c == 0x7f)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
          break;
        }
    }
  g_string_append_c (out, '"');
}

static void
append_shell_quoted (GString    *out,
                     const char *value)
{
  g_string_append_c (out, '\'');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '\'')
        g_string_append (out, "'\\''");
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '\'');
}

char *
scaler_bootstrap_shell_quote (const char *value)
{
  GString *out;

  g_return_val_if_fail (value != NULL, NULL);

  out = g_string_sized_new (strlen (value) + 2);
  append_shell_quoted (out, value);

  return g_string_free (out, FALSE);
}

/* The clearml.conf text written on the instance. */
static char *
build_clearml_conf (const ScalerConfig  *config,
                    const ScalerSecrets *secrets)
{
  GString *conf = g_string_new (NULL);
  const char *access_key = secrets ? nonnull (secrets->clearml_access_key) : "";
  const char *secret_key = secrets ? nonnull (secrets->clearml_secret_key) : "";
  const char *git_pass = secrets ? nonnull (secrets->git_password) : "";
  const char *git_user = nonnull (config->git_user);

  g_string_append (conf, "# Written by the EC2 Autoscaler bootstrap.\n");
  g_string_append (conf, "api {\n");
  g_string_append (conf, "  api_server: ");
  append_hocon_string (conf, nonnull (config->clearml_api_server));
  g_string_append (conf, "\n  web_server: ");
  append_hocon_string (conf, nonnull (config->clearml_web_server));
  g_string_append (conf, "\n  files_server: ");
  append_hocon_string (conf, nonnull (config->clearml_files_server));
  g_string_append (conf, "\n");
  /* Without credentials the block is left out, so that CLEARML_API_ACCESS_KEY /
   * CLEARML_API_SECRET_KEY exported by the init script take effect. */
  if (*access_key != '\0' || *secret_key != '\0')
    {
      g_string_append (conf, "  credentials {\n    access_key: ");
      append_hocon_string (conf, access_key);
      g_string_append (conf, "\n    secret_key: ");
      append_hocon_string (conf, secret_key);
      g_string_append (conf, "\n  }\n");
    }
  g_string_append (conf, "}\n");
  if (*git_user != '\0' || *git_pass != '\0')
    {
      g_string_append (conf, "agent {\n  git_user: ");
      append_hocon_string (conf, git_user);
      g_string_append (conf, "\n  git_pass: ");
      append_hocon_string (conf, git_pass);
      g_string_append (conf, "\n}\n");
    }
  if (config->extra_clearml_conf != NULL && config->extra_clearml_conf[0] != '\0')
    {
      g_string_append (conf, "# extra_clearml_conf\n");
      g_string_append (conf, config->extra_clearml_conf);
      if (!g_str_has_suffix (config->extra_clearml_conf, "\n"))
        g_string_append_c (conf, '\n');
    }

  return g_string_free (conf, FALSE);
}

static const char script_head[] =
  "#!/bin/bash\n"
  "# EC2 Autoscaler instance bootstrap (generated; do not edit).\n"
  "# Turns this instance into a ClearML worker: a pinned clearml-agent in a\n"
  "# virtualenv, its clearml.conf, the agent in the foreground, and a shutdown\n"
  "# (= termination) when the agent exits. Log: " SCALER_BOOTSTRAP_LOG_FILE "\n"
  "# and the console. Commands are never traced: this script carries secrets.\n"
  "\n";

static const char script_setup[] =
  "SCALER_LOG=\"$SCALER_ROOT" SCALER_BOOTSTRAP_LOG_FILE "\"\n"
  "SCALER_DIR=\"$SCALER_ROOT/opt/ec2-autoscaler\"\n"
  "SCALER_VENV=\"$SCALER_DIR/venv\"\n"
  "SCALER_CONF=\"$SCALER_ROOT/root/clearml.conf\"\n"
  "SCALER_INIT=\"$SCALER_DIR/init.sh\"\n"
  "\n"
  "umask 077\n"
  "mkdir -p \"${SCALER_LOG%/*}\" \"$SCALER_DIR\" \"${SCALER_CONF%/*}\"\n"
  "exec > >(tee -a \"$SCALER_LOG\") 2>&1\n"
  "export HOME=\"${HOME:-/root}\"\n"
  "\n"
  "scaler_log () {\n"
  "  printf '[ec2-autoscaler %(%Y-%m-%d %H:%M:%S %z)T] %s\\n' -1 \"$*\"\n"
  "}\n"
  "\n"
  "# shellcheck disable=SC2317 # run by the EXIT trap\n"
  "scaler_finish () {\n"
  "  local status=$?\n"
  "  scaler_log \"bootstrap finished (exit status $status): shutting the instance down\"\n"
  "  shutdown -h now\n"
  "}\n"
  "trap scaler_finish EXIT\n"
  "\n"
  "scaler_die () {\n"
  "  scaler_log \"ERROR: $*\"\n"
  "  exit 1\n"
  "}\n"
  "\n"
  "# scaler_retry ATTEMPTS DELAY COMMAND...\n"
  "scaler_retry () {\n"
  "  local attempts=$1 delay=$2 i\n"
  "  shift 2\n"
  "  for ((i = 1; i <= attempts; i++)); do\n"
  "    \"$@\" && return 0\n"
  "    scaler_log \"attempt $i of $attempts failed: $1\"\n"
  "    if ((i < attempts)); then sleep \"$delay\"; fi\n"
  "  done\n"
  "  return 1\n"
  "}\n"
  "\n"
  "# The instance id through IMDSv2: a session token first, then the id.\n"
  "scaler_instance_id () {\n"
  "  local token id i\n"
  "  for ((i = 1; i <= 60; i++)); do\n"
  "    if token=$(curl -sS -f --max-time 5 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 21600' \\\n"
  "                 'http://169.254.169.254/latest/api/token') &&\n"
  "       id=$(curl -sS -f --max-time 5 -H \"X-aws-ec2-metadata-token: $token\" \\\n"
  "              'http://169.254.169.254/latest/meta-data/instance-id') &&\n"
  "       [[ $id =~ ^i-[0-9a-f]{8,32}$ ]]; then\n"
  "      printf '%s\\n' \"$id\"\n"
  "      return 0\n"
  "    fi\n"
  "    sleep 2\n"
  "  done\n"
  "  return 1\n"
  "}\n"
  "\n"
  "# scaler_install_packages DEB_PACKAGE... -- RPM_PACKAGE...\n"
  "scaler_install_packages () {\n"
  "  local os arg deb=() rpm=() side=deb\n"
  "  for arg in \"$@\"; do\n"
  "    if [[ $arg == -- ]]; then side=rpm\n"
  "    elif [[ $side == deb ]]; then deb+=(\"$arg\")\n"
  "    else rpm+=(\"$arg\"); fi\n"
  "  done\n"
  "  # shellcheck source=/dev/null\n"
  "  os=$(. \"$SCALER_ROOT/etc/os-release\" 2>/dev/null; printf ' %s %s ' \"${ID:-}\" \"${ID_LIKE:-}\")\n"
  "  case $os in\n"
  "    *' ubuntu '*|*' debian '*)\n"
  "      export DEBIAN_FRONTEND=noninteractive\n"
  "      scaler_retry 5 10 apt-get -q -o DPkg::Lock::Timeout=300 update &&\n"
  "        scaler_retry 5 10 apt-get -q -y -o DPkg::Lock::Timeout=300 install \"${deb[@]}\"\n"
  "      ;;\n"
  "    *' amzn '*|*' fedora '*|*' rhel '*)\n"
  "      scaler_retry 5 10 dnf -y install \"${rpm[@]}\"\n"
  "      ;;\n"
  "    *)\n"
  "      scaler_log \"unsupported distribution ($os); expected Ubuntu 22.04/24.04 or Amazon Linux 2023\"\n"
  "      return 1\n"
  "      ;;\n"
  "  esac\n"
  "}\n"
  "\n";

static const char script_body[] =
  "scaler_log \"EC2 Autoscaler bootstrap starting (clearml-agent $SCALER_AGENT_VERSION)\"\n"
  "\n"
  "SCALER_INSTANCE_ID=$(scaler_instance_id) ||\n"
  "  scaler_die 'cannot read the instance id from the instance metadata service (IMDSv2)'\n"
  "scaler_log \"instance id: $SCALER_INSTANCE_ID\"\n"
  "\n"
  "scaler_log 'installing packages'\n"
  "scaler_install_packages python3-venv python3-pip git -- python3 python3-pip git ||\n"
  "  scaler_die 'could not install python3, pip, venv and git'\n"
  "if [[ -n $SCALER_DOCKER ]] && ! command -v docker >/dev/null 2>&1; then\n"
  "  scaler_log 'installing docker'\n"
  "  scaler_install_packages docker.io -- docker || scaler_die 'could not install docker'\n"
  "  systemctl enable --now docker || scaler_die 'could not start docker'\n"
  "fi\n"
  "\n"
  "scaler_log \"creating the virtualenv $SCALER_VENV\"\n"
  "python3 -m venv \"$SCALER_VENV\" || scaler_die 'could not create the virtualenv'\n"
  "scaler_retry 3 15 \"$SCALER_VENV/bin/python\" -m pip install --no-cache-dir \\\n"
  "    --disable-pip-version-check \"clearml-agent==$SCALER_AGENT_VERSION\" ||\n"
  "  scaler_die \"could not install clearml-agent $SCALER_AGENT_VERSION\"\n"
  "\n";

static const char script_tail[] =
  "\n"
  "if [[ -s $SCALER_INIT ]]; then\n"
  "  scaler_log 'running the init script (extra_vm_bash_script)'\n"
  "  # shellcheck source=/dev/null\n"
  "  . \"$SCALER_INIT\"\n"
  "  scaler_log 'init script done'\n"
  "fi\n"
  "\n"
  "scaler_log \"starting clearml-agent as worker $CLEARML_WORKER_ID\"\n"
  "scaler_run_agent\n"
  "scaler_log \"clearml-agent exited with status $?\"\n"
  "exit 0\n";

static void
field_sizes_add (GArray     *sizes,
                 const char *name,
                 const char *value)
{
  FieldSize f = { name, value ? strlen (value) : 0 };

  if (f.size > 0)
    g_array_append_val (sizes, f);
}

static int
field_size_compare (gconstpointer a,
                    gconstpointer b)
{
  const FieldSize *fa = a;
  const FieldSize *fb = b;

  if (fa->size != fb->size)
    return fa->size < fb->size ? 1 : -1;
  return g_strcmp0 (fa->name, fb->name);
}

static char *
describe_largest_fields (const ScalerConfig   *config,
                         const ScalerResource *resource,
                         const ScalerSecrets  *secrets)
{
  g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (FieldSize));
  GString *out = g_string_new (NULL);

  field_sizes_add (sizes, "extra_vm_bash_script", config->extra_vm_bash_script);
  field_sizes_add (sizes, "extra_clearml_conf", config->extra_clearml_conf);
  field_sizes_add (sizes, "default_docker_image", config->default_docker_image);
  field_sizes_add (sizes, "clearml.api_server", config->clearml_api_server);
  field_sizes_add (sizes, "clearml.web_server", config->clearml_web_server);
  field_sizes_add (sizes, "clearml.files_server", config->clearml_files_server);
  field_sizes_add (sizes, "git_user", config->git_user);
  field_sizes_add (sizes, "workers_prefix", config->workers_prefix);
  field_sizes_add (sizes, "resources.name", resource->name);
  field_sizes_add (sizes, "resources.queue", resource->queue);
  field_sizes_add (sizes, "resources.instance_type", resource->instance_type);
  if (secrets != NULL)
    {
      field_sizes_add (sizes, "ClearML access key", secrets->clearml_access_key);
      field_sizes_add (sizes, "ClearML secret key", secrets->clearml_secret_key);
      field_sizes_add (sizes, "git password", secrets->git_password);
    }
  g_array_sort (sizes, field_size_compare);

  for (guint i = 0; i < sizes->len && i < 3; i++)
    {
      const FieldSize *f = &g_array_index (sizes, FieldSize, i);

      if (i > 0)
        g_string_append (out, ", ");
      g_string_append_printf (out, "%s (%" G_GSIZE_FORMAT " bytes)", f->name, f->size);
    }

  return g_string_free (out, FALSE);
}

char *
scaler_bootstrap_generate_full (const ScalerConfig   *config,
                                const ScalerResource *resource,
                                const ScalerSecrets  *secrets,
                                const char           *sandbox_root,
                                GError              **error)
{
  g_autofree char *conf = NULL;
  g_autofree char *worker_prefix = NULL;
  GString *s;
  const char *docker;
  const char *init_script;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (resource != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  docker = nonnull (config->default_docker_image);
  init_script = nonnull (config->extra_vm_bash_script);
  conf = build_clearml_conf (config, secrets);
  /* The worker id without the instance id, which only IMDS knows at boot. */
  worker_prefix = g_strdup_printf ("%s:%s:%s:", nonnull (config->workers_prefix),
                                   nonnull (resource->name),
                                   nonnull (resource->instance_type));

  s = g_string_sized_new (8192 + strlen (conf) + strlen (init_script));
  g_string_append (s, script_head);

  /* Everything the script needs to know, as fixed values. */
  g_string_append (s, "SCALER_ROOT=");
  append_shell_quoted (s, nonnull (sandbox_root));
  g_string_append (s, "\nSCALER_AGENT_VERSION='" SCALER_BOOTSTRAP_AGENT_VERSION "'\n");
  g_string_append (s, "SCALER_DOCKER=");
  append_shell_quoted (s, docker);
  g_string_append (s, "\n");
  g_string_append (s, script_setup);

  /* The agent command comes before any user text, so that its literal
   * "--queue" is the first one in the script. */
  g_string_append (s, "scaler_run_agent () {\n"
                      "  \"$SCALER_VENV/bin/clearml-agent\" --config-file \"$SCALER_CONF\" daemon \\\n"
                      "    --queue ");
  append_shell_quoted (s, nonnull (resource->queue));
  if (*docker != '\0')
    {
      g_string_append (s, " \\\n    --docker ");
      append_shell_quoted (s, docker);
    }
  g_string_append (s, "\n}\n\n");

  g_string_append (s, script_body);

  g_string_append (s, "scaler_log \"writing $SCALER_CONF\"\n"
                      "printf '%s' ");
  append_shell_quoted (s, conf);
  g_string_append (s, " > \"$SCALER_CONF\" || scaler_die \"could not write $SCALER_CONF\"\n");
  g_string_append (s, "chmod 600 \"$SCALER_CONF\"\n");

  if (*init_script != '\0')
    {
      g_string_append (s, "printf '%s\\n' ");
      append_shell_quoted (s, init_script);
      g_string_append (s, " > \"$SCALER_INIT\" || scaler_die \"could not write $SCALER_INIT\"\n");
    }

  /* Last, so that it is the last assignment of CLEARML_WORKER_ID in the text. */
  g_string_append (s, "\nexport CLEARML_WORKER_ID=");
  append_shell_quoted (s, worker_prefix);
  g_string_append (s, "\"$SCALER_INSTANCE_ID\"\n");

  g_string_append (s, script_tail);

  if (s->len > SCALER_BOOTSTRAP_MAX_SIZE)
    {
      g_autofree char *largest = describe_largest_fields (config, resource, secrets);
      gsize len = s->len;

      g_string_free (s, TRUE);
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_TOO_LARGE,
                   _("The user-data for resource “%s” is %zu bytes, %zu bytes over "
                     "EC2’s limit of %d bytes. The largest "
                     "fields are: %s. Shorten them (a long init script can be "
                     "downloaded by a short one, e.g. from S3)."),
                   nonnull (resource->name), (size_t) len, (size_t) (len - SCALER_BOOTSTRAP_MAX_SIZE),
                   SCALER_BOOTSTRAP_MAX_SIZE, largest);
      return NULL;
    }

  return g_string_free (s, FALSE);
}

char *
scaler_bootstrap_generate (const ScalerConfig   *config,
                           const ScalerResource *resource,
                           const ScalerSecrets  *secrets,
                           GError              **error)
{
  return scaler_bootstrap_generate_full (config, resource, secrets, NULL, error);
}

gboolean
scaler_bootstrap_check_size (const ScalerConfig *config,
                             GPtrArray          *problems)
{
  g_autoptr(ScalerSecrets) secrets = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (problems != NULL, FALSE);

  secrets = scaler_secrets_new ();
  secrets->clearml_access_key = g_strnfill (CHECK_ACCESS_KEY_LEN, 'K');
  secrets->clearml_secret_key = g_strnfill (CHECK_SECRET_KEY_LEN, 'S');
  secrets->git_password = g_strnfill (CHECK_GIT_PASSWORD_LEN, 'P');

  for (guint i = 0; i < config->resources->len; i++)
    {
      const ScalerResource *resource = g_ptr_array_index (config->resources, i);
      g_autoptr(GError) error = NULL;
      g_autofree char *script = NULL;

      script = scaler_bootstrap_generate (config, resource, secrets, &error);
      if (script == NULL)
        {
          ScalerConfigProblem *problem = g_new0 (ScalerConfigProblem, 1);

          problem->severity = SCALER_PROBLEM_ERROR;
          /* The init script is by far the most likely culprit; the message
           * names the largest fields. */
          problem->path = g_strdup ((config->extra_vm_bash_script != NULL &&
                                     strlen (config->extra_vm_bash_script) >=
                                     strlen (nonnull (config->extra_clearml_conf)))
                                    ? "extra_vm_bash_script" : "extra_clearml_conf");
          /* The message may quote user text that is not UTF-8. */
          problem->message = g_utf8_make_valid (error->message, -1);
          g_ptr_array_add (problems, problem);
          /* One problem is enough: the resources differ only slightly. */
          ok = FALSE;
          break;
        }
    }

  return ok;
}

/* Wired into scaler_config_validate() without the config layer depending on
 * the bootstrap (see scaler_config_add_check()). */
static void register_size_check (void) __attribute__ ((constructor));

static void
register_size_check (void)
{
  scaler_config_add_check (scaler_bootstrap_check_size);
}
