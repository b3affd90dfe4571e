/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-bootstrap.h: the user-data script that turns a fresh EC2 instance
 * into a ClearML worker.
 *
 * The script (bash, run once by cloud-init as root):
 *   - logs everything to /var/log/ec2-autoscaler-bootstrap.log and to the
 *     console (so EC2 GetConsoleOutput shows it); it never traces commands,
 *     so the secrets it carries are not logged;
 *   - reads the instance id through IMDSv2 (PUT token, GET instance-id, with
 *     retries);
 *   - installs python3-venv/python3-pip/python3-dev/build-essential/git (apt,
 *     Ubuntu 22.04/24.04) or python3/python3-pip/python3-devel/gcc/gcc-c++/
 *     make/git (dnf, Amazon Linux 2023), chosen from /etc/os-release: the
 *     agent builds task venvs on the host in venv mode; plus docker when a
 *     docker image is set and docker is missing;
 *   - for a GPU resource (scaler_resource_is_cpu_only() FALSE) with a docker
 *     image: the NVIDIA container toolkit from NVIDIA's repository when
 *     nvidia-ctk is missing, then `nvidia-ctk runtime configure` (a NOTE in
 *     the log instead when the AMI has no NVIDIA driver or the install fails);
 *   - creates a virtualenv with clearml-agent==SCALER_BOOTSTRAP_AGENT_VERSION;
 *   - writes /root/clearml.conf (mode 600): api {api_server (see
 *     scaler_bootstrap_agent_api_server()), web_server, files_server,
 *     credentials}, agent {git_user, git_pass}, then the user's
 *     extra_clearml_conf verbatim;
 *   - exports CLEARML_WORKER_ID=<workers_prefix>:<resource>:<instance_type>:<id>;
 *   - sources the user's init script (extra_vm_bash_script), so its exports
 *     reach the agent (it runs with umask 077);
 *   - with umask 022, runs `clearml-agent daemon --queue <q> [--docker <image>
 *     --force-current-version] [--cpu-only]` in the foreground. Exit status
 *     0 ends the script; a failure restarts the agent after 15, 30, 60 and
 *     120 s (SCALER_BOOTSTRAP_AGENT_ATTEMPTS attempts in all; a run of 10
 *     minutes or more starts the count again);
 *   - shuts the instance down (`shutdown -h now`; launches use
 *     InstanceInitiatedShutdownBehavior=terminate) when the script ends: after
 *     the agent, or when the bootstrap itself fails.
 *
 * Every user-supplied string is embedded as one single-quoted shell word
 * (' written as '\''); files are written with printf '%s' of such a word, never
 * with heredocs. Values inside clearml.conf are HOCON strings with only '"'
 * and '\\' escaped: a value with a control character is refused
 * (SCALER_ERROR_INVALID_CONFIG), as the agent's pyhocon could not decode it.
 * The AWS credentials are never part of the script (docs/design.md,
 * "Instances it launches"); the ClearML key/secret and the git password are
 * (see README, "Credentials inside user-data").
 */

#pragma once

#include <glib.h>

#include "scaler-types.h"

G_BEGIN_DECLS

/* The pinned clearml-agent release installed on every instance. */
#define SCALER_BOOTSTRAP_AGENT_VERSION "1.9.3"

/* How often the script starts clearml-agent before it gives up (and shuts the
 * instance down): 1 + 4 restarts, 15, 30, 60 and 120 s apart. */
#define SCALER_BOOTSTRAP_AGENT_ATTEMPTS 5

/* EC2's limit for user-data: 16 KB before base64 encoding. */
#define SCALER_BOOTSTRAP_MAX_SIZE 16384

/* Where the script logs on the instance. */
#define SCALER_BOOTSTRAP_LOG_FILE "/var/log/ec2-autoscaler-bootstrap.log"

/* The user-data for an instance of @resource. @secrets may be NULL (no
 * ClearML credentials and no git password in the script: the init script is
 * then expected to provide them, e.g. from SSM Parameter Store). Fails with
 * SCALER_ERROR_TOO_LARGE when the script exceeds SCALER_BOOTSTRAP_MAX_SIZE
 * (the message says by how much and which fields are the largest), with
 * SCALER_ERROR_INVALID_CONFIG when a value for clearml.conf has a control
 * character (the message names the field, never the value). */
char     *scaler_bootstrap_generate      (const ScalerConfig   *config,
                                          const ScalerResource *resource,
                                          const ScalerSecrets  *secrets,
                                          GError              **error);

/* Same, for tests: @sandbox_root (nullable) is put in front of every path the
 * script touches (/var/log, /opt, /root, /etc/os-release). With NULL the
 * result is exactly scaler_bootstrap_generate()'s. The script then differs from
 * the real one only in its `SCALER_ROOT=''` line. */
char     *scaler_bootstrap_generate_full (const ScalerConfig   *config,
                                          const ScalerResource *resource,
                                          const ScalerSecrets  *secrets,
                                          const char           *sandbox_root,
                                          GError              **error);

/* The api_server the agent gets in clearml.conf: trailing '/' removed, and a
 * last path segment "vN" or "vN.N" (the client's version pin) removed, since
 * the agent adds its own version to every path. */
char     *scaler_bootstrap_agent_api_server (const char        *api_server);

/* Quote @value as one POSIX shell word: '...' with ' written as '\''. */
char     *scaler_bootstrap_shell_quote   (const char           *value);

/* Config validation: appends one ScalerConfigProblem (ERROR) per resource
 * whose user-data would exceed the limit, assuming typical secret lengths
 * (ClearML key 32, secret 64, git password 128 bytes). Returns TRUE if all fit. */
gboolean  scaler_bootstrap_check_size    (const ScalerConfig   *config,
                                          GPtrArray            *problems);

G_END_DECLS
