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
 *   - installs python3-venv/python3-pip/git (apt, Ubuntu 22.04/24.04) or
 *     python3/python3-pip/git (dnf, Amazon Linux 2023), chosen from
 *     /etc/os-release, plus docker when a docker image is set and docker is
 *     missing;
 *   - creates a virtualenv with clearml-agent==SCALER_BOOTSTRAP_AGENT_VERSION;
 *   - writes /root/clearml.conf (mode 600): api {api_server, web_server,
 *     files_server, credentials}, agent {git_user, git_pass}, then the user's
 *     extra_clearml_conf verbatim;
 *   - exports CLEARML_WORKER_ID=<workers_prefix>:<resource>:<instance_type>:<id>;
 *   - sources the user's init script (extra_vm_bash_script), so its exports
 *     reach the agent;
 *   - runs `clearml-agent daemon --queue <q> [--docker <image>]` in the
 *     foreground and shuts the instance down (`shutdown -h now`; launches use
 *     InstanceInitiatedShutdownBehavior=terminate) when the agent exits,
 *     whatever its exit status, and also when the bootstrap itself fails.
 *
 * Every user-supplied string is embedded as one single-quoted shell word
 * (' written as '\''); files are written with printf '%s' of such a word, never
 * with heredocs. Values inside clearml.conf are HOCON (JSON-escaped) strings.
 * The AWS credentials are never part of the script (DESIGN.md); the ClearML
 * key/secret and the git password are (see README, "Credentials inside
 * user-data").
 */

#pragma once

#include <glib.h>

#include "scaler-types.h"

G_BEGIN_DECLS

/* The pinned clearml-agent release installed on every instance. */
#define SCALER_BOOTSTRAP_AGENT_VERSION "1.9.3"

/* EC2's limit for user-data: 16 KB before base64 encoding. */
#define SCALER_BOOTSTRAP_MAX_SIZE 16384

/* Where the script logs on the instance. */
#define SCALER_BOOTSTRAP_LOG_FILE "/var/log/ec2-autoscaler-bootstrap.log"

/* The user-data for an instance of @resource. @secrets may be NULL (no
 * ClearML credentials and no git password in the script: the init script is
 * then expected to provide them, e.g. from SSM Parameter Store). Fails with
 * SCALER_ERROR_TOO_LARGE when the script exceeds SCALER_BOOTSTRAP_MAX_SIZE
 * (the message says by how much and which fields are the largest). */
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

/* Quote @value as one POSIX shell word: '...' with ' written as '\''. */
char     *scaler_bootstrap_shell_quote   (const char           *value);

/* Config validation: appends one ScalerConfigProblem (ERROR) per resource
 * whose user-data would exceed the limit, assuming typical secret lengths
 * (ClearML key 32, secret 64, git password 128 bytes). Returns TRUE if all fit. */
gboolean  scaler_bootstrap_check_size    (const ScalerConfig   *config,
                                          GPtrArray            *problems);

G_END_DECLS
