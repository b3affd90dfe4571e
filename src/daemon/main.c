/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ec2-autoscalerd: the headless engine (docs/design.md, "ec2-autoscalerd").
 *
 *   ec2-autoscalerd --check CONFIG.json
 *   ec2-autoscalerd CONFIG.json [--once] [--state-dir DIR]
 *   ec2-autoscalerd --service
 */

#define G_LOG_DOMAIN "ec2-autoscalerd"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>

#include "scaler-core.h"
#include "scaler-daemon.h"
#include "scaler-service.h"

static gboolean opt_version;
static char *opt_check;
static gboolean opt_once;
static char *opt_state_dir;
static gboolean opt_service;

static const GOptionEntry entries[] = {
  { "check", 0, 0, G_OPTION_ARG_FILENAME, &opt_check,
    N_("Validate CONFIG and exit: 0 if valid, 1 with one line per problem"), N_("CONFIG.json") },
  { "once", 0, 0, G_OPTION_ARG_NONE, &opt_once,
    N_("Run one full cycle, then exit"), NULL },
  { "service", 0, 0, G_OPTION_ARG_NONE, &opt_service,
    N_("Run every saved autoscaler as a service on the session bus"), NULL },
  { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_state_dir,
    N_("Where the ledger is kept (default: $XDG_STATE_HOME/ec2-autoscaler/<id>)"), N_("DIR") },
  { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version,
    N_("Print the version and exit"), NULL },
  { NULL }
};

/* --check CONFIG: no network, no credentials, only the file. */
static int
run_check (const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      g_printerr ("%s: %s\n", path, error->message);
      return 1;
    }

  problems = scaler_config_validate_json (contents, length);
  scaler_daemon_print_problems (path, problems);

  return scaler_config_problems_have_errors (problems) ? 1 : 0;
}

static GOptionContext *
option_context_new (void)
{
  GOptionContext *context;

  context = g_option_context_new (_("[CONFIG.json | --service] - keep EC2 instances sized to ClearML queues"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("Runs one autoscaler configuration without a display.\n"
      "AWS credentials come from the standard AWS chain, as for the aws command:\n"
      "AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN); a profile of\n"
      "~/.aws/config and ~/.aws/credentials (the config's aws.profile, else\n"
      "AWS_DEFAULT_PROFILE or AWS_PROFILE) with keys, role_arn, SSO (aws sso login)\n"
      "or credential_process; web identity (AWS_WEB_IDENTITY_TOKEN_FILE);\n"
      "container credentials; or the EC2 instance role (IMDSv2). Temporary\n"
      "credentials are fetched again before they expire.\n"
      "ClearML: CLEARML_API_ACCESS_KEY, CLEARML_API_SECRET_KEY and\n"
      "CLEARML_AUTOSCALER_GIT_PASSWORD.\n"
      "SIGINT or SIGTERM stop it (exit 0), honouring the config's on_stop.\n"
      "\n"
      "With --service, runs every saved autoscaler ($XDG_CONFIG_HOME/ec2-autoscaler)\n"
      "on the session bus as io.github.ec2autoscaler.Autoscaler.Daemon, the\n"
      "background service that the app shows; secrets come from the keyring (or\n"
      "the environment, as each config says).\n"
      "See man ec2-autoscalerd."));
  return context;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = option_context_new ();
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      g_printerr (_("Run “%s --help” to see the options.\n"), g_get_prgname ());
      return 2;
    }

  if (opt_version)
    {
      g_print ("ec2-autoscalerd %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (opt_service)
    {
      if (argc > 1 || opt_check != NULL || opt_once || opt_state_dir != NULL)
        {
          g_printerr (_("%s: --service takes no configuration and no other option\n"), g_get_prgname ());
          return 2;
        }
      return scaler_service_run ();
    }

  if (opt_check != NULL)
    return run_check (opt_check);

  if (argc == 2)
    return scaler_daemon_run (argv[1], opt_once, opt_state_dir);
  if (argc > 2)
    {
      g_printerr (_("%s: one configuration at a time, got %d\n"), g_get_prgname (), argc - 1);
      return 2;
    }

  g_printerr (_("%s: no configuration given\n"), g_get_prgname ());
  g_printerr (_("Run “%s --help” to see the options.\n"), g_get_prgname ());
  return 2;
}
