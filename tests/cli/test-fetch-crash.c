/* test-fetch-crash.c: `mailwire-cli pop3 fetch` killed at random points
 * loses and duplicates nothing
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-mail-server.h"
#include "mw-test-wrapper.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#define USER       "alice"
#define PASSWORD   "crash pass"
#define N_MESSAGES 500
/* Rounds killed at a random point, for each size limit of the crash test. */
#define N_KILLED_ROUNDS 6
/* No single run of the CLI may take longer. */
#define RUN_TIMEOUT_SECONDS 60

/* GLib 2.74 leaks the directories G_TEST_OPTION_ISOLATE_DIRS sets up. */
const char *__lsan_default_suppressions (void);

const char *
__lsan_default_suppressions (void)
{
  return "leak:g_set_user_dirs\n";
}

typedef struct
{
  char         *dir;
  char         *server_maildir;
  char         *local;
  char         *password_file;
  char         *port;
  MwMailServer *server;
  /* Per original message: its file name on the server (its UID) and the
   * SHA-256 of its bytes. */
  char       *names[N_MESSAGES];
  char       *sums[N_MESSAGES];
  GHashTable *by_sum; /* sum → index + 1 */
} Fixture;

static const char *const words[] = {
  "mail",
  "server",
  "local",
  "message",
  "download",
  "the",
  "a",
  "quarterly",
  "report",
  "meeting",
  "tomorrow",
  "please",
  "find",
  "attached",
  "regards",
  "invoice",
  "draft",
  "review",
  "budget",
  "schedule",
  "lunch",
  "thanks",
};

/* A message with CRLF line ends only, so that RETR delivers exactly these
 * bytes. Some body lines start with a dot, to exercise dot-stuffing. Sizes
 * spread from a few hundred bytes to about 200 KB, most of them small. */
static GString *
make_message (guint i)
{
  GString *out = g_string_new (NULL);
  guint    shift = g_test_rand_int_range (0, 10);
  size_t   target = (300u << shift) + g_test_rand_int_range (0, (300 << shift) / 3 + 1);

  g_string_append_printf (out,
                          "Return-Path: <sender%u@example.org>\r\n"
                          "From: Sender %u <sender%u@example.org>\r\n"
                          "To: Alice <alice@example.org>\r\n"
                          "Subject: Message %u about the %s\r\n"
                          "Date: Tue, %u Nov 2026 %02u:%02u:00 +0000\r\n"
                          "Message-ID: <%u.crash@example.org>\r\n"
                          "MIME-Version: 1.0\r\n"
                          "Content-Type: text/plain; charset=UTF-8\r\n"
                          "\r\n",
                          i % 37, i % 37, i % 37, i,
                          words[i % G_N_ELEMENTS (words)], 1 + i % 28, i % 24, i % 60, i);
  while (out->len < target)
    {
      guint n_words = g_test_rand_int_range (1, 14);

      if (g_test_rand_int_range (0, 20) == 0)
        g_string_append_c (out, '.');
      for (guint w = 0; w < n_words; w++)
        g_string_append_printf (out, "%s%s", w > 0 ? " " : "",
                                words[g_test_rand_int_range (0, G_N_ELEMENTS (words))]);
      g_string_append (out, "\r\n");
    }
  return out;
}

static char *
checksum_of (const char *data,
             size_t      len)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, len);
}

static void
make_maildir (const char *path)
{
  for (guint i = 0; i < 3; i++)
    {
      static const char *const subdirs[] = { "tmp", "new", "cur" };
      g_autofree char         *sub = g_build_filename (path, subdirs[i], NULL);

      g_assert_cmpint (g_mkdir_with_parents (sub, 0700), ==, 0);
    }
}

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_build_filename (g_get_user_data_dir (), "crash-test", NULL);
  f->server_maildir = g_build_filename (f->dir, "server", NULL);
  f->local = g_build_filename (f->dir, "local", NULL);
  make_maildir (f->server_maildir);
  g_assert_cmpint (g_mkdir_with_parents (f->local, 0700), ==, 0);
  f->by_sum = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < N_MESSAGES; i++)
    {
      g_autoptr (GString) message = make_message (i);
      g_autofree char *path = NULL;

      f->names[i] = g_strdup_printf ("%u.M%uP%u.crash", 1700000000 + i, i, 4242);
      f->sums[i] = checksum_of (message->str, message->len);
      g_assert_false (g_hash_table_contains (f->by_sum, f->sums[i]));
      g_hash_table_insert (f->by_sum, f->sums[i], GUINT_TO_POINTER (i + 1));
      path = g_build_filename (f->server_maildir, "new", f->names[i], NULL);
      g_file_set_contents (path, message->str, message->len, &error);
      g_assert_no_error (error);
    }

  f->password_file = g_build_filename (f->dir, "password", NULL);
  g_file_set_contents (f->password_file, PASSWORD "\n", -1, &error);
  g_assert_no_error (error);

  /* No certificate: plain POP3, so the test measures the store, not TLS. */
  f->server = mw_mail_server_new (f->server_maildir);
  mw_mail_server_add_user (f->server, USER, PASSWORD);
  mw_mail_server_set_auth_failure_delay (f->server, 0);
  mw_mail_server_start (f->server, &error);
  g_assert_no_error (error);
  f->port = g_strdup_printf ("%u", mw_mail_server_get_pop3_port (f->server));
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  mw_mail_server_stop (f->server);
  g_assert_finalize_object (f->server);
  for (guint i = 0; i < N_MESSAGES; i++)
    {
      g_free (f->names[i]);
      g_free (f->sums[i]);
    }
  g_hash_table_unref (f->by_sum);
  g_free (f->dir);
  g_free (f->server_maildir);
  g_free (f->local);
  g_free (f->password_file);
  g_free (f->port);
}

/* Where a run of the CLI is killed. */
typedef enum
{
  KILL_NEVER,
  KILL_AFTER_DELAY,  /* a time after the start: login, listing, download */
  KILL_AFTER_STORED, /* after the Nth stored message: download, index save */
  KILL_AFTER_DELE,   /* after the Nth DELE was sent */
  KILL_AFTER_QUIT,   /* after QUIT was sent */
  N_KILL_MODES,
} KillMode;

static const char *const kill_mode_names[] = {
  "never",
  "delay",
  "stored",
  "dele",
  "quit",
};

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *out;
  GDataInputStream *err;
  GString          *err_text;
  GString          *out_text;
  KillMode          mode;
  guint             count;    /* the Nth event */
  guint             delay_ms; /* after the event */
  guint             seen;
  guint             timeout_id;
  gboolean          exited;
  gboolean          out_done;
  gboolean          err_done;
  gboolean          killed;
} Run;

static void
run_clear (Run *run)
{
  g_clear_handle_id (&run->timeout_id, g_source_remove);
  g_clear_object (&run->out);
  g_clear_object (&run->err);
  g_clear_object (&run->process);
  if (run->err_text != NULL)
    g_string_free (run->err_text, TRUE);
  if (run->out_text != NULL)
    g_string_free (run->out_text, TRUE);
  memset (run, 0, sizeof *run);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static gboolean
set_flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Lets the main context run for @ms milliseconds. */
static void
wait_ms (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_flag_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
kill_cb (gpointer user_data)
{
  Run *run = user_data;

  run->timeout_id = 0;
  if (!run->exited)
    {
      g_subprocess_force_exit (run->process);
      run->killed = TRUE;
    }
  return G_SOURCE_REMOVE;
}

static void
trigger (Run *run)
{
  if (++run->seen != run->count || run->timeout_id != 0)
    return;
  if (run->delay_ms == 0)
    kill_cb (run);
  else
    run->timeout_id = g_timeout_add (run->delay_ms, kill_cb, run);
}

static void read_line (Run              *run,
                       GDataInputStream *stream);

static void
line_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Run             *run = user_data;
  g_autofree char *line = NULL;
  gboolean         is_out = G_DATA_INPUT_STREAM (source) == run->out;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, NULL);
  if (line == NULL)
    {
      *(is_out ? &run->out_done : &run->err_done) = TRUE;
      return;
    }

  g_string_append_printf (is_out ? run->out_text : run->err_text, "%s\n", line);
  if ((run->mode == KILL_AFTER_STORED && is_out && g_str_has_prefix (line, "Stored message ")) ||
      (run->mode == KILL_AFTER_DELE && !is_out && g_str_has_prefix (line, "C: DELE ")) ||
      (run->mode == KILL_AFTER_QUIT && !is_out && g_str_equal (line, "C: QUIT")))
    trigger (run);
  read_line (run, G_DATA_INPUT_STREAM (source));
}

static void
read_line (Run              *run,
           GDataInputStream *stream)
{
  g_data_input_stream_read_line_async (stream, G_PRIORITY_DEFAULT, NULL, line_cb, run);
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Run *run = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  run->exited = TRUE;
}

static gboolean
deadline_cb (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs `mailwire-cli pop3 … fetch --maildir LOCAL` with @extra arguments,
 * kills it as @run->mode says and waits until it has gone. */
static void
run_fetch (Fixture           *f,
           Run               *run,
           const char *const *extra)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  const char       *cli = g_getenv ("MW_CLI");
  const char *const base[] = {
    "pop3",
    "-H",
    "127.0.0.1",
    "-p",
    f->port,
    "-s",
    "none",
    "--allow-plaintext",
    "-u",
    USER,
    "--password-file",
    f->password_file,
    "-v",
    "fetch",
    "--maildir",
    f->local,
  };
  g_auto (GStrv) wrapper = mw_test_wrapper_argv ();
  g_autofree char *pid = NULL;
  /* A memory checker slows the program down tenfold or more. */
  guint    timeout = RUN_TIMEOUT_SECONDS * (mw_test_wrapper_active () ? 10 : 1);
  gboolean expired = FALSE;
  guint    deadline_id;

  g_assert_nonnull (cli);
  for (guint i = 0; wrapper[i] != NULL; i++)
    g_ptr_array_add (argv, wrapper[i]);
  g_ptr_array_add (argv, (char *) cli);
  for (guint i = 0; i < G_N_ELEMENTS (base); i++)
    g_ptr_array_add (argv, (char *) base[i]);
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) extra[i]);
  g_ptr_array_add (argv, NULL);

  run->out_text = g_string_new (NULL);
  run->err_text = g_string_new (NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  run->process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  pid = g_strdup (g_subprocess_get_identifier (run->process));
  run->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (run->process));
  run->err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (run->process));
  read_line (run, run->out);
  read_line (run, run->err);
  g_subprocess_wait_async (run->process, NULL, wait_cb, run);

  if (run->mode == KILL_AFTER_DELAY)
    run->timeout_id = g_timeout_add (run->delay_ms, kill_cb, run);

  deadline_id = g_timeout_add_seconds (timeout, deadline_cb, &expired);
  while (!(run->exited && run->out_done && run->err_done) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (expired)
    {
      g_subprocess_force_exit (run->process);
      g_printerr ("%s%s", run->out_text->str, run->err_text->str);
      g_error ("mailwire-cli did not finish within %u seconds", timeout);
    }
  g_source_remove (deadline_id);
  g_clear_handle_id (&run->timeout_id, g_source_remove);
  /* A killed run leaves no report: memcheck dies with the program. */
  mw_test_wrapper_check (run->process, pid);

  if (run->killed)
    run->killed = g_subprocess_get_if_signaled (run->process);

  if (g_test_verbose () && !run->killed)
    g_printerr ("status %d\n%s", g_subprocess_get_exit_status (run->process), run->err_text->str);
}

static int
run_status (Run *run)
{
  g_assert_true (g_subprocess_get_if_exited (run->process));
  return g_subprocess_get_exit_status (run->process);
}

static GPtrArray *
list_messages (const char *maildir)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *sub = g_build_filename (maildir, i == 0 ? "new" : "cur", NULL);
      g_autoptr (GDir) dir = g_dir_open (sub, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        g_ptr_array_add (paths, g_build_filename (sub, name, NULL));
    }
  return paths;
}

/* Counts, per original message, its copies in the local Maildir, and checks
 * that every file in new/ and cur/ is a complete original. */
static guint *
count_local (Fixture *f)
{
  g_autoptr (GPtrArray) paths = list_messages (f->local);
  guint *counts = g_new0 (guint, N_MESSAGES);

  for (guint i = 0; i < paths->len; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *contents = NULL;
      g_autofree char *sum = NULL;
      size_t           len = 0;
      guint            index;

      g_file_get_contents (paths->pdata[i], &contents, &len, &error);
      g_assert_no_error (error);
      sum = checksum_of (contents, len);
      index = GPOINTER_TO_UINT (g_hash_table_lookup (f->by_sum, sum));
      if (index == 0)
        g_error ("%s (%zu bytes) is not a complete original message", (char *) paths->pdata[i], len);
      counts[index - 1]++;
    }
  return counts;
}

static gboolean
on_server (Fixture *f,
           guint    i)
{
  g_autofree char *path = g_build_filename (f->server_maildir, "new", f->names[i], NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static guint
count_on_server (Fixture *f)
{
  g_autoptr (GPtrArray) paths = list_messages (f->server_maildir);

  return paths->len;
}

/* The invariant after any kill: each original message is still on the
 * server or complete in the local Maildir. Returns the number of copies
 * beyond the first. */
static guint
check_nothing_lost (Fixture    *f,
                    const char *when)
{
  g_autofree guint *counts = count_local (f);
  guint             extra = 0;

  for (guint i = 0; i < N_MESSAGES; i++)
    {
      if (counts[i] == 0 && !on_server (f, i))
        g_error ("%s: message %u (%s) is neither on the server nor stored locally", when, i, f->names[i]);
      if (counts[i] > 1)
        extra += counts[i] - 1;
    }
  return extra;
}

/* The messages a run with the size limit @limit still downloads and
 * deletes, going by the server and the local Maildir. */
static void
count_pending (Fixture *f,
               guint64  limit,
               guint   *n_downloads,
               guint   *n_deletions)
{
  g_autofree guint *counts = count_local (f);

  *n_downloads = *n_deletions = 0;
  for (guint i = 0; i < N_MESSAGES; i++)
    {
      g_autofree char *path = g_build_filename (f->server_maildir, "new", f->names[i], NULL);
      GStatBuf         st;

      if (g_stat (path, &st) != 0 || (limit > 0 && (guint64) st.st_size > limit))
        continue;
      (*n_deletions)++;
      if (counts[i] == 0)
        (*n_downloads)++;
    }
}

/* Chooses where to kill round @r of a size limit, from what is left to
 * do: three kills while downloading, two while deleting, one after QUIT. */
static void
choose_kill (Run  *run,
             guint r,
             guint n_downloads,
             guint n_deletions)
{
  if (r < 3 && n_downloads > 0 && g_test_rand_int_range (0, 3) > 0)
    {
      run->mode = KILL_AFTER_STORED;
      run->count = g_test_rand_int_range (1, n_downloads + 1);
      run->delay_ms = g_test_rand_int_range (0, 3);
    }
  else if (r < 3 && n_downloads > 0)
    {
      run->mode = KILL_AFTER_DELAY;
      run->delay_ms = g_test_rand_int_range (0, 20 + n_downloads);
    }
  else if (r < 5 && n_deletions > 0)
    {
      run->mode = KILL_AFTER_DELE;
      run->count = g_test_rand_int_range (1, n_deletions + 1);
    }
  else
    {
      run->mode = KILL_AFTER_QUIT;
      run->count = 1;
      run->delay_ms = g_test_rand_int_range (0, 2);
    }
}

/* Every original message is stored exactly once.
 *
 * A kill after the message file was linked into new/ but before the UID
 * index was saved leaves a message the index does not know yet; its file
 * name carries the UID, so the next run adds it to the index instead of
 * downloading it again. */
static void
assert_each_once (Fixture *f)
{
  g_autofree guint *counts = count_local (f);
  guint             duplicates = 0;

  for (guint i = 0; i < N_MESSAGES; i++)
    {
      g_assert_cmpuint (counts[i], >, 0);
      if (counts[i] > 1)
        {
          g_test_message ("message %u (%s) is stored %u times", i, f->names[i], counts[i]);
          duplicates += counts[i] - 1;
        }
    }
  g_assert_cmpuint (duplicates, ==, 0);
}

/* Kills fetch --delete at random points, in rounds with a growing size
 * limit, so that downloads, index saves, DELE and QUIT are all hit more
 * than once. Replay a failure with the seed the TAP output names. */
static void
test_kill_delete (Fixture      *f,
                  gconstpointer data)
{
  static const char *const limits[] = { "1000", "3000", "8000", "25000", "70000", "0" };
  guint                    hits[N_KILL_MODES] = { 0 };
  guint                    rounds = 0;
  /* Under a memory checker, ten times slower, the smallest limit and none
   * still reach every kill point. */
  gboolean quick = mw_test_wrapper_active ();

  for (guint l = 0; l < G_N_ELEMENTS (limits); l++)
    {
      const char *const extra[] = { "--delete", "--max-size", limits[l], NULL };

      if (quick && l != 0 && l != G_N_ELEMENTS (limits) - 1)
        continue;

      for (guint r = 0; r < N_KILLED_ROUNDS; r++)
        {
          g_auto (Run) run = { 0 };
          g_autofree char *when = NULL;
          guint            n_downloads;
          guint            n_deletions;

          count_pending (f, g_ascii_strtoull (limits[l], NULL, 10), &n_downloads, &n_deletions);
          choose_kill (&run, r, n_downloads, n_deletions);
          run_fetch (f, &run, extra);
          rounds++;
          if (run.killed)
            hits[run.mode]++;
          when = g_strdup_printf ("round %u (limit %s, %s %u + %u ms, %s)", rounds, limits[l],
                                  kill_mode_names[run.mode], run.count, run.delay_ms,
                                  run.killed ? "killed" : "finished");
          g_test_message ("%s", when);
          check_nothing_lost (f, when);
        }
    }

  /* A last run that is not interrupted finishes the job. */
  {
    const char *const extra[] = { "--delete", NULL };
    g_auto (Run) run = { 0 };

    /* The server may not have noticed the last killed session yet and
     * still hold the maildrop: [IN-USE] clears when it does. */
    for (guint attempt = 0; attempt < 50; attempt++)
      {
        run_clear (&run);
        run_fetch (f, &run, extra);
        if (run_status (&run) != 1 || strstr (run.err_text->str, "IN-USE") == NULL)
          break;
        wait_ms (100);
      }
    if (run_status (&run) != 0)
      g_test_message ("last run: %s\n%s", run.out_text->str, run.err_text->str);
    g_assert_cmpint (run_status (&run), ==, 0);
  }

  g_test_message ("%u rounds; killed after delay %u, after stored %u, after DELE %u, after QUIT %u",
                  rounds, hits[KILL_AFTER_DELAY], hits[KILL_AFTER_STORED], hits[KILL_AFTER_DELE],
                  hits[KILL_AFTER_QUIT]);
  g_assert_cmpuint (count_on_server (f), ==, 0);
  assert_each_once (f);
}

/* Without --delete, a second run downloads nothing, also after a run that
 * was killed. */
static void
test_keep_twice (Fixture      *f,
                 gconstpointer data)
{
  g_auto (Run) killed = { 0 };
  g_auto (Run) first = { 0 };
  g_auto (Run) second = { 0 };

  killed.mode = KILL_AFTER_STORED;
  killed.count = g_test_rand_int_range (50, 300);
  run_fetch (f, &killed, NULL);
  check_nothing_lost (f, "killed keep run");

  run_fetch (f, &first, NULL);
  g_assert_cmpint (run_status (&first), ==, 0);
  run_fetch (f, &second, NULL);
  g_assert_cmpint (run_status (&second), ==, 0);
  g_assert_nonnull (strstr (second.out_text->str, "0 messages downloaded"));

  g_assert_cmpuint (count_on_server (f), ==, N_MESSAGES);
  assert_each_once (f);
}

/* A local Maildir on a full disk: a 256 KiB tmpfs, mounted in a mount
 * namespace of a child process, so that it goes away with the child even
 * when an assertion fails. Needs root, as CI has. */
static void
test_full_disk (Fixture      *f,
                gconstpointer data)
{
  const char *const extra[] = { "--delete", NULL };
  g_auto (Run) run = { 0 };
  g_autofree guint *counts = NULL;
  guint             stored = 0;

  if (!g_test_subprocess ())
    {
      if (geteuid () != 0)
        {
          g_test_skip ("mounting a small tmpfs needs root");
          return;
        }
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  if (unshare (CLONE_NEWNS) != 0 ||
      mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
      mount ("tmpfs", f->local, "tmpfs", 0, "size=256k,mode=0700") != 0)
    g_error ("Cannot mount a tmpfs on %s: %s", f->local, g_strerror (errno));

  run_fetch (f, &run, extra);
  g_test_message ("status %d: %s", run_status (&run), run.err_text->str);
  g_assert_cmpint (run_status (&run), ==, 1);
  g_assert_nonnull (strstr (run.err_text->str, "No space left on device"));
  g_assert_nonnull (strstr (run.err_text->str, "nothing was deleted"));
  g_assert_null (strstr (run.out_text->str, "Deleted message"));

  /* Everything is still on the server; what was stored is complete. */
  g_assert_cmpuint (count_on_server (f), ==, N_MESSAGES);
  counts = count_local (f);
  for (guint i = 0; i < N_MESSAGES; i++)
    {
      g_assert_cmpuint (counts[i], <=, 1);
      stored += counts[i];
    }
  g_test_message ("%u messages fitted", stored);
  g_assert_cmpuint (stored, <, N_MESSAGES);

  umount (f->local);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/cli/fetch-crash/kill-delete", test_kill_delete);
  ADD ("/cli/fetch-crash/keep-twice", test_keep_twice);
  ADD ("/cli/fetch-crash/full-disk", test_full_disk);
#undef ADD

  return g_test_run ();
}
