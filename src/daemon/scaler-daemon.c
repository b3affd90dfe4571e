/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scaler-daemon.c: ec2-autoscalerd CONFIG.json [--once] [--state-dir DIR]. */

#define G_LOG_DOMAIN "ec2-autoscalerd"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "scaler-core.h"
#include "scaler-cycle.h"
#include "scaler-daemon.h"
#include "scaler-engine.h"
#include "scaler-engine-registry.h"

/* After SIGTERM the engine gets this long to cancel, wait and honour on_stop;
 * the process exits anyway a little later. */
#define STOP_TIMEOUT_S 4.0
#define HARD_EXIT_S    7

typedef struct
{
  GMainLoop         *loop;
  ScalerEngineRegistry *registry;
  const char        *id;
  ScalerEngine      *engine;           /* once it exists */
  ScalerCycleResult *once_result;
  gboolean           once;
  gboolean           stopping;
  gboolean           show_debug;
  int                exit_code;
} Daemon;

void
scaler_daemon_print_line (ScalerLogLevel  level,
                          const char     *prefix,
                          const char     *text)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] == '\0' && lines[i + 1] == NULL && i > 0)
        break;
      fprintf (stdout, "%s.%03dZ %-7s %s%s%s\n", stamp, g_date_time_get_microsecond (now) / 1000,
               scaler_log_level_to_string (level), prefix ? prefix : "", prefix ? ": " : "", lines[i]);
    }
  fflush (stdout);
}

static void
print_line (ScalerLogLevel  level,
            const char     *text)
{
  scaler_daemon_print_line (level, NULL, text);
}

static void
log_line_cb (ScalerEngine   *engine,
             ScalerLogLevel  level,
             const char     *text,
             Daemon         *daemon)
{
  g_assert (SCALER_IS_ENGINE (engine));

  if (level == SCALER_LOG_LEVEL_DEBUG && !daemon->show_debug)
    return;
  print_line (level, text);
}

static gboolean
cycle_had_errors (ScalerCycleResult *result)
{
  if (result == NULL || !result->ok)
    return TRUE;
  for (guint i = 0; i < result->log_lines->len; i++)
    if (((ScalerLogLine *) g_ptr_array_index (result->log_lines, i))->level == SCALER_LOG_LEVEL_ERROR)
      return TRUE;
  return FALSE;
}

static void
once_done_cb (GObject      *object,
              GAsyncResult *res,
              gpointer      user_data)
{
  Daemon *daemon = user_data;
  g_autoptr(GError) error = NULL;

  g_assert (SCALER_IS_ENGINE (object));

  daemon->once_result = scaler_engine_run_cycle_finish (SCALER_ENGINE (object), res, &error);
  if (daemon->once_result == NULL)
    {
      print_line (SCALER_LOG_LEVEL_ERROR, error->message);
      daemon->exit_code = SCALER_DAEMON_EXIT_CYCLE_FAILED;
    }
  else if (cycle_had_errors (daemon->once_result))
    {
      print_line (SCALER_LOG_LEVEL_ERROR, daemon->once_result->ok
                  ? "The cycle completed with errors (see above)"
                  : "The cycle could not complete (see above)");
      daemon->exit_code = SCALER_DAEMON_EXIT_CYCLE_FAILED;
    }
  else
    {
      print_line (SCALER_LOG_LEVEL_INFO, "One cycle done");
      daemon->exit_code = SCALER_DAEMON_EXIT_OK;
    }
  g_main_loop_quit (daemon->loop);
}

static void
stopped_cb (GObject      *object,
            GAsyncResult *res,
            gpointer      user_data)
{
  Daemon *daemon = user_data;
  g_autoptr(GError) error = NULL;

  g_assert (SCALER_IS_ENGINE_REGISTRY (object));

  if (!scaler_engine_registry_stop_finish (SCALER_ENGINE_REGISTRY (object), res, &error))
    print_line (SCALER_LOG_LEVEL_WARNING, error->message);
  print_line (SCALER_LOG_LEVEL_INFO, "Stopped");
  g_main_loop_quit (daemon->loop);
}

/* The hard exits skip atexit handlers and destructors (_exit): a worker
 * thread may still be inside libcurl or OpenSSL, whose clean-up would race
 * it. The log is flushed first. */
static gboolean
hard_exit_cb (gpointer user_data)
{
  print_line (SCALER_LOG_LEVEL_WARNING, "A request did not give up in time; exiting anyway");
  fflush (NULL);
  _exit (SCALER_DAEMON_EXIT_OK);
  return G_SOURCE_REMOVE;
}

static gboolean
signal_cb (gpointer user_data)
{
  Daemon *daemon = user_data;

  if (daemon->stopping)
    {
      print_line (SCALER_LOG_LEVEL_WARNING, "Second signal: exiting now");
      fflush (NULL);
      _exit (SCALER_DAEMON_EXIT_OK);
    }
  daemon->stopping = TRUE;
  print_line (SCALER_LOG_LEVEL_INFO, "Signal received, stopping");
  g_timeout_add_seconds (HARD_EXIT_S, hard_exit_cb, daemon);
  if (daemon->once)
    {
      /* The cycle is cancelled; no on_stop for a single cycle. */
      daemon->exit_code = SCALER_DAEMON_EXIT_CYCLE_FAILED;
      scaler_engine_stop_async (daemon->engine, STOP_TIMEOUT_S, NULL, NULL, NULL);
      return G_SOURCE_CONTINUE;
    }
  daemon->exit_code = SCALER_DAEMON_EXIT_OK;
  scaler_engine_registry_stop_async (daemon->registry, daemon->id, STOP_TIMEOUT_S, NULL, stopped_cb, daemon);
  return G_SOURCE_CONTINUE;
}

void
scaler_daemon_print_problems (const char *file,
                              GPtrArray  *problems)
{
  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      const ScalerConfigProblem *problem = g_ptr_array_index (problems, i);
      const char *where = *problem->path != '\0' ? problem->path : file;

      if (problem->severity == SCALER_PROBLEM_WARNING)
        g_printerr (_("%s: warning: %s\n"), where, problem->message);
      else
        g_printerr ("%s: %s\n", where, problem->message);
    }
}

/* The config, or NULL after printing the same lines as --check. */
static ScalerConfig *
load_config (const char *config_path)
{
  g_autofree char *contents = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  ScalerConfig *config;
  gsize length = 0;

  if (!g_file_get_contents (config_path, &contents, &length, &error))
    {
      g_printerr ("%s: %s\n", config_path, error->message);
      return NULL;
    }
  config = scaler_config_load (contents, length, &problems, &error);
  scaler_daemon_print_problems (config_path, problems);
  return config;
}

static void
lookup_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* The secrets, from the environment (a registry without backends). */
static gboolean
lookup_secrets (ScalerEngineRegistry  *registry,
                ScalerConfig          *config,
                ScalerSecrets        **secrets,
                GError               **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  scaler_engine_registry_lookup_secrets_async (registry, config, NULL, lookup_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  *secrets = scaler_engine_registry_lookup_secrets_finish (registry, result, error);
  return *secrets != NULL || config->demo;
}

static void
started_cb (GObject      *object,
            GAsyncResult *res,
            gpointer      user_data)
{
  Daemon *daemon = user_data;
  g_autoptr(GError) error = NULL;

  g_assert (SCALER_IS_ENGINE_REGISTRY (object));

  if (scaler_engine_registry_start_finish (SCALER_ENGINE_REGISTRY (object), res, &error) == NULL
      && !daemon->stopping)
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      daemon->exit_code = SCALER_DAEMON_EXIT_SETUP_FAILED;
      g_main_loop_quit (daemon->loop);
    }
}

static void
engine_changed_cb (ScalerEngineRegistry *registry,
                   const char           *id,
                   Daemon               *daemon)
{
  ScalerEngine *engine = scaler_engine_registry_get_engine (registry, id);

  g_assert (SCALER_IS_ENGINE_REGISTRY (registry));

  if (engine != NULL && daemon->engine == NULL)
    {
      daemon->engine = g_object_ref (engine);
      g_signal_connect (engine, "log-line", G_CALLBACK (log_line_cb), daemon);
    }
}

static void
print_banner (ScalerConfig *config,
              const char   *state_dir,
              gboolean      once)
{
  g_autofree char *line = g_strdup_printf ("ec2-autoscalerd %s: \"%s\" (%s), region %s, state in %s%s",
                                           PACKAGE_VERSION, config->name, config->id, config->aws_region,
                                           state_dir, once ? ", one cycle" : "");

  print_line (SCALER_LOG_LEVEL_INFO, line);
}

/* The config to run, with its secrets: credentials always come from the
 * environment here (never printed), and are checked before anything runs:
 * ClearML's from its variables; AWS's from the standard AWS chain, whatever
 * the config says (its files and profile are checked now, the keys fetched
 * by the first cycle and refreshed before they expire). */
static gboolean
prepare (ScalerEngineRegistry  *registry,
         ScalerConfig         **config,
         ScalerSecrets        **secrets,
         GError               **error)
{
  if (!(*config)->demo && (*config)->aws_credentials != SCALER_CREDENTIALS_SOURCE_ENVIRONMENT)
    {
      ScalerConfig *copy = scaler_config_copy (*config);

      copy->aws_credentials = SCALER_CREDENTIALS_SOURCE_ENVIRONMENT;
      g_clear_pointer (&copy->aws_profile, g_free);
      scaler_config_unref (*config);
      *config = copy;
    }
  if (!(*config)->demo && !scaler_aws_chain_check ((*config)->aws_profile, error))
    return FALSE;
  return lookup_secrets (registry, *config, secrets, error);
}

/* --once: one cycle of an engine of our own, outside the registry. */
static gboolean
start_once (Daemon         *daemon,
            ScalerConfig   *config,
            ScalerSecrets  *secrets,
            const char     *state_dir,
            GError        **error)
{
  daemon->engine = scaler_engine_registry_build_engine (config, secrets, state_dir, 0, error);
  if (daemon->engine == NULL)
    return FALSE;
  g_signal_connect (daemon->engine, "log-line", G_CALLBACK (log_line_cb), daemon);
  scaler_engine_set_autorun (daemon->engine, FALSE);
  scaler_engine_run_cycle_async (daemon->engine, NULL, once_done_cb, daemon);
  return TRUE;
}

int
scaler_daemon_run (const char *config_path,
                   gboolean    once,
                   const char *state_dir)
{
  g_autofree char *default_state_dir = NULL;
  g_autoptr(ScalerConfig) config = NULL;
  g_autoptr(ScalerSecrets) secrets = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(ScalerEngineRegistry) registry = NULL;
  Daemon daemon = { 0 };
  guint sigint, sigterm;

  g_return_val_if_fail (config_path != NULL, SCALER_DAEMON_EXIT_INVALID_CONFIG);

  /* The config: the same lines as --check, and no API call if invalid. */
  config = load_config (config_path);
  if (config == NULL)
    return SCALER_DAEMON_EXIT_INVALID_CONFIG;

  registry = scaler_engine_registry_new (NULL, NULL);
  if (!prepare (registry, &config, &secrets, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return SCALER_DAEMON_EXIT_SETUP_FAILED;
    }
  if (state_dir == NULL)
    state_dir = default_state_dir = scaler_engine_registry_dup_state_dir (config->id);

  loop = g_main_loop_new (NULL, FALSE);
  daemon.loop = loop;
  daemon.once = once;
  daemon.registry = registry;
  daemon.id = config->id;
  daemon.show_debug = g_getenv ("G_MESSAGES_DEBUG") != NULL;
  sigint = g_unix_signal_add (SIGINT, signal_cb, &daemon);
  sigterm = g_unix_signal_add (SIGTERM, signal_cb, &daemon);
  print_banner (config, state_dir, once);

  if (once && !start_once (&daemon, config, secrets, state_dir, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      daemon.exit_code = SCALER_DAEMON_EXIT_SETUP_FAILED;
    }
  else if (!once)
    {
      g_signal_connect (registry, "engine-changed", G_CALLBACK (engine_changed_cb), &daemon);
      scaler_engine_registry_start_async (registry, config, state_dir, NULL, NULL, started_cb, &daemon);
    }
  if (error == NULL)
    g_main_loop_run (loop);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_clear_pointer (&daemon.once_result, scaler_cycle_result_unref);
  g_signal_handlers_disconnect_by_data (registry, &daemon);
  if (daemon.engine != NULL)
    g_signal_handlers_disconnect_by_data (daemon.engine, &daemon);
  g_clear_object (&daemon.engine);
  return daemon.exit_code;
}
