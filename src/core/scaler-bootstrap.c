/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-bootstrap"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "scaler-bootstrap.h"
#include "scaler-config.h"
#include "scaler-error.h"
#include "scaler-util.h"

/* Typical secret lengths used by scaler_bootstrap_check_size(). */
#define CHECK_ACCESS_KEY_LEN   32
#define CHECK_SECRET_KEY_LEN   64
#define CHECK_GIT_PASSWORD_LEN 128

typedef struct
{
  const char *name;
  gsize       size;
} FieldSize;

/* One HOCON quoted string. The agent's vendored pyhocon unescapes only
 * \\ \n \r \t \" \= \# \! (clearml-agent
 * clearml_agent/external/pyhocon/config_parser.py:183-193), so a value may
 * hold no control character at all (check_conf_values() rejects them); '"'
 * and '\\' are escaped, everything else (UTF-8 included) is literal.
 * Substitutions (${...}) are not expanded inside quotes. */
static void
append_hocon_string (GString    *out,
                     const char *value)
{
  g_string_append_c (out, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      g_assert ((guchar) *p >= 0x20 && *p != 0x7f);
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static gboolean
has_control (const char *value)
{
  for (const char *p = value; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return TRUE;
  return FALSE;
}

/* Every value that goes into clearml.conf, free of control characters. The
 * config validator reports the config's own fields; the secrets are only
 * known here. The message names the field, never its value. */
static gboolean
check_conf_values (const ScalerConfig  *config,
                   const ScalerSecrets *secrets,
                   GError             **error)
{
  struct { const char *name; const char *value; } fields[] = {
    { "clearml.api_server", config->clearml_api_server },
    { "clearml.web_server", config->clearml_web_server },
    { "clearml.files_server", config->clearml_files_server },
    { "git_user", config->git_user },
    { N_("the ClearML access key"), secrets ? secrets->clearml_access_key : NULL },
    { N_("the ClearML secret key"), secrets ? secrets->clearml_secret_key : NULL },
    { N_("the git password"), secrets ? secrets->git_password : NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (has_control (scaler_str_or_empty (fields[i].value)))
      {
        g_set_error (error, SCALER_ERROR, SCALER_ERROR_INVALID_CONFIG,
                     _("The value of %s contains a control character (a tab, a line break "
                       "or another invisible character), which the agent’s clearml.conf "
                       "cannot carry; remove it"),
                     _(fields[i].name));
        return FALSE;
      }
  return TRUE;
}

char *
scaler_bootstrap_agent_api_server (const char *api_server)
{
  g_autofree char *url = NULL;
  const char *scheme_end;
  const char *path;
  char *last;
  gsize len;

  g_return_val_if_fail (api_server != NULL, NULL);

  url = g_strstrip (g_strdup (api_server));
  scheme_end = strstr (url, "://");
  path = strchr (scheme_end != NULL ? scheme_end + 3 : url, '/');
  if (path == NULL)
    return g_steal_pointer (&url);

  len = strlen (url);
  while (len > (gsize) (path - url) && url[len - 1] == '/')
    url[--len] = '\0';
  /* A last path segment "v2" or "v2.20" pins the client's API version; the
   * agent adds its own ("{host}/v{version}/{service}.{action}",
   * clearml-agent clearml_agent/backend_api/session/session.py:328-332), and
   * the server accepts one version segment only (clearml-server
   * apiserver/service_repo/service_repo.py:45-53): 400 "Invalid request path". */
  last = strrchr (url, '/');
  if (last >= path && g_regex_match_simple ("^[vV][0-9]+(\\.[0-9]+)?$", last + 1, 0, 0))
    {
      *last = '\0';
      len = strlen (url);
      while (len > (gsize) (path - url) && url[len - 1] == '/')
        url[--len] = '\0';
    }
  return g_steal_pointer (&url);
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
  const char *access_key = secrets ? scaler_str_or_empty (secrets->clearml_access_key) : "";
  const char *secret_key = secrets ? scaler_str_or_empty (secrets->clearml_secret_key) : "";
  const char *git_pass = secrets ? scaler_str_or_empty (secrets->git_password) : "";
  const char *git_user = scaler_str_or_empty (config->git_user);
  g_autofree char *agent_api_server = scaler_bootstrap_agent_api_server (scaler_str_or_empty (config->clearml_api_server));

  g_string_append (conf, "# Written by the EC2 Autoscaler bootstrap.\n");
  g_string_append (conf, "api {\n");
  g_string_append (conf, "  api_server: ");
  append_hocon_string (conf, agent_api_server);
  g_string_append (conf, "\n  web_server: ");
  append_hocon_string (conf, scaler_str_or_empty (config->clearml_web_server));
  g_string_append (conf, "\n  files_server: ");
  append_hocon_string (conf, scaler_str_or_empty (config->clearml_files_server));
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
  "# virtualenv, its clearml.conf, the agent in the foreground (restarted with\n"
  "# back-off when it fails), and a shutdown (= termination) at the end. Log:\n"
  "# " SCALER_BOOTSTRAP_LOG_FILE " and the console. Commands are never traced:\n"
  "# this script carries secrets.\n"
  "\n";

static const char script_setup[] =
  "SCALER_LOG=\"$SCALER_ROOT" SCALER_BOOTSTRAP_LOG_FILE "\"\n"
  "SCALER_DIR=\"$SCALER_ROOT/opt/ec2-autoscaler\"\n"
  "SCALER_VENV=\"$SCALER_DIR/venv\"\n"
  "SCALER_CONF=\"$SCALER_ROOT/root/clearml.conf\"\n"
  "SCALER_INIT=\"$SCALER_DIR/init.sh\"\n"
  "SCALER_AGENT_ATTEMPTS=" G_STRINGIFY (SCALER_BOOTSTRAP_AGENT_ATTEMPTS) "\n"
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
  "# deb (Ubuntu, Debian), rpm (Amazon Linux, Fedora, RHEL) or nothing.\n"
  "scaler_os () {\n"
  "  local os\n"
  "  # shellcheck source=/dev/null\n"
  "  os=$(. \"$SCALER_ROOT/etc/os-release\" 2>/dev/null; printf ' %s %s ' \"${ID:-}\" \"${ID_LIKE:-}\")\n"
  "  case $os in\n"
  "    *' ubuntu '*|*' debian '*) echo deb ;;\n"
  "    *' amzn '*|*' fedora '*|*' rhel '*) echo rpm ;;\n"
  "    *) scaler_log \"unsupported distribution ($os); expected Ubuntu 22.04/24.04 or Amazon Linux 2023\" >&2 ;;\n"
  "  esac\n"
  "}\n"
  "\n"
  "# scaler_install_packages DEB_PACKAGE... -- RPM_PACKAGE...\n"
  "scaler_install_packages () {\n"
  "  local arg deb=() rpm=() side=deb\n"
  "  for arg in \"$@\"; do\n"
  "    if [[ $arg == -- ]]; then side=rpm\n"
  "    elif [[ $side == deb ]]; then deb+=(\"$arg\")\n"
  "    else rpm+=(\"$arg\"); fi\n"
  "  done\n"
  "  case $(scaler_os) in\n"
  "    deb)\n"
  "      export DEBIAN_FRONTEND=noninteractive\n"
  "      scaler_retry 5 10 apt-get -q -o DPkg::Lock::Timeout=300 update &&\n"
  "        scaler_retry 5 10 apt-get -q -y -o DPkg::Lock::Timeout=300 install \"${deb[@]}\"\n"
  "      ;;\n"
  "    rpm) scaler_retry 5 10 dnf -y install \"${rpm[@]}\" ;;\n"
  "    *) return 1 ;;\n"
  "  esac\n"
  "}\n"
  "\n"
  "# The agent in the foreground. Status 0 (stopped on purpose): done. A failure\n"
  "# (server restarting, DNS not ready, queue missing) is retried with back-off;\n"
  "# the count starts again after a run of 10 minutes or more.\n"
  "scaler_agent_loop () {\n"
  "  local attempt=1 delay=15 started status\n"
  "  while :; do\n"
  "    scaler_log \"starting clearml-agent as worker $CLEARML_WORKER_ID (attempt $attempt of $SCALER_AGENT_ATTEMPTS)\"\n"
  "    started=$SECONDS\n"
  "    scaler_run_agent\n"
  "    status=$?\n"
  "    scaler_log \"clearml-agent exited with status $status\"\n"
  "    if ((status == 0)); then return 0; fi\n"
  "    if ((SECONDS - started >= 600)); then attempt=1 delay=15; fi\n"
  "    if ((attempt >= SCALER_AGENT_ATTEMPTS)); then\n"
  "      scaler_log \"clearml-agent failed $attempt times in a row; giving up\"\n"
  "      return \"$status\"\n"
  "    fi\n"
  "    scaler_log \"restarting clearml-agent in $delay s\"\n"
  "    sleep \"$delay\"\n"
  "    attempt=$((attempt + 1)) delay=$((delay * 2))\n"
  "  done\n"
  "}\n"
  "\n";

/* Only for a GPU resource with a docker image: docker --gpus needs the NVIDIA
 * container toolkit, which plain Ubuntu / Amazon Linux AMIs lack (AWS Deep
 * Learning AMIs have it). Written with umask 022: apt reads the keyring as
 * the _apt user. */
static const char script_nvidia[] =
  "# The NVIDIA container toolkit, for docker run --gpus.\n"
  "scaler_nvidia_toolkit () {\n"
  "  local repo='https://nvidia.github.io/libnvidia-container'\n"
  "  local keyring='/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg'\n"
  "  if ! command -v nvidia-smi >/dev/null 2>&1; then\n"
  "    scaler_log 'NOTE: this AMI has no NVIDIA driver (nvidia-smi): tasks run with docker --gpus all will fail; use an AMI with the driver (e.g. an AWS Deep Learning AMI) or set cpu_only'\n"
  "    return 0\n"
  "  fi\n"
  "  if ! command -v nvidia-ctk >/dev/null 2>&1; then\n"
  "    scaler_log 'installing the NVIDIA container toolkit'\n"
  "    if ! (umask 022\n"
  "          case $(scaler_os) in\n"
  "            deb) mkdir -p \"$SCALER_ROOT${keyring%/*}\" \"$SCALER_ROOT/etc/apt/sources.list.d\" &&\n"
  "                   curl -fsSL \"$repo/gpgkey\" | gpg --batch --yes --dearmor -o \"$SCALER_ROOT$keyring\" &&\n"
  "                   curl -fsSL \"$repo/stable/deb/nvidia-container-toolkit.list\" |\n"
  "                   sed \"s#deb https://#deb [signed-by=$keyring] https://#g\" \\\n"
  "                     > \"$SCALER_ROOT/etc/apt/sources.list.d/nvidia-container-toolkit.list\" ;;\n"
  "            rpm) mkdir -p \"$SCALER_ROOT/etc/yum.repos.d\" &&\n"
  "                   curl -fsSL \"$repo/stable/rpm/nvidia-container-toolkit.repo\" \\\n"
  "                     > \"$SCALER_ROOT/etc/yum.repos.d/nvidia-container-toolkit.repo\" ;;\n"
  "            *) false ;;\n"
  "          esac && scaler_install_packages nvidia-container-toolkit -- nvidia-container-toolkit); then\n"
  "      scaler_log 'NOTE: could not install the NVIDIA container toolkit: tasks run with docker --gpus all will fail'\n"
  "      return 0\n"
  "    fi\n"
  "  fi\n"
  "  if ! { nvidia-ctk runtime configure --runtime=docker && systemctl restart docker; }; then\n"
  "    scaler_log 'NOTE: could not configure docker for the NVIDIA runtime'\n"
  "  fi\n"
  "}\n"
  "\n";

static const char script_body[] =
  "scaler_log \"EC2 Autoscaler bootstrap starting (clearml-agent $SCALER_AGENT_VERSION)\"\n"
  "\n"
  "SCALER_INSTANCE_ID=$(scaler_instance_id) ||\n"
  "  scaler_die 'cannot read the instance id from the instance metadata service (IMDSv2)'\n"
  "scaler_log \"instance id: $SCALER_INSTANCE_ID\"\n"
  "\n"
  "# Build tools: without a docker image the agent builds task venvs here.\n"
  "scaler_log 'installing packages'\n"
  "scaler_install_packages python3-venv python3-pip python3-dev build-essential git \\\n"
  "    -- python3 python3-pip python3-devel gcc gcc-c++ make git ||\n"
  "  scaler_die 'could not install python3, pip, venv, build tools and git'\n"
  "if [[ -n $SCALER_DOCKER ]] && ! command -v docker >/dev/null 2>&1; then\n"
  "  scaler_log 'installing docker'\n"
  "  scaler_install_packages docker.io -- docker || scaler_die 'could not install docker'\n"
  "  systemctl enable --now docker || scaler_die 'could not start docker'\n"
  "fi\n";

static const char script_venv[] =
  "\n"
  "scaler_log \"creating the virtualenv $SCALER_VENV\"\n"
  "python3 -m venv \"$SCALER_VENV\" || scaler_die 'could not create the virtualenv'\n"
  "scaler_retry 3 15 \"$SCALER_VENV/bin/python\" -m pip install --no-cache-dir \\\n"
  "    --disable-pip-version-check \"clearml-agent==$SCALER_AGENT_VERSION\" ||\n"
  "  scaler_die \"could not install clearml-agent $SCALER_AGENT_VERSION\"\n"
  "\n";

/* The agent and every task it runs get umask 022 (caches, venvs and docker
 * bind mounts readable by a non-root USER in an image); clearml.conf was
 * written 0600 before. The init script still runs with 077. */
static const char script_tail[] =
  "\n"
  "if [[ -s $SCALER_INIT ]]; then\n"
  "  scaler_log 'running the init script (extra_vm_bash_script)'\n"
  "  # shellcheck source=/dev/null\n"
  "  . \"$SCALER_INIT\"\n"
  "  scaler_log 'init script done'\n"
  "fi\n"
  "\n"
  "umask 022\n"
  "scaler_agent_loop\n";

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

/* scaler_run_agent: the daemon's command line. It comes before any user text,
 * so that its literal "--queue" is the first one in the script. */
static void
append_agent_command (GString              *s,
                      const ScalerConfig   *config,
                      const ScalerResource *resource)
{
  const char *docker = scaler_str_or_empty (config->default_docker_image);

  g_string_append (s, "scaler_run_agent () {\n"
                      "  \"$SCALER_VENV/bin/clearml-agent\" --config-file \"$SCALER_CONF\" daemon \\\n"
                      "    --queue ");
  append_shell_quoted (s, scaler_str_or_empty (resource->queue));
  if (*docker != '\0')
    {
      g_string_append (s, " \\\n    --docker ");
      append_shell_quoted (s, docker);
      /* Otherwise the agent inside every task container is the newest PyPI
       * release (clearml-agent clearml_agent/commands/worker.py:4577-4598). */
      g_string_append (s, " \\\n    --force-current-version");
    }
  /* Without it, a docker task gets `docker run --gpus all`
   * (clearml_agent/commands/worker.py:4443-4449), which fails on a host
   * without GPUs; --cpu-only sets NVIDIA_VISIBLE_DEVICES=none
   * (clearml_agent/session.py:80-82) and makes venvs use CPU wheels. */
  if (scaler_resource_is_cpu_only (resource))
    g_string_append (s, " \\\n    --cpu-only");
  g_string_append (s, "\n}\n\n");
}

/* clearml.conf (0600), the init script, the worker id. */
static void
append_files (GString              *s,
              const ScalerConfig   *config,
              const ScalerResource *resource,
              const ScalerSecrets  *secrets)
{
  g_autofree char *conf = build_clearml_conf (config, secrets);
  g_autofree char *worker_prefix = NULL;
  const char *init_script = scaler_str_or_empty (config->extra_vm_bash_script);

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

  /* The worker id without the instance id, which only IMDS knows at boot.
   * Last, so that it is the last assignment of CLEARML_WORKER_ID in the text. */
  worker_prefix = g_strdup_printf ("%s:%s:%s:", scaler_str_or_empty (config->workers_prefix),
                                   scaler_str_or_empty (resource->name),
                                   scaler_str_or_empty (resource->instance_type));
  g_string_append (s, "\nexport CLEARML_WORKER_ID=");
  append_shell_quoted (s, worker_prefix);
  g_string_append (s, "\"$SCALER_INSTANCE_ID\"\n");
}

static char *
too_large (GString              *s,
           const ScalerConfig   *config,
           const ScalerResource *resource,
           const ScalerSecrets  *secrets,
           GError              **error)
{
  g_autofree char *largest = describe_largest_fields (config, resource, secrets);
  gsize len = s->len;

  g_string_free (s, TRUE);
  g_set_error (error, SCALER_ERROR, SCALER_ERROR_TOO_LARGE,
               _("The user-data for resource “%s” is %zu bytes, %zu bytes over "
                 "EC2’s limit of %d bytes. The largest "
                 "fields are: %s. Shorten them (a long init script can be "
                 "downloaded by a short one, e.g. from S3)."),
               scaler_str_or_empty (resource->name), (size_t) len, (size_t) (len - SCALER_BOOTSTRAP_MAX_SIZE),
               SCALER_BOOTSTRAP_MAX_SIZE, largest);
  return NULL;
}

char *
scaler_bootstrap_generate_full (const ScalerConfig   *config,
                                const ScalerResource *resource,
                                const ScalerSecrets  *secrets,
                                const char           *sandbox_root,
                                GError              **error)
{
  GString *s;
  const char *docker;
  gboolean gpu_docker;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (resource != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_conf_values (config, secrets, error))
    return NULL;
  docker = scaler_str_or_empty (config->default_docker_image);
  gpu_docker = *docker != '\0' && !scaler_resource_is_cpu_only (resource);

  s = g_string_sized_new (8192 + strlen (scaler_str_or_empty (config->extra_vm_bash_script)));
  g_string_append (s, script_head);

  /* Everything the script needs to know, as fixed values. */
  g_string_append (s, "SCALER_ROOT=");
  append_shell_quoted (s, scaler_str_or_empty (sandbox_root));
  g_string_append (s, "\nSCALER_AGENT_VERSION='" SCALER_BOOTSTRAP_AGENT_VERSION "'\n");
  g_string_append (s, "SCALER_DOCKER=");
  append_shell_quoted (s, docker);
  g_string_append (s, "\n");
  g_string_append (s, script_setup);
  if (gpu_docker)
    g_string_append (s, script_nvidia);
  append_agent_command (s, config, resource);

  g_string_append (s, script_body);
  if (gpu_docker)
    g_string_append (s, "scaler_nvidia_toolkit\n");
  g_string_append (s, script_venv);
  append_files (s, config, resource, secrets);
  g_string_append (s, script_tail);

  if (s->len > SCALER_BOOTSTRAP_MAX_SIZE)
    return too_large (s, config, resource, secrets, error);

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
                                     strlen (scaler_str_or_empty (config->extra_clearml_conf)))
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
