/* test-hostile.c: scripted servers that misbehave on purpose
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each row is a fake server's script, one client operation and the outcome
 * Mailwire must reach. Every row also checks what must never happen: a
 * hang past the timeout, memory that grows with what the server sends, the
 * password on an unencrypted connection that does not allow it, the
 * password in the transcript or an error, and injected bytes trusted.
 */

#include "config.h"

#include <string.h>
#include <sys/resource.h>
#include <valgrind/valgrind.h>

#include "mw-fake-server.h"
#include "mw-message-summary.h"
#include "mw-pop3-client-private.h"
#include "mw-sasl.h"
#include "mw-smtp-client.h"

#define USER     "tim"
#define PASSWORD "Hostile-Pa55-Secret"
/* base64 ("\0tim\0Hostile-Pa55-Secret") and base64 (PASSWORD). */
#define PLAIN_B64    "AHRpbQBIb3N0aWxlLVBhNTUtU2VjcmV0"
#define PASSWORD_B64 "SG9zdGlsZS1QYTU1LVNlY3JldA=="

/* The client's timeout in seconds, and how late an answer may come. */
#define TIMEOUT  1
#define SLACK_MS 1500
/* A row's operation may take this long when it should not wait at all. */
#define QUICK_MS 3000
/* How far the peak resident size may grow during one row: a listing may
 * be kept up to MW_POP3_MAX_LISTING (64 MB), far less than the hundreds
 * of megabytes the worst rows send. */
#define MAX_GROWTH_KB (128 * 1024)

#define MB (1024 * 1024)

#define POP3_GREETING "+OK hostile POP3 ready\r\n"
#define SMTP_GREETING "220 hostile.example ESMTP\r\n"
#define EHLO          "EHLO [127.0.0.1]"
#define MESSAGE       "Subject: hi\r\n\r\nHello.\r\n"

typedef enum
{
  POP3,
  SMTP,
} Protocol;

/* Sanitizers and valgrind slow everything down, TLS handshakes most: the
 * time bounds stretch by this factor. */
static guint
slowdown (void)
{
#if defined(__SANITIZE_ADDRESS__)
  return 4;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return 4;
#endif
#endif
  return RUNNING_ON_VALGRIND ? 20 : 1;
}

typedef enum
{
  OP_CONNECT,
  OP_STAT,
  OP_LIST,
  OP_UIDL,
  OP_TOP,
  OP_RETR,
  OP_LIST_THEN_TOP,
  OP_LIST_THEN_RETR,
  OP_DELE,
  OP_STAT_THEN_LIST,
  OP_PREVIEWS,
  OP_SEND,
  OP_SEND_LARGE,
  OP_NOOP,
  OP_HELP,
} Operation;

typedef enum
{
  D_NONE,
  D_POP3,
  D_SMTP,
  D_CONNECTION,
  D_IO,
  D_SASL,
} Domain;

typedef enum
{
  ROW_NONE = 0,
  /* The password may go out in clear: the row allows it. */
  ROW_ALLOW_PLAINTEXT = 1 << 0,
  /* The fake speaks TLS from the first byte. */
  ROW_IMPLICIT_TLS = 1 << 1,
  /* The client trusts the test CA and expects "localhost". */
  ROW_TRUST_CA = 1 << 2,
  /* Upgrade with STLS / STARTTLS. */
  ROW_STARTTLS = 1 << 3,
  /* The elapsed time must reach the timeout (a stalled server). */
  ROW_STALLS = 1 << 4,
  /* Log in before the operation, which is not part of the script's test. */
  ROW_LOGIN = 1 << 5,
} RowFlags;

typedef struct _Run Run;
typedef struct _Row Row;

struct _Row
{
  const char *path;
  Protocol    protocol;
  RowFlags    flags;
  const char *certificate; /* the fake's, or NULL */
  const char *mechanism;   /* forced on the client, or NULL */
  void (*script) (MwFakeServer *server);
  Operation op;
  Domain    domain; /* D_NONE: success */
  int       code;
  void (*check) (Run *run);
  /* What the script sends a while after the first reply, unasked: the
   * second command waits until it has left. */
  const char *idle_extra;
};

struct _Run
{
  const Row        *row;
  MwFakeServer     *server;
  MwTranscript     *transcript;
  MwPop3Client     *pop3;
  MwSmtpClient     *smtp;
  GError           *error;
  gboolean          ok;
  gint64            elapsed_ms;
  GArray           *entries;
  GPtrArray        *summaries;
  GOutputStream    *sink;
  MwSmtpSendResult *send_result;
  guint             count;
  guint64           size;
};

/* Waiting. */

typedef struct
{
  gboolean      done;
  GAsyncResult *result;
} Wait;

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

/* The longest any row may take before it counts as a hang. */
#define HANG_MS 120000

static GAsyncResult *
wait_result (Wait *wait)
{
  g_assert_true (mw_test_wait_for (&wait->done, HANG_MS));
  return wait->result;
}

static void
wait_clear (Wait *wait)
{
  g_clear_object (&wait->result);
  wait->done = FALSE;
}

static void
finalized_cb (gpointer data,
              GObject *where_the_object_was)
{
  *(gboolean *) data = TRUE;
}

/* Drops the last reference; callbacks still queued may hold one for a
 * moment. */
static void
assert_finalized (gpointer object)
{
  gboolean finalized = FALSE;

  g_object_weak_ref (object, finalized_cb, &finalized);
  g_object_unref (object);
  g_assert_true (mw_test_wait_for (&finalized, HANG_MS));
}

/* Waits until the fake has written the unasked reply, if the row has one.
 * @before was read once the first reply was in; the counter may lag
 * behind that reply, which is why the extra is longer than it. */
static void
wait_idle_extra (Run    *run,
                 guint64 before)
{
  gint64 deadline = g_get_monotonic_time () + HANG_MS * 1000;

  if (run->row->idle_extra == NULL)
    return;
  while (mw_fake_server_get_sent (run->server) < before + strlen (run->row->idle_extra) &&
         g_get_monotonic_time () < deadline)
    {
      gboolean never = FALSE;

      mw_test_wait_for (&never, 10);
    }
  g_assert_cmpuint (mw_fake_server_get_sent (run->server), >=, before + strlen (run->row->idle_extra));
}

static long
peak_rss_kb (void)
{
  struct rusage usage;

  g_assert_cmpint (getrusage (RUSAGE_SELF, &usage), ==, 0);
  return usage.ru_maxrss;
}

/* Scripts: POP3. */

static void
pop3_login (MwFakeServer *server)
{
  mw_fake_server_send (server, POP3_GREETING);
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "-ERR no CAPA here\r\n");
  mw_fake_server_expect (server, "USER " USER);
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_expect (server, "PASS " PASSWORD);
  mw_fake_server_send (server, "+OK logged in\r\n");
}

static void
pop3_silent_greeting (MwFakeServer *server)
{
  mw_fake_server_stall (server, 30000);
}

static void
pop3_silent_after_greeting (MwFakeServer *server)
{
  mw_fake_server_send (server, POP3_GREETING);
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_stall (server, 30000);
}

static void
pop3_endless_greeting (MwFakeServer *server)
{
  mw_fake_server_send (server, "+OK ");
  mw_fake_server_send_repeat (server, "A", 50 * MB);
  mw_fake_server_drain (server);
}

static void
check_endless (Run *run)
{
  /* The client gave up long before the 50 MB were sent. */
  g_assert_cmpuint (mw_fake_server_get_sent (run->server), <, 50 * MB);
}

static void
pop3_imap_greeting (MwFakeServer *server)
{
  mw_fake_server_send (server, "* OK [CAPABILITY IMAP4rev1] ready\r\n");
  mw_fake_server_drain (server);
}

static void
http_greeting (MwFakeServer *server)
{
  mw_fake_server_send (server,
                       "HTTP/1.1 400 Bad Request\r\n"
                       "Content-Type: text/html\r\n"
                       "Content-Length: 11\r\n"
                       "\r\n"
                       "<h1>no</h1>");
  mw_fake_server_drain (server);
}

static void
binary_greeting (MwFakeServer *server)
{
  static const guint8 garbage[] = {
    0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0xff,
    0xfe, 0x80, 0x00, 0x7f, 0x1b, 0x5b, 0x32, 0x4a, 0xc3, 0x28, 0xa0, 0xa1,
    0x0d, 0x0a
  };

  mw_fake_server_send_len (server, garbage, sizeof garbage);
  mw_fake_server_drain (server);
}

static void
pop3_nul_greeting (MwFakeServer *server)
{
  mw_fake_server_send_len (server, "+OK ready\0 <1.2@evil>\r\n", 23);
  mw_fake_server_drain (server);
}

static void
pop3_lone_cr_greeting (MwFakeServer *server)
{
  /* The lone CR must not split the line into a second reply. */
  mw_fake_server_send (server, "+OK ready\r-ERR injected\r\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "-ERR\r\n");
  mw_fake_server_expect (server, "USER " USER);
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_expect (server, "PASS " PASSWORD);
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_drain (server);
}

static void
check_logged_in (Run *run)
{
  g_assert_cmpint (mw_pop3_client_get_state (run->pop3), ==, MW_POP3_STATE_TRANSACTION);
}

static void
pop3_bare_lf_session (MwFakeServer *server)
{
  mw_fake_server_send (server, "+OK ready\n");
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "-ERR\n");
  mw_fake_server_expect (server, "USER " USER);
  mw_fake_server_send (server, "+OK\n");
  mw_fake_server_expect (server, "PASS " PASSWORD);
  mw_fake_server_send (server, "+OK\n");
  mw_fake_server_expect (server, "LIST");
  mw_fake_server_send (server, "+OK\n1 100\n2 200\n.\n");
  mw_fake_server_drain (server);
}

static void
check_two_entries (Run *run)
{
  g_assert_cmpuint (run->entries->len, ==, 2);
  g_assert_cmpuint (g_array_index (run->entries, MwPop3ListEntry, 0).number, ==, 1);
  g_assert_cmpuint (g_array_index (run->entries, MwPop3ListEntry, 0).size, ==, 100);
  g_assert_cmpuint (g_array_index (run->entries, MwPop3ListEntry, 1).number, ==, 2);
  g_assert_cmpuint (g_array_index (run->entries, MwPop3ListEntry, 1).size, ==, 200);
}

static void
pop3_one_byte_writes (MwFakeServer *server)
{
  mw_fake_server_send_split (server, POP3_GREETING, 1);
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send_split (server, "+OK\r\nUSER\r\nUIDL\r\n.\r\n", 1);
  mw_fake_server_expect (server, "USER " USER);
  mw_fake_server_send_split (server, "+OK\r\n", 1);
  mw_fake_server_expect (server, "PASS " PASSWORD);
  mw_fake_server_send_split (server, "+OK\r\n", 1);
  mw_fake_server_expect (server, "LIST");
  mw_fake_server_send_split (server, "+OK 2 messages\r\n1 100\r\n2 200\r\n.\r\n", 1);
  mw_fake_server_drain (server);
}

static void
pop3_capa_refused (MwFakeServer *server)
{
  pop3_login (server);
  mw_fake_server_drain (server);
}

static void
check_capa_fallback (Run *run)
{
  g_assert_false (mw_pop3_client_get_capa_known (run->pop3));
  g_assert_cmpstr (mw_pop3_client_get_mechanism_used (run->pop3), ==, "USER");
  g_assert_false (mw_pop3_client_is_pipelining (run->pop3));
}

static void
pop3_capa_unterminated (MwFakeServer *server)
{
  mw_fake_server_send (server, POP3_GREETING);
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nUSER\r\nTOP\r\n");
  mw_fake_server_stall (server, 30000);
}

static void
pop3_capa_endless (MwFakeServer *server)
{
  mw_fake_server_send (server, POP3_GREETING);
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_send_repeat (server, "X-FILLER\r\n", 20 * 1000 * 1000);
  mw_fake_server_drain (server);
}

static void
pop3_stls_refused (MwFakeServer *server)
{
  mw_fake_server_send (server, POP3_GREETING);
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nSTLS\r\nUSER\r\n.\r\n");
  mw_fake_server_expect (server, "STLS");
  mw_fake_server_send (server, "-ERR TLS is broken today\r\n");
  mw_fake_server_drain (server);
}

static void
pop3_stls_missing (MwFakeServer *server)
{
  mw_fake_server_send (server, POP3_GREETING);
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n");
  mw_fake_server_drain (server);
}

static void
pop3_stls_injection (MwFakeServer *server)
{
  mw_fake_server_send (server, POP3_GREETING);
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nSTLS\r\nUSER\r\n.\r\n");
  mw_fake_server_expect (server, "STLS");
  /* One write: the reply and a reply to the next command, still in clear. */
  mw_fake_server_send (server, "+OK begin TLS\r\n+OK injected-by-attacker\r\n");
  mw_fake_server_drain (server);
}

static void
check_injection_unseen (Run *run)
{
  g_autofree char *text = mw_transcript_to_text (run->transcript);

  g_assert_null (strstr (text, "injected-by-attacker"));
}

static void
pop3_tls_then_nothing (MwFakeServer *server)
{
  /* The handshake fails on the client's side: nothing more happens. */
  mw_fake_server_send (server, POP3_GREETING);
  mw_fake_server_drain (server);
}

static void
pop3_stls_bad_certificate (MwFakeServer *server)
{
  mw_fake_server_send (server, POP3_GREETING);
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nSTLS\r\nUSER\r\n.\r\n");
  mw_fake_server_expect (server, "STLS");
  mw_fake_server_send (server, "+OK begin TLS\r\n");
  mw_fake_server_start_tls (server);
  mw_fake_server_drain (server);
}

/* A logged-in session, one command and its hostile reply. */
#define POP3_REPLY(name, command, reply)     \
  static void                                \
  name (MwFakeServer *server)                \
  {                                          \
    pop3_login (server);                     \
    mw_fake_server_expect (server, command); \
    mw_fake_server_send (server, reply);     \
    mw_fake_server_drain (server);           \
  }

POP3_REPLY (pop3_stat_2_64, "STAT", "+OK 1 18446744073709551616\r\n")
POP3_REPLY (pop3_stat_negative, "STAT", "+OK -1 100\r\n")
POP3_REPLY (pop3_stat_non_numeric, "STAT", "+OK lots 0x100\r\n")
POP3_REPLY (pop3_list_2_64, "LIST", "+OK\r\n1 18446744073709551616\r\n.\r\n")
POP3_REPLY (pop3_list_negative, "LIST", "+OK\r\n-1 100\r\n.\r\n")
POP3_REPLY (pop3_list_non_numeric, "LIST", "+OK\r\n1 big\r\n.\r\n")
POP3_REPLY (pop3_list_duplicate, "LIST", "+OK\r\n1 100\r\n2 200\r\n1 300\r\n.\r\n")
POP3_REPLY (pop3_list_unterminated, "LIST", "+OK\r\n1 100\r\n2 200\r\n")
POP3_REPLY (pop3_uidl_duplicate_uid, "UIDL", "+OK\r\n1 same-uid\r\n2 same-uid\r\n.\r\n")
POP3_REPLY (pop3_uidl_duplicate_number, "UIDL", "+OK\r\n1 uid-a\r\n1 uid-b\r\n.\r\n")
POP3_REPLY (pop3_uidl_control, "UIDL", "+OK\r\n1 uid\033[2Ja\r\n.\r\n")
POP3_REPLY (pop3_uidl_space, "UIDL", "+OK\r\n1 uid with spaces\r\n.\r\n")
POP3_REPLY (pop3_top_unterminated, "TOP 1 0", "+OK\r\nSubject: never ends\r\n")
POP3_REPLY (pop3_retr_unterminated, "RETR 1", "+OK\r\nSubject: never ends\r\n\r\nline\r\n")
POP3_REPLY (pop3_status_garbage, "STAT", "OK 1 100\r\n")

static void
pop3_status_nul (MwFakeServer *server)
{
  pop3_login (server);
  mw_fake_server_expect (server, "STAT");
  mw_fake_server_send_len (server, "+OK 1 1\0\r\n", 10);
  mw_fake_server_drain (server);
}

static void
pop3_list_nul (MwFakeServer *server)
{
  pop3_login (server);
  mw_fake_server_expect (server, "LIST");
  static const char reply[] = "+OK\r\n1 100\r\n2 2\0\r\n.\r\n";

  mw_fake_server_send_len (server, reply, sizeof reply - 1);
  mw_fake_server_drain (server);
}

static void
pop3_retr_reset (MwFakeServer *server)
{
  pop3_login (server);
  mw_fake_server_expect (server, "RETR 1");
  mw_fake_server_send (server, "+OK 100000 octets\r\nSubject: cut\r\n\r\nfirst line\r\n");
  mw_fake_server_reset (server);
}

static void
pop3_retr_closed (MwFakeServer *server)
{
  pop3_login (server);
  mw_fake_server_expect (server, "RETR 1");
  mw_fake_server_send (server, "+OK\r\nSubject: cut\r\n\r\nfirst line\r\n");
  mw_fake_server_close (server);
}

/* Bodies longer than the size LIST announced. */

#define BODY_LINE "Line of a message body that goes on and on and on.\r\n"

static void
pop3_listed (MwFakeServer *server,
             const char   *size)
{
  g_autofree char *reply = g_strdup_printf ("+OK\r\n1 %s\r\n.\r\n", size);

  pop3_login (server);
  mw_fake_server_expect (server, "LIST");
  mw_fake_server_send (server, reply);
}

static void
pop3_retr_endless (MwFakeServer *server)
{
  pop3_listed (server, "1000");
  mw_fake_server_expect (server, "RETR 1");
  mw_fake_server_send (server, "+OK 1000 octets\r\nSubject: endless\r\n\r\n");
  mw_fake_server_send_repeat (server, BODY_LINE, MB);
  mw_fake_server_drain (server);
}

static void
pop3_top_endless (MwFakeServer *server)
{
  pop3_listed (server, "1000");
  mw_fake_server_expect (server, "TOP 1 0");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_send_repeat (server, "X-Filler: header after header after header\r\n", MB);
  mw_fake_server_drain (server);
}

static void
pop3_retr_ten_times (MwFakeServer *server)
{
  /* 10 MB, properly ended, for a message announced as 1 MB. */
  pop3_listed (server, "1000000");
  mw_fake_server_expect (server, "RETR 1");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_send_repeat (server, BODY_LINE, 10 * 1000 * 1000 / strlen (BODY_LINE));
  mw_fake_server_send (server, ".\r\n");
  mw_fake_server_drain (server);
}

static void
check_endless_body (Run *run)
{
  g_assert_cmpuint (mw_fake_server_get_sent (run->server), <, 50 * MB);
  /* The error says who, what was announced and what came. */
  g_assert_nonnull (strstr (run->error->message, "127.0.0.1"));
  g_assert_nonnull (strstr (run->error->message, "message 1"));
}

static void
check_endless_retr (Run *run)
{
  check_endless_body (run);
  g_assert_nonnull (strstr (run->error->message, " 1000 bytes"));
  g_assert_nonnull (strstr (run->error->message, "1050576"));
}

static void
check_ten_times (Run *run)
{
  g_assert_nonnull (strstr (run->error->message, "127.0.0.1"));
  g_assert_nonnull (strstr (run->error->message, " 1000000 bytes"));
  /* Stopped once past twice the size and the margin, not at the end. */
  g_assert_cmpuint (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (run->sink)), <=,
                    2 * 1000000 + MW_POP3_BODY_MARGIN);
}

/* The size LIST gives counts bare LFs; on the wire each line ends in
 * CRLF, so the body is a little longer than announced. */
#define LF_LINES 50000

static void
pop3_retr_crlf_counted (MwFakeServer *server)
{
  g_autofree char *size = g_strdup_printf ("%zu", LF_LINES * (strlen (BODY_LINE) - 1));

  pop3_listed (server, size);
  mw_fake_server_expect (server, "RETR 1");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_send_repeat (server, BODY_LINE, LF_LINES);
  mw_fake_server_send (server, ".\r\n");
  mw_fake_server_drain (server);
}

static void
check_crlf_counted (Run *run)
{
  g_assert_cmpuint (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (run->sink)), ==,
                    LF_LINES * strlen (BODY_LINE));
}

/* No LIST: the fixed bound, lowered for the test to 4 MB. */
static void
pop3_retr_endless_unlisted (MwFakeServer *server)
{
  pop3_login (server);
  mw_fake_server_expect (server, "RETR 1");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_send_repeat (server, BODY_LINE, MB);
  mw_fake_server_drain (server);
}

static void
check_endless_unlisted (Run *run)
{
  check_endless_body (run);
  g_assert_nonnull (strstr (run->error->message, "4194304"));
}

/* The size comes from an earlier session (the application's listing). */
static void
pop3_retr_endless_known (MwFakeServer *server)
{
  pop3_retr_endless_unlisted (server);
}

static void
check_endless_known (Run *run)
{
  check_endless_body (run);
  g_assert_nonnull (strstr (run->error->message, " 1000 bytes"));
}

/* Rescue: with the bound lifted, 3 MB for 100 announced bytes come in. */
static void
pop3_retr_unbounded (MwFakeServer *server)
{
  pop3_listed (server, "100");
  mw_fake_server_expect (server, "RETR 1");
  mw_fake_server_send (server, "+OK\r\n");
  mw_fake_server_send_repeat (server, BODY_LINE, 3 * MB / strlen (BODY_LINE));
  mw_fake_server_send (server, ".\r\n");
  mw_fake_server_drain (server);
}

static void
check_unbounded (Run *run)
{
  g_assert_cmpuint (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (run->sink)), ==,
                    3 * MB / strlen (BODY_LINE) * strlen (BODY_LINE));
}

static void
pop3_dele_silent (MwFakeServer *server)
{
  pop3_login (server);
  mw_fake_server_expect (server, "DELE 1");
  mw_fake_server_stall (server, 30000);
}

static void
pop3_list_huge (MwFakeServer *server)
{
  pop3_login (server);
  mw_fake_server_expect (server, "LIST");
  mw_fake_server_send (server, "+OK\r\n");
  /* 2,000,000 lines, then more without end. */
  mw_fake_server_send_repeat (server, "1999999 4294967296\r\n", 2000000);
  mw_fake_server_send_repeat (server, "1999999 4294967296\r\n", 10000000);
  mw_fake_server_drain (server);
}

static void
check_bounded_listing (Run *run)
{
  g_assert_cmpuint (mw_fake_server_get_sent (run->server), <, 200 * MB);
}

static void
pop3_extra_reply (MwFakeServer *server)
{
  pop3_login (server);
  mw_fake_server_expect (server, "STAT");
  /* A second reply nobody asked for, shaped to answer the next LIST. */
  mw_fake_server_send (server, "+OK 1 100\r\n+OK\r\n1 999999\r\n.\r\n");
  mw_fake_server_expect (server, "LIST");
  mw_fake_server_send (server, "+OK\r\n1 100\r\n.\r\n");
  mw_fake_server_drain (server);
}

/* Replies that come later, while the client is idle: the next command
 * must not take them for its reply. */
#define POP3_IDLE_EXTRA "+OK\r\n1 999999\r\n.\r\n"
#define POP3_IDLE_ERR   "-ERR Disconnected for inactivity.\r\n"

static void
pop3_unasked_idle (MwFakeServer *server)
{
  pop3_login (server);
  mw_fake_server_expect (server, "STAT");
  mw_fake_server_send (server, "+OK 1 100\r\n");
  mw_fake_server_stall (server, 300);
  mw_fake_server_send (server, POP3_IDLE_EXTRA);
  mw_fake_server_drain (server);
}

static void
pop3_autologout_idle (MwFakeServer *server)
{
  pop3_login (server);
  mw_fake_server_expect (server, "STAT");
  mw_fake_server_send (server, "+OK 1 100\r\n");
  mw_fake_server_stall (server, 300);
  mw_fake_server_send (server, POP3_IDLE_ERR);
  mw_fake_server_close (server);
}

static void
check_next_never_sent (Run *run)
{
  g_autofree char *received = mw_fake_server_get_received_string (run->server);
  g_autofree char *text = mw_transcript_to_text (run->transcript);

  g_assert_null (run->entries);
  g_assert_null (strstr (received, "LIST"));
  g_assert_null (strstr (received, "NOOP\r\nNOOP"));
  /* Only the first unasked line was read, and never as a reply. */
  g_assert_null (strstr (text, "1 999999"));
}

static void
check_autologout (Run *run)
{
  check_next_never_sent (run);
  g_assert_nonnull (strstr (run->error->message, "Disconnected for inactivity"));
}

/* The previews: STAT, LIST, UIDL, TOP one at a time (no CAPA). */
static void
pop3_previews_start (MwFakeServer *server,
                     const char   *stat,
                     const char   *list,
                     const char   *uidl)
{
  pop3_login (server);
  mw_fake_server_expect (server, "STAT");
  mw_fake_server_send (server, stat);
  mw_fake_server_expect (server, "LIST");
  mw_fake_server_send (server, list);
  mw_fake_server_expect (server, "UIDL");
  mw_fake_server_send (server, uidl);
}

static void
pop3_count_mismatch (MwFakeServer *server)
{
  pop3_previews_start (server, "+OK 3 600\r\n", "+OK\r\n1 100\r\n2 200\r\n.\r\n",
                       "+OK\r\n1 a\r\n2 b\r\n.\r\n");
  mw_fake_server_expect (server, "TOP 1 0");
  mw_fake_server_send (server, "+OK\r\nSubject: one\r\n\r\n.\r\n");
  mw_fake_server_expect (server, "TOP 2 0");
  mw_fake_server_send (server, "+OK\r\nSubject: two\r\n\r\n.\r\n");
  mw_fake_server_drain (server);
}

static void
check_count_mismatch (Run *run)
{
  g_assert_cmpuint (run->summaries->len, ==, 2);
  for (guint i = 0; i < run->summaries->len; i++)
    {
      MwMessageSummary *summary = g_ptr_array_index (run->summaries, i);

      g_assert_cmpuint (mw_message_summary_get_number (summary), ==, i + 1);
      g_assert_true (mw_message_summary_get_flags (summary) & MW_MESSAGE_FLAG_COUNT_MISMATCH);
    }
}

static void
pop3_list_beyond_stat (MwFakeServer *server)
{
  pop3_previews_start (server, "+OK 1 100\r\n", "+OK\r\n1 100\r\n7 700\r\n.\r\n",
                       "+OK\r\n1 a\r\n7 g\r\n.\r\n");
  mw_fake_server_expect (server, "TOP 1 0");
  mw_fake_server_send (server, "+OK\r\nSubject: one\r\n\r\n.\r\n");
  mw_fake_server_expect (server, "TOP 7 0");
  mw_fake_server_send (server, "+OK\r\nSubject: seven\r\n\r\n.\r\n");
  mw_fake_server_drain (server);
}

static void
check_beyond_stat (Run *run)
{
  static const guint numbers[] = { 1, 7 };

  /* LIST is trusted over STAT, and both messages say so. */
  g_assert_cmpuint (run->summaries->len, ==, 2);
  for (guint i = 0; i < run->summaries->len; i++)
    {
      MwMessageSummary *summary = g_ptr_array_index (run->summaries, i);

      g_assert_cmpuint (mw_message_summary_get_number (summary), ==, numbers[i]);
      g_assert_true (mw_message_summary_get_flags (summary) & MW_MESSAGE_FLAG_COUNT_MISMATCH);
    }
}

static void
pop3_top_refused (MwFakeServer *server)
{
  pop3_previews_start (server, "+OK 1 100\r\n", "+OK\r\n1 100\r\n.\r\n",
                       "+OK\r\n1 a\r\n.\r\n");
  mw_fake_server_expect (server, "TOP 1 0");
  mw_fake_server_send (server, "-ERR TOP is not for you\r\n");
  mw_fake_server_drain (server);
}

static void
check_no_headers (Run *run)
{
  MwMessageSummary *summary;

  g_assert_cmpuint (run->summaries->len, ==, 1);
  summary = g_ptr_array_index (run->summaries, 0);
  g_assert_cmpstr (mw_message_summary_get_uid (summary), ==, "a");
  g_assert_true (mw_message_summary_get_flags (summary) & MW_MESSAGE_FLAG_NO_HEADERS);
}

static void
pop3_unknown_mechanisms (MwFakeServer *server)
{
  mw_fake_server_send (server, POP3_GREETING);
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nSASL GSSAPI NTLM X-SECRET\r\n.\r\n");
  mw_fake_server_drain (server);
}

static void
pop3_bad_base64 (MwFakeServer *server)
{
  mw_fake_server_send (server, POP3_GREETING);
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nSASL CRAM-MD5\r\n.\r\n");
  mw_fake_server_expect (server, "AUTH CRAM-MD5");
  mw_fake_server_send (server, "+ !!not*base64!!\r\n");
  mw_fake_server_expect (server, "*");
  mw_fake_server_send (server, "-ERR cancelled\r\n");
  mw_fake_server_drain (server);
}

static void
pop3_challenge_loop (MwFakeServer *server)
{
  mw_fake_server_send (server, POP3_GREETING);
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nSASL CRAM-MD5\r\n.\r\n");
  mw_fake_server_expect (server, "AUTH CRAM-MD5");
  /* A challenge for every answer, for ever. */
  for (int i = 0; i < 100; i++)
    {
      mw_fake_server_send (server, "+ PDEyMzRAZXhhbXBsZT4=\r\n");
      mw_fake_server_expect_any (server);
    }
  mw_fake_server_drain (server);
}

static void
pop3_scram_nonce (MwFakeServer *server)
{
  /* "r=" does not start with the client's nonce. */
  g_autofree char *first = g_base64_encode ((const guchar *) "r=SomebodyElsesNonce,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", 54);
  g_autofree char *challenge = g_strconcat ("+ ", first, "\r\n", NULL);

  mw_fake_server_send (server, POP3_GREETING);
  mw_fake_server_expect (server, "CAPA");
  mw_fake_server_send (server, "+OK\r\nSASL SCRAM-SHA-256\r\n.\r\n");
  mw_fake_server_expect_any (server);
  mw_fake_server_send (server, challenge);
  mw_fake_server_expect (server, "*");
  mw_fake_server_send (server, "-ERR cancelled\r\n");
  mw_fake_server_drain (server);
}

static void
check_no_scram_proof (Run *run)
{
  g_autofree char *received = mw_fake_server_get_received_string (run->server);

  g_assert_nonnull (received);
  /* base64 ("c=biws,r="): the start of a client-final message. */
  g_assert_null (strstr (received, "Yz1iaXdzLHI9"));
}

/* Scripts: SMTP. */

static void
smtp_hello (MwFakeServer *server,
            const char   *caps)
{
  mw_fake_server_send (server, SMTP_GREETING);
  mw_fake_server_expect (server, EHLO);
  mw_fake_server_send (server, caps);
}

static void
smtp_endless_help (MwFakeServer *server)
{
  smtp_hello (server, "250 hostile.example\r\n");
  mw_fake_server_expect (server, "HELP");
  mw_fake_server_send_repeat (server, "214-Read the manual, then read it again\r\n", 10000000);
  mw_fake_server_drain (server);
}

static void
smtp_silent_after_greeting (MwFakeServer *server)
{
  mw_fake_server_send (server, SMTP_GREETING);
  mw_fake_server_expect (server, EHLO);
  mw_fake_server_stall (server, 30000);
}

static void
smtp_endless_greeting (MwFakeServer *server)
{
  mw_fake_server_send (server, "220 ");
  mw_fake_server_send_repeat (server, "A", 50 * MB);
  mw_fake_server_drain (server);
}

static void
smtp_greeting_554 (MwFakeServer *server)
{
  mw_fake_server_send (server, "554 no service for you\r\n");
  mw_fake_server_drain (server);
}

static void
smtp_greeting_pop3 (MwFakeServer *server)
{
  mw_fake_server_send (server, "+OK POP3 ready\r\n");
  mw_fake_server_drain (server);
}

static void
smtp_nul_greeting (MwFakeServer *server)
{
  mw_fake_server_send_len (server, "220 ready\0evil\r\n", 16);
  mw_fake_server_drain (server);
}

static void
smtp_lone_cr (MwFakeServer *server)
{
  mw_fake_server_send (server, "220 ready\r250 injected\r\n");
  mw_fake_server_drain (server);
}

static void
smtp_bare_lf (MwFakeServer *server)
{
  mw_fake_server_send (server, "220 ready\n");
  mw_fake_server_drain (server);
}

static void
smtp_one_byte_writes (MwFakeServer *server)
{
  mw_fake_server_send_split (server, SMTP_GREETING, 1);
  mw_fake_server_expect (server, EHLO);
  mw_fake_server_send_split (server, "250-hostile.example\r\n250-SIZE 1000\r\n250 8BITMIME\r\n", 1);
  mw_fake_server_expect_any (server);
  mw_fake_server_send_split (server, "250 2.1.0 OK\r\n", 1);
  mw_fake_server_expect (server, "RCPT TO:<you@example.net>");
  mw_fake_server_send_split (server, "250 2.1.5 OK\r\n", 1);
  mw_fake_server_expect (server, "DATA");
  mw_fake_server_send_split (server, "354 go ahead\r\n", 1);
  mw_fake_server_expect_until (server, ".");
  mw_fake_server_send_split (server, "250-2.0.0 queued\r\n250 2.0.0 as 12345\r\n", 1);
  mw_fake_server_drain (server);
}

static void
check_sent (Run *run)
{
  g_assert_cmpint (mw_smtp_send_result_get_final_reply (run->send_result)->code, ==, 250);
  g_assert_cmpuint (mw_smtp_send_result_get_n_accepted (run->send_result), ==, 1);
}

static void
smtp_inconsistent_codes (MwFakeServer *server)
{
  smtp_hello (server, "250-hostile.example\r\n251-PIPELINING\r\n250 SIZE 100\r\n");
  mw_fake_server_drain (server);
}

static void
smtp_ehlo_bare_code (MwFakeServer *server)
{
  smtp_hello (server, "250\r\n");
  mw_fake_server_drain (server);
}

static void
check_no_domain (Run *run)
{
  const MwSmtpCapabilities *caps = mw_smtp_client_get_capabilities (run->smtp);

  g_assert_nonnull (caps);
  g_assert_null (caps->keywords[0]);
}

static void
smtp_endless_multiline (MwFakeServer *server)
{
  mw_fake_server_send (server, SMTP_GREETING);
  mw_fake_server_expect (server, EHLO);
  mw_fake_server_send_repeat (server, "250-X-FILLER\r\n", 10000000);
  mw_fake_server_drain (server);
}

static void
smtp_starttls_454 (MwFakeServer *server)
{
  smtp_hello (server, "250-hostile.example\r\n250-AUTH PLAIN\r\n250 STARTTLS\r\n");
  mw_fake_server_expect (server, "STARTTLS");
  mw_fake_server_send (server, "454 4.7.0 TLS not available\r\n");
  mw_fake_server_drain (server);
}

static void
smtp_starttls_missing (MwFakeServer *server)
{
  smtp_hello (server, "250-hostile.example\r\n250 AUTH PLAIN LOGIN\r\n");
  mw_fake_server_drain (server);
}

static void
smtp_starttls_injection (MwFakeServer *server)
{
  smtp_hello (server, "250-hostile.example\r\n250 STARTTLS\r\n");
  mw_fake_server_expect (server, "STARTTLS");
  mw_fake_server_send (server, "220 go ahead\r\n250-injected-by-attacker\r\n250 AUTH PLAIN\r\n");
  mw_fake_server_drain (server);
}

static void
smtp_starttls_bad_certificate (MwFakeServer *server)
{
  smtp_hello (server, "250-hostile.example\r\n250 STARTTLS\r\n");
  mw_fake_server_expect (server, "STARTTLS");
  mw_fake_server_send (server, "220 go ahead\r\n");
  mw_fake_server_start_tls (server);
  mw_fake_server_drain (server);
}

static void
smtp_tls_then_nothing (MwFakeServer *server)
{
  mw_fake_server_send (server, SMTP_GREETING);
  mw_fake_server_drain (server);
}

static void
smtp_unknown_mechanisms (MwFakeServer *server)
{
  smtp_hello (server, "250-hostile.example\r\n250 AUTH GSSAPI NTLM X-SECRET\r\n");
  mw_fake_server_drain (server);
}

static void
smtp_bad_base64 (MwFakeServer *server)
{
  smtp_hello (server, "250-hostile.example\r\n250 AUTH CRAM-MD5\r\n");
  mw_fake_server_expect (server, "AUTH CRAM-MD5");
  mw_fake_server_send (server, "334 !!not*base64!!\r\n");
  mw_fake_server_expect (server, "*");
  mw_fake_server_send (server, "501 cancelled\r\n");
  mw_fake_server_drain (server);
}

static void
smtp_challenge_loop (MwFakeServer *server)
{
  smtp_hello (server, "250-hostile.example\r\n250 AUTH CRAM-MD5\r\n");
  mw_fake_server_expect (server, "AUTH CRAM-MD5");
  for (int i = 0; i < 100; i++)
    {
      mw_fake_server_send (server, "334 PDEyMzRAZXhhbXBsZT4=\r\n");
      mw_fake_server_expect_any (server);
    }
  mw_fake_server_drain (server);
}

static void
smtp_scram_nonce (MwFakeServer *server)
{
  g_autofree char *first = g_base64_encode ((const guchar *) "r=SomebodyElsesNonce,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", 54);
  g_autofree char *challenge = g_strconcat ("334 ", first, "\r\n", NULL);

  smtp_hello (server, "250-hostile.example\r\n250 AUTH SCRAM-SHA-256\r\n");
  mw_fake_server_expect_any (server);
  mw_fake_server_send (server, challenge);
  mw_fake_server_expect (server, "*");
  mw_fake_server_send (server, "501 cancelled\r\n");
  mw_fake_server_drain (server);
}

static void
smtp_421_mid_session (MwFakeServer *server)
{
  smtp_hello (server, "250 hostile.example\r\n");
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  mw_fake_server_send (server, "421 4.3.2 shutting down\r\n");
  mw_fake_server_drain (server);
}

static void
smtp_250_before_354 (MwFakeServer *server)
{
  smtp_hello (server, "250 hostile.example\r\n");
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "RCPT TO:<you@example.net>");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "DATA");
  mw_fake_server_send (server, "250 2.0.0 queued already\r\n");
  mw_fake_server_expect (server, "RSET");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_drain (server);
}

static void
check_no_message_sent (Run *run)
{
  g_autofree char *received = mw_fake_server_get_received_string (run->server);

  g_assert_null (strstr (received, "Hello."));
}

static void
smtp_reset_mid_data (MwFakeServer *server)
{
  smtp_hello (server, "250 hostile.example\r\n");
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "RCPT TO:<you@example.net>");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "DATA");
  mw_fake_server_send (server, "354 go ahead\r\n");
  mw_fake_server_expect_bytes (server, 1000);
  mw_fake_server_reset (server);
}

static void
smtp_close_mid_data (MwFakeServer *server)
{
  smtp_hello (server, "250 hostile.example\r\n");
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "RCPT TO:<you@example.net>");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "DATA");
  mw_fake_server_send (server, "354 go ahead\r\n");
  mw_fake_server_expect_bytes (server, 1000);
  mw_fake_server_close (server);
}

static void
smtp_final_never (MwFakeServer *server)
{
  smtp_hello (server, "250 hostile.example\r\n");
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "RCPT TO:<you@example.net>");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "DATA");
  mw_fake_server_send (server, "354 go ahead\r\n");
  mw_fake_server_expect_until (server, ".");
  mw_fake_server_stall (server, 30000);
}

static void
smtp_final_closed (MwFakeServer *server)
{
  smtp_hello (server, "250 hostile.example\r\n");
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "RCPT TO:<you@example.net>");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "DATA");
  mw_fake_server_send (server, "354 go ahead\r\n");
  mw_fake_server_expect_until (server, ".");
  mw_fake_server_close (server);
}

static void
smtp_pipelined_out_of_order (MwFakeServer *server)
{
  smtp_hello (server, "250-hostile.example\r\n250 PIPELINING\r\n");
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  mw_fake_server_expect (server, "RCPT TO:<you@example.net>");
  /* The answer to DATA first, before DATA was even sent. */
  mw_fake_server_send (server, "354 go ahead\r\n250 sender OK\r\n");
  mw_fake_server_expect (server, "RSET");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_drain (server);
}

static void
smtp_pipelined_too_many (MwFakeServer *server)
{
  smtp_hello (server, "250-hostile.example\r\n250 PIPELINING\r\n");
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  mw_fake_server_expect (server, "RCPT TO:<you@example.net>");
  /* One more reply than commands: it would answer DATA. */
  mw_fake_server_send (server, "250 sender OK\r\n250 recipient OK\r\n250 extra\r\n");
  mw_fake_server_expect (server, "DATA");
  mw_fake_server_send (server, "354 go ahead\r\n");
  mw_fake_server_drain (server);
}

static void
smtp_extra_after_final (MwFakeServer *server)
{
  smtp_hello (server, "250 hostile.example\r\n");
  mw_fake_server_expect (server, "NOOP");
  mw_fake_server_send (server, "250 OK\r\n250 nobody asked\r\n");
  mw_fake_server_drain (server);
}

#define SMTP_IDLE_EXTRA "250 nobody asked for this reply\r\n"
#define SMTP_IDLE_421   "421 4.4.2 hostile.example Error: timeout exceeded\r\n"

static void
smtp_unasked_idle (MwFakeServer *server)
{
  smtp_hello (server, "250 hostile.example\r\n");
  mw_fake_server_expect (server, "NOOP");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_stall (server, 300);
  mw_fake_server_send (server, SMTP_IDLE_EXTRA);
  mw_fake_server_drain (server);
}

static void
smtp_421_idle (MwFakeServer *server)
{
  smtp_hello (server, "250 hostile.example\r\n");
  mw_fake_server_expect (server, "NOOP");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_stall (server, 300);
  mw_fake_server_send (server, SMTP_IDLE_421);
  mw_fake_server_close (server);
}

static void
check_421_idle (Run *run)
{
  check_next_never_sent (run);
  g_assert_nonnull (strstr (run->error->message, "timeout exceeded"));
}

static void
smtp_reply_nul (MwFakeServer *server)
{
  smtp_hello (server, "250 hostile.example\r\n");
  mw_fake_server_expect (server, "NOOP");
  mw_fake_server_send_len (server, "250 O\0K\r\n", 9);
  mw_fake_server_drain (server);
}

static void
smtp_reply_bad_code (MwFakeServer *server)
{
  smtp_hello (server, "250 hostile.example\r\n");
  mw_fake_server_expect (server, "NOOP");
  mw_fake_server_send (server, "2500 OK\r\n");
  mw_fake_server_drain (server);
}

static void
smtp_rcpt_silent (MwFakeServer *server)
{
  smtp_hello (server, "250 hostile.example\r\n");
  mw_fake_server_expect (server, "MAIL FROM:<me@example.org>");
  mw_fake_server_send (server, "250 OK\r\n");
  mw_fake_server_expect (server, "RCPT TO:<you@example.net>");
  mw_fake_server_stall (server, 30000);
}

/* The table. */

#define ALLOW ROW_ALLOW_PLAINTEXT
#define TLS   (ROW_IMPLICIT_TLS | ROW_TRUST_CA)

static const Row rows[] = {
  /* POP3: before and around the greeting. */
  { "/core/hostile/pop3/greeting/silence", POP3, ALLOW | ROW_STALLS, NULL, NULL,
    pop3_silent_greeting, OP_CONNECT, D_IO, G_IO_ERROR_TIMED_OUT, NULL },
  { "/core/hostile/pop3/greeting/silence-after", POP3, ALLOW | ROW_STALLS, NULL, NULL,
    pop3_silent_after_greeting, OP_CONNECT, D_IO, G_IO_ERROR_TIMED_OUT, NULL },
  { "/core/hostile/pop3/greeting/endless-line", POP3, ALLOW, NULL, NULL,
    pop3_endless_greeting, OP_CONNECT, D_CONNECTION, MW_CONNECTION_ERROR_LINE_TOO_LONG, check_endless },
  { "/core/hostile/pop3/greeting/imap", POP3, ALLOW, NULL, NULL,
    pop3_imap_greeting, OP_CONNECT, D_POP3, MW_POP3_ERROR_PROTOCOL, NULL },
  { "/core/hostile/pop3/greeting/http", POP3, ALLOW, NULL, NULL,
    http_greeting, OP_CONNECT, D_POP3, MW_POP3_ERROR_PROTOCOL, NULL },
  { "/core/hostile/pop3/greeting/binary", POP3, ALLOW, NULL, NULL,
    binary_greeting, OP_CONNECT, D_POP3, MW_POP3_ERROR_PROTOCOL, NULL },
  { "/core/hostile/pop3/greeting/nul", POP3, ALLOW, NULL, NULL,
    pop3_nul_greeting, OP_CONNECT, D_POP3, MW_POP3_ERROR_PROTOCOL, NULL },
  { "/core/hostile/pop3/greeting/lone-cr", POP3, ALLOW, NULL, NULL,
    pop3_lone_cr_greeting, OP_CONNECT, D_NONE, 0, check_logged_in },
  { "/core/hostile/pop3/session/bare-lf", POP3, ALLOW, NULL, NULL,
    pop3_bare_lf_session, OP_LIST, D_NONE, 0, check_two_entries },
  { "/core/hostile/pop3/session/one-byte-writes", POP3, ALLOW, NULL, NULL,
    pop3_one_byte_writes, OP_LIST, D_NONE, 0, check_two_entries },
  /* CAPA. */
  { "/core/hostile/pop3/capa/refused", POP3, ALLOW, NULL, NULL,
    pop3_capa_refused, OP_CONNECT, D_NONE, 0, check_capa_fallback },
  { "/core/hostile/pop3/capa/unterminated", POP3, ALLOW | ROW_STALLS, NULL, NULL,
    pop3_capa_unterminated, OP_CONNECT, D_IO, G_IO_ERROR_TIMED_OUT, NULL },
  { "/core/hostile/pop3/capa/endless", POP3, ALLOW, NULL, NULL,
    pop3_capa_endless, OP_CONNECT, D_CONNECTION, MW_CONNECTION_ERROR_PROTOCOL, check_bounded_listing },
  /* STLS and certificates: the password never goes out. */
  { "/core/hostile/pop3/stls/refused", POP3, ROW_STARTTLS, "server", NULL,
    pop3_stls_refused, OP_CONNECT, D_POP3, MW_POP3_ERROR_STARTTLS_UNAVAILABLE, NULL },
  { "/core/hostile/pop3/stls/missing", POP3, ROW_STARTTLS, "server", NULL,
    pop3_stls_missing, OP_CONNECT, D_POP3, MW_POP3_ERROR_STARTTLS_UNAVAILABLE, NULL },
  { "/core/hostile/pop3/stls/injection", POP3, ROW_STARTTLS | ROW_TRUST_CA, "server", NULL,
    pop3_stls_injection, OP_CONNECT, D_CONNECTION, MW_CONNECTION_ERROR_STARTTLS_INJECTION, check_injection_unseen },
  { "/core/hostile/pop3/stls/expired", POP3, ROW_STARTTLS | ROW_TRUST_CA, "expired", NULL,
    pop3_stls_bad_certificate, OP_CONNECT, D_CONNECTION, MW_CONNECTION_ERROR_CERTIFICATE, NULL },
  { "/core/hostile/pop3/tls/expired", POP3, TLS, "expired", NULL,
    pop3_tls_then_nothing, OP_CONNECT, D_CONNECTION, MW_CONNECTION_ERROR_CERTIFICATE, NULL },
  { "/core/hostile/pop3/tls/wrong-host", POP3, TLS, "wronghost", NULL,
    pop3_tls_then_nothing, OP_CONNECT, D_CONNECTION, MW_CONNECTION_ERROR_CERTIFICATE, NULL },
  { "/core/hostile/pop3/tls/self-signed", POP3, TLS, "selfsigned", NULL,
    pop3_tls_then_nothing, OP_CONNECT, D_CONNECTION, MW_CONNECTION_ERROR_CERTIFICATE, NULL },
  { "/core/hostile/pop3/tls/unknown-ca", POP3, ROW_IMPLICIT_TLS, "server", NULL,
    pop3_tls_then_nothing, OP_CONNECT, D_CONNECTION, MW_CONNECTION_ERROR_CERTIFICATE, NULL },
  /* Replies of the wrong shape. */
  { "/core/hostile/pop3/status/garbage", POP3, ALLOW, NULL, NULL,
    pop3_status_garbage, OP_STAT, D_POP3, MW_POP3_ERROR_PROTOCOL, NULL },
  { "/core/hostile/pop3/status/nul", POP3, ALLOW, NULL, NULL,
    pop3_status_nul, OP_STAT, D_POP3, MW_POP3_ERROR_PROTOCOL, NULL },
  { "/core/hostile/pop3/stat/size-2-64", POP3, ALLOW, NULL, NULL,
    pop3_stat_2_64, OP_STAT, D_POP3, MW_POP3_ERROR_PROTOCOL, NULL },
  { "/core/hostile/pop3/stat/negative", POP3, ALLOW, NULL, NULL,
    pop3_stat_negative, OP_STAT, D_POP3, MW_POP3_ERROR_PROTOCOL, NULL },
  { "/core/hostile/pop3/stat/non-numeric", POP3, ALLOW, NULL, NULL,
    pop3_stat_non_numeric, OP_STAT, D_POP3, MW_POP3_ERROR_PROTOCOL, NULL },
  { "/core/hostile/pop3/list/size-2-64", POP3, ALLOW, NULL, NULL,
    pop3_list_2_64, OP_LIST, D_POP3, MW_POP3_ERROR_PROTOCOL, NULL },
  { "/core/hostile/pop3/list/negative", POP3, ALLOW, NULL, NULL,
    pop3_list_negative, OP_LIST, D_POP3, MW_POP3_ERROR_PROTOCOL, NULL },
  { "/core/hostile/pop3/list/non-numeric", POP3, ALLOW, NULL, NULL,
    pop3_list_non_numeric, OP_LIST, D_POP3, MW_POP3_ERROR_PROTOCOL, NULL },
  { "/core/hostile/pop3/list/duplicate-number", POP3, ALLOW, NULL, NULL,
    pop3_list_duplicate, OP_LIST, D_POP3, MW_POP3_ERROR_PROTOCOL, NULL },
  { "/core/hostile/pop3/list/nul", POP3, ALLOW, NULL, NULL,
    pop3_list_nul, OP_LIST, D_POP3, MW_POP3_ERROR_PROTOCOL, NULL },
  { "/core/hostile/pop3/list/unterminated", POP3, ALLOW | ROW_STALLS, NULL, NULL,
    pop3_list_unterminated, OP_LIST, D_IO, G_IO_ERROR_TIMED_OUT, NULL },
  { "/core/hostile/pop3/list/millions", POP3, ALLOW, NULL, NULL,
    pop3_list_huge, OP_LIST, D_CONNECTION, MW_CONNECTION_ERROR_PROTOCOL, check_bounded_listing },
  { "/core/hostile/pop3/list/count-mismatch", POP3, ALLOW, NULL, NULL,
    pop3_count_mismatch, OP_PREVIEWS, D_NONE, 0, check_count_mismatch },
  { "/core/hostile/pop3/list/beyond-stat", POP3, ALLOW, NULL, NULL,
    pop3_list_beyond_stat, OP_PREVIEWS, D_NONE, 0, check_beyond_stat },
  { "/core/hostile/pop3/uidl/duplicate-uid", POP3, ALLOW, NULL, NULL,
    pop3_uidl_duplicate_uid, OP_UIDL, D_POP3, MW_POP3_ERROR_PROTOCOL, NULL },
  { "/core/hostile/pop3/uidl/duplicate-number", POP3, ALLOW, NULL, NULL,
    pop3_uidl_duplicate_number, OP_UIDL, D_POP3, MW_POP3_ERROR_PROTOCOL, NULL },
  { "/core/hostile/pop3/uidl/control-bytes", POP3, ALLOW, NULL, NULL,
    pop3_uidl_control, OP_UIDL, D_POP3, MW_POP3_ERROR_PROTOCOL, NULL },
  { "/core/hostile/pop3/uidl/spaces", POP3, ALLOW, NULL, NULL,
    pop3_uidl_space, OP_UIDL, D_POP3, MW_POP3_ERROR_PROTOCOL, NULL },
  { "/core/hostile/pop3/top/refused", POP3, ALLOW, NULL, NULL,
    pop3_top_refused, OP_PREVIEWS, D_NONE, 0, check_no_headers },
  { "/core/hostile/pop3/top/unterminated", POP3, ALLOW | ROW_STALLS, NULL, NULL,
    pop3_top_unterminated, OP_TOP, D_IO, G_IO_ERROR_TIMED_OUT, NULL },
  { "/core/hostile/pop3/retr/unterminated", POP3, ALLOW | ROW_STALLS, NULL, NULL,
    pop3_retr_unterminated, OP_RETR, D_IO, G_IO_ERROR_TIMED_OUT, NULL },
  { "/core/hostile/pop3/retr/reset", POP3, ALLOW, NULL, NULL,
    pop3_retr_reset, OP_RETR, D_CONNECTION, MW_CONNECTION_ERROR_CLOSED, NULL },
  { "/core/hostile/pop3/retr/closed", POP3, ALLOW, NULL, NULL,
    pop3_retr_closed, OP_RETR, D_CONNECTION, MW_CONNECTION_ERROR_CLOSED, NULL },
  { "/core/hostile/pop3/retr/endless", POP3, ALLOW, NULL, NULL,
    pop3_retr_endless, OP_LIST_THEN_RETR, D_POP3, MW_POP3_ERROR_PROTOCOL, check_endless_retr },
  { "/core/hostile/pop3/retr/ten-times-announced", POP3, ALLOW, NULL, NULL,
    pop3_retr_ten_times, OP_LIST_THEN_RETR, D_POP3, MW_POP3_ERROR_PROTOCOL, check_ten_times },
  { "/core/hostile/pop3/retr/crlf-counted", POP3, ALLOW, NULL, NULL,
    pop3_retr_crlf_counted, OP_LIST_THEN_RETR, D_NONE, 0, check_crlf_counted },
  { "/core/hostile/pop3/retr/endless-unlisted", POP3, ALLOW, NULL, NULL,
    pop3_retr_endless_unlisted, OP_RETR, D_POP3, MW_POP3_ERROR_PROTOCOL, check_endless_unlisted },
  { "/core/hostile/pop3/retr/endless-known-size", POP3, ALLOW, NULL, NULL,
    pop3_retr_endless_known, OP_RETR, D_POP3, MW_POP3_ERROR_PROTOCOL, check_endless_known },
  { "/core/hostile/pop3/retr/no-size-limit", POP3, ALLOW, NULL, NULL,
    pop3_retr_unbounded, OP_LIST_THEN_RETR, D_NONE, 0, check_unbounded },
  { "/core/hostile/pop3/top/endless", POP3, ALLOW, NULL, NULL,
    pop3_top_endless, OP_LIST_THEN_TOP, D_POP3, MW_POP3_ERROR_PROTOCOL, check_endless_body },
  { "/core/hostile/pop3/dele/silence", POP3, ALLOW | ROW_STALLS, NULL, NULL,
    pop3_dele_silent, OP_DELE, D_IO, G_IO_ERROR_TIMED_OUT, NULL },
  { "/core/hostile/pop3/reply/unasked", POP3, ALLOW, NULL, NULL,
    pop3_extra_reply, OP_STAT_THEN_LIST, D_POP3, MW_POP3_ERROR_PROTOCOL, NULL },
  { "/core/hostile/pop3/reply/unasked-while-idle", POP3, ALLOW, NULL, NULL,
    pop3_unasked_idle, OP_STAT_THEN_LIST, D_POP3, MW_POP3_ERROR_PROTOCOL, check_next_never_sent,
    POP3_IDLE_EXTRA },
  { "/core/hostile/pop3/reply/autologout-while-idle", POP3, ALLOW, NULL, NULL,
    pop3_autologout_idle, OP_STAT_THEN_LIST, D_CONNECTION, MW_CONNECTION_ERROR_CLOSED, check_autologout,
    POP3_IDLE_ERR },
  /* POP3 SASL. */
  { "/core/hostile/pop3/auth/unknown-mechanisms", POP3, ROW_NONE, NULL, NULL,
    pop3_unknown_mechanisms, OP_CONNECT, D_POP3, MW_POP3_ERROR_NO_MECHANISM, NULL },
  { "/core/hostile/pop3/auth/bad-base64", POP3, ROW_NONE, NULL, NULL,
    pop3_bad_base64, OP_CONNECT, D_SASL, MW_SASL_ERROR_BAD_BASE64, NULL },
  { "/core/hostile/pop3/auth/challenge-loop", POP3, ROW_NONE, NULL, NULL,
    pop3_challenge_loop, OP_CONNECT, D_POP3, MW_POP3_ERROR_PROTOCOL, NULL },
  { "/core/hostile/pop3/auth/scram-nonce", POP3, TLS, "server", NULL,
    pop3_scram_nonce, OP_CONNECT, D_SASL, MW_SASL_ERROR_BAD_CHALLENGE, check_no_scram_proof },

  /* SMTP. */
  { "/core/hostile/smtp/greeting/silence", SMTP, ROW_STALLS, NULL, NULL,
    pop3_silent_greeting, OP_CONNECT, D_IO, G_IO_ERROR_TIMED_OUT, NULL },
  { "/core/hostile/smtp/greeting/silence-after", SMTP, ROW_STALLS, NULL, NULL,
    smtp_silent_after_greeting, OP_CONNECT, D_IO, G_IO_ERROR_TIMED_OUT, NULL },
  { "/core/hostile/smtp/greeting/endless-line", SMTP, ROW_NONE, NULL, NULL,
    smtp_endless_greeting, OP_CONNECT, D_CONNECTION, MW_CONNECTION_ERROR_LINE_TOO_LONG, check_endless },
  { "/core/hostile/smtp/greeting/554", SMTP, ROW_NONE, NULL, NULL,
    smtp_greeting_554, OP_CONNECT, D_SMTP, MW_SMTP_ERROR_GREETING_REFUSED, NULL },
  { "/core/hostile/smtp/greeting/pop3", SMTP, ROW_NONE, NULL, NULL,
    smtp_greeting_pop3, OP_CONNECT, D_SMTP, MW_SMTP_ERROR_PROTOCOL, NULL },
  { "/core/hostile/smtp/greeting/http", SMTP, ROW_NONE, NULL, NULL,
    http_greeting, OP_CONNECT, D_SMTP, MW_SMTP_ERROR_PROTOCOL, NULL },
  { "/core/hostile/smtp/greeting/binary", SMTP, ROW_NONE, NULL, NULL,
    binary_greeting, OP_CONNECT, D_SMTP, MW_SMTP_ERROR_PROTOCOL, NULL },
  { "/core/hostile/smtp/greeting/nul", SMTP, ROW_NONE, NULL, NULL,
    smtp_nul_greeting, OP_CONNECT, D_SMTP, MW_SMTP_ERROR_PROTOCOL, NULL },
  { "/core/hostile/smtp/greeting/lone-cr", SMTP, ROW_NONE, NULL, NULL,
    smtp_lone_cr, OP_CONNECT, D_SMTP, MW_SMTP_ERROR_PROTOCOL, NULL },
  { "/core/hostile/smtp/greeting/bare-lf", SMTP, ROW_NONE, NULL, NULL,
    smtp_bare_lf, OP_CONNECT, D_SMTP, MW_SMTP_ERROR_PROTOCOL, NULL },
  { "/core/hostile/smtp/session/one-byte-writes", SMTP, ROW_NONE, NULL, NULL,
    smtp_one_byte_writes, OP_SEND, D_NONE, 0, check_sent },
  { "/core/hostile/smtp/ehlo/inconsistent-codes", SMTP, ROW_NONE, NULL, NULL,
    smtp_inconsistent_codes, OP_CONNECT, D_SMTP, MW_SMTP_ERROR_PROTOCOL, NULL },
  { "/core/hostile/smtp/ehlo/bare-code", SMTP, ROW_NONE, NULL, NULL,
    smtp_ehlo_bare_code, OP_CONNECT, D_NONE, 0, check_no_domain },
  { "/core/hostile/smtp/ehlo/endless-multiline", SMTP, ROW_NONE, NULL, NULL,
    smtp_endless_multiline, OP_CONNECT, D_SMTP, MW_SMTP_ERROR_PROTOCOL, check_bounded_listing },
  { "/core/hostile/smtp/help/endless-multiline", SMTP, ROW_NONE, NULL, NULL,
    smtp_endless_help, OP_HELP, D_SMTP, MW_SMTP_ERROR_PROTOCOL, check_bounded_listing },
  { "/core/hostile/smtp/starttls/454", SMTP, ROW_STARTTLS, "server", NULL,
    smtp_starttls_454, OP_CONNECT, D_SMTP, MW_SMTP_ERROR_STARTTLS_FAILED, NULL },
  { "/core/hostile/smtp/starttls/missing", SMTP, ROW_STARTTLS, "server", NULL,
    smtp_starttls_missing, OP_CONNECT, D_SMTP, MW_SMTP_ERROR_STARTTLS_UNAVAILABLE, NULL },
  { "/core/hostile/smtp/starttls/injection", SMTP, ROW_STARTTLS | ROW_TRUST_CA, "server", NULL,
    smtp_starttls_injection, OP_CONNECT, D_CONNECTION, MW_CONNECTION_ERROR_STARTTLS_INJECTION, check_injection_unseen },
  { "/core/hostile/smtp/starttls/wrong-host", SMTP, ROW_STARTTLS | ROW_TRUST_CA, "wronghost", NULL,
    smtp_starttls_bad_certificate, OP_CONNECT, D_CONNECTION, MW_CONNECTION_ERROR_CERTIFICATE, NULL },
  { "/core/hostile/smtp/tls/expired", SMTP, TLS, "expired", NULL,
    smtp_tls_then_nothing, OP_CONNECT, D_CONNECTION, MW_CONNECTION_ERROR_CERTIFICATE, NULL },
  { "/core/hostile/smtp/tls/self-signed", SMTP, TLS, "selfsigned", NULL,
    smtp_tls_then_nothing, OP_CONNECT, D_CONNECTION, MW_CONNECTION_ERROR_CERTIFICATE, NULL },
  { "/core/hostile/smtp/tls/unknown-ca", SMTP, ROW_IMPLICIT_TLS, "server", NULL,
    smtp_tls_then_nothing, OP_CONNECT, D_CONNECTION, MW_CONNECTION_ERROR_CERTIFICATE, NULL },
  { "/core/hostile/smtp/auth/unknown-mechanisms", SMTP, ROW_NONE, NULL, NULL,
    smtp_unknown_mechanisms, OP_CONNECT, D_SMTP, MW_SMTP_ERROR_NO_MECHANISM, NULL },
  { "/core/hostile/smtp/auth/bad-base64", SMTP, ROW_NONE, NULL, NULL,
    smtp_bad_base64, OP_CONNECT, D_SMTP, MW_SMTP_ERROR_PROTOCOL, NULL },
  { "/core/hostile/smtp/auth/challenge-loop", SMTP, ROW_NONE, NULL, NULL,
    smtp_challenge_loop, OP_CONNECT, D_SMTP, MW_SMTP_ERROR_PROTOCOL, NULL },
  { "/core/hostile/smtp/auth/scram-nonce", SMTP, TLS, "server", NULL,
    smtp_scram_nonce, OP_CONNECT, D_SMTP, MW_SMTP_ERROR_PROTOCOL, check_no_scram_proof },
  { "/core/hostile/smtp/mail/421", SMTP, ROW_NONE, NULL, NULL,
    smtp_421_mid_session, OP_SEND, D_SMTP, MW_SMTP_ERROR_SERVICE_UNAVAILABLE, NULL },
  { "/core/hostile/smtp/rcpt/silence", SMTP, ROW_STALLS, NULL, NULL,
    smtp_rcpt_silent, OP_SEND, D_IO, G_IO_ERROR_TIMED_OUT, NULL },
  { "/core/hostile/smtp/data/250-before-354", SMTP, ROW_NONE, NULL, NULL,
    smtp_250_before_354, OP_SEND, D_SMTP, MW_SMTP_ERROR_MESSAGE_REFUSED, check_no_message_sent },
  { "/core/hostile/smtp/data/reset", SMTP, ROW_NONE, NULL, NULL,
    smtp_reset_mid_data, OP_SEND_LARGE, D_CONNECTION, MW_CONNECTION_ERROR_CLOSED, NULL },
  { "/core/hostile/smtp/data/closed", SMTP, ROW_NONE, NULL, NULL,
    smtp_close_mid_data, OP_SEND_LARGE, D_CONNECTION, MW_CONNECTION_ERROR_CLOSED, NULL },
  { "/core/hostile/smtp/data/final-never", SMTP, ROW_STALLS, NULL, NULL,
    smtp_final_never, OP_SEND, D_SMTP, MW_SMTP_ERROR_DELIVERY_UNCERTAIN, NULL },
  { "/core/hostile/smtp/data/final-closed", SMTP, ROW_NONE, NULL, NULL,
    smtp_final_closed, OP_SEND, D_SMTP, MW_SMTP_ERROR_DELIVERY_UNCERTAIN, NULL },
  { "/core/hostile/smtp/pipelining/out-of-order", SMTP, ROW_NONE, NULL, NULL,
    smtp_pipelined_out_of_order, OP_SEND, D_SMTP, MW_SMTP_ERROR_SENDER_REFUSED, check_no_message_sent },
  { "/core/hostile/smtp/pipelining/too-many", SMTP, ROW_NONE, NULL, NULL,
    smtp_pipelined_too_many, OP_SEND, D_SMTP, MW_SMTP_ERROR_PROTOCOL, check_no_message_sent },
  { "/core/hostile/smtp/reply/unasked", SMTP, ROW_NONE, NULL, NULL,
    smtp_extra_after_final, OP_NOOP, D_SMTP, MW_SMTP_ERROR_PROTOCOL, NULL },
  { "/core/hostile/smtp/reply/unasked-while-idle", SMTP, ROW_NONE, NULL, NULL,
    smtp_unasked_idle, OP_NOOP, D_SMTP, MW_SMTP_ERROR_PROTOCOL, check_next_never_sent,
    SMTP_IDLE_EXTRA },
  { "/core/hostile/smtp/reply/421-while-idle", SMTP, ROW_NONE, NULL, NULL,
    smtp_421_idle, OP_NOOP, D_SMTP, MW_SMTP_ERROR_SERVICE_UNAVAILABLE, check_421_idle,
    SMTP_IDLE_421 },
  { "/core/hostile/smtp/reply/nul", SMTP, ROW_NONE, NULL, NULL,
    smtp_reply_nul, OP_NOOP, D_SMTP, MW_SMTP_ERROR_PROTOCOL, NULL },
  { "/core/hostile/smtp/reply/bad-code", SMTP, ROW_NONE, NULL, NULL,
    smtp_reply_bad_code, OP_NOOP, D_SMTP, MW_SMTP_ERROR_PROTOCOL, NULL },
};

/* Running a row. */

static GQuark
domain_quark (Domain domain)
{
  switch (domain)
    {
    case D_POP3:
      return MW_POP3_ERROR;
    case D_SMTP:
      return MW_SMTP_ERROR;
    case D_CONNECTION:
      return MW_CONNECTION_ERROR;
    case D_IO:
      return G_IO_ERROR;
    case D_SASL:
      return MW_SASL_ERROR;
    case D_NONE:
    default:
      return 0;
    }
}

static MwSecurity
row_security (const Row *row)
{
  if (row->flags & ROW_IMPLICIT_TLS)
    return MW_SECURITY_TLS;
  if (row->flags & ROW_STARTTLS)
    return MW_SECURITY_STARTTLS;
  return MW_SECURITY_NONE;
}

/* Only rows about a stalled server wait for the short timeout; the others
 * must end by themselves, well before a long one. */
static guint
row_timeout (const Row *row)
{
  return (row->flags & ROW_STALLS) ? TIMEOUT : 10 * slowdown ();
}

static void
setup_pop3 (Run *run)
{
  const Row       *row = run->row;
  g_autofree char *ca = mw_test_cert_path ("ca.pem");

  run->pop3 = mw_pop3_client_new ("127.0.0.1", mw_fake_server_get_port (run->server),
                                  row_security (row), run->transcript);
  mw_pop3_client_set_user (run->pop3, USER);
  mw_pop3_client_set_password (run->pop3, PASSWORD);
  mw_pop3_client_set_timeout (run->pop3, row_timeout (row));
  mw_pop3_client_set_allow_plaintext (run->pop3, (row->flags & ROW_ALLOW_PLAINTEXT) != 0);
  mw_pop3_client_set_server_identity (run->pop3, "localhost");
  if (row->flags & ROW_TRUST_CA)
    mw_pop3_client_set_ca_file (run->pop3, ca);
  if (row->mechanism != NULL)
    mw_pop3_client_set_auth_mechanism (run->pop3, row->mechanism);
  if (row->script == pop3_retr_endless_unlisted)
    mw_pop3_client_set_unlisted_body_limit (run->pop3, 4 * MB);
  if (row->script == pop3_retr_unbounded)
    mw_pop3_client_set_body_size_limit (run->pop3, FALSE);
}

static void
setup_smtp (Run *run)
{
  const Row       *row = run->row;
  g_autofree char *ca = mw_test_cert_path ("ca.pem");

  run->smtp = mw_smtp_client_new ("127.0.0.1", mw_fake_server_get_port (run->server),
                                  row_security (row), run->transcript);
  mw_smtp_client_set_timeout (run->smtp, row_timeout (row));
  mw_smtp_client_set_final_reply_timeout (run->smtp, row_timeout (row));
  mw_smtp_client_set_allow_plaintext (run->smtp, (row->flags & ROW_ALLOW_PLAINTEXT) != 0);
  mw_smtp_client_set_server_identity (run->smtp, "localhost");
  if (row->flags & ROW_TRUST_CA)
    mw_smtp_client_set_ca_file (run->smtp, ca);
  if (row->mechanism != NULL)
    mw_smtp_client_set_auth_mechanism (run->smtp, row->mechanism);
  /* Only rows about AUTH offer it; the others never ask for it. */
  if (row->script == smtp_unknown_mechanisms || row->script == smtp_bad_base64 ||
      row->script == smtp_challenge_loop || row->script == smtp_scram_nonce ||
      row->script == smtp_starttls_454 || row->script == smtp_starttls_missing ||
      row->script == smtp_starttls_injection)
    {
      mw_smtp_client_set_user (run->smtp, USER);
      mw_smtp_client_set_password (run->smtp, PASSWORD);
    }
}

static gboolean
run_pop3 (Run     *run,
          GError **error)
{
  Wait     wait = { 0 };
  gboolean ok = FALSE;

  mw_pop3_client_connect_async (run->pop3, NULL, wait_cb, &wait);
  ok = mw_pop3_client_connect_finish (run->pop3, wait_result (&wait), error);
  wait_clear (&wait);
  if (run->row->op == OP_CONNECT || !ok)
    return ok;

  if (run->row->script == pop3_retr_endless_known)
    mw_pop3_client_set_message_size (run->pop3, 1, 1000);
  if (run->row->op == OP_LIST_THEN_TOP || run->row->op == OP_LIST_THEN_RETR)
    {
      g_autoptr (GArray) entries = NULL;

      mw_pop3_client_list_async (run->pop3, NULL, wait_cb, &wait);
      entries = mw_pop3_client_list_finish (run->pop3, wait_result (&wait), error);
      wait_clear (&wait);
      if (entries == NULL)
        return FALSE;
    }

  switch (run->row->op)
    {
    case OP_STAT:
      mw_pop3_client_stat_async (run->pop3, NULL, wait_cb, &wait);
      ok = mw_pop3_client_stat_finish (run->pop3, wait_result (&wait), &run->count, &run->size, error);
      break;
    case OP_STAT_THEN_LIST:
      mw_pop3_client_stat_async (run->pop3, NULL, wait_cb, &wait);
      ok = mw_pop3_client_stat_finish (run->pop3, wait_result (&wait), &run->count, &run->size, error);
      if (!ok)
        break;
      wait_clear (&wait);
      wait_idle_extra (run, mw_fake_server_get_sent (run->server));
      G_GNUC_FALLTHROUGH;
    case OP_LIST:
      mw_pop3_client_list_async (run->pop3, NULL, wait_cb, &wait);
      run->entries = mw_pop3_client_list_finish (run->pop3, wait_result (&wait), error);
      ok = run->entries != NULL;
      break;
    case OP_UIDL:
      mw_pop3_client_uidl_async (run->pop3, NULL, wait_cb, &wait);
      run->entries = mw_pop3_client_uidl_finish (run->pop3, wait_result (&wait), error);
      ok = run->entries != NULL;
      break;
    case OP_TOP:
    case OP_LIST_THEN_TOP:
      mw_pop3_client_top_async (run->pop3, 1, 0, run->sink, NULL, wait_cb, &wait);
      ok = mw_pop3_client_top_finish (run->pop3, wait_result (&wait), NULL, error);
      break;
    case OP_RETR:
    case OP_LIST_THEN_RETR:
      mw_pop3_client_retr_async (run->pop3, 1, run->sink, NULL, wait_cb, &wait);
      ok = mw_pop3_client_retr_finish (run->pop3, wait_result (&wait), NULL, error);
      break;
    case OP_DELE:
      mw_pop3_client_dele_async (run->pop3, 1, NULL, wait_cb, &wait);
      ok = mw_pop3_client_dele_finish (run->pop3, wait_result (&wait), error);
      break;
    case OP_PREVIEWS:
      mw_pop3_client_previews_async (run->pop3, NULL, wait_cb, &wait);
      run->summaries = mw_pop3_client_previews_finish (run->pop3, wait_result (&wait), error);
      ok = run->summaries != NULL;
      break;
    case OP_CONNECT:
    case OP_SEND:
    case OP_SEND_LARGE:
    case OP_NOOP:
    case OP_HELP:
    default:
      g_assert_not_reached ();
    }
  wait_clear (&wait);

  return ok;
}

static gboolean
run_smtp (Run     *run,
          GError **error)
{
  static const char *const recipients[] = { "you@example.net", NULL };
  Wait                     wait = { 0 };
  gboolean                 ok = FALSE;
  g_autoptr (GInputStream) message = NULL;
  g_autofree char *large = NULL;

  mw_smtp_client_connect_async (run->smtp, NULL, wait_cb, &wait);
  ok = mw_smtp_client_connect_finish (run->smtp, wait_result (&wait), error);
  wait_clear (&wait);
  if (run->row->op == OP_CONNECT || !ok)
    return ok;

  switch (run->row->op)
    {
    case OP_SEND:
      message = g_memory_input_stream_new_from_data (MESSAGE, strlen (MESSAGE), NULL);
      mw_smtp_client_send_async (run->smtp, "me@example.org", recipients, message,
                                 strlen (MESSAGE), MW_SMTP_SEND_NONE, NULL, NULL, wait_cb, &wait);
      ok = mw_smtp_client_send_finish (run->smtp, wait_result (&wait), &run->send_result, error);
      break;
    case OP_SEND_LARGE:
      {
        GString *text = g_string_new ("Subject: large\r\n\r\n");

        while (text->len < 4 * MB)
          g_string_append (text, "Hello. This line is one of many in a large message.\r\n");
        large = g_string_free (text, FALSE);
        message = g_memory_input_stream_new_from_data (large, strlen (large), NULL);
        mw_smtp_client_send_async (run->smtp, "me@example.org", recipients, message, -1,
                                   MW_SMTP_SEND_NONE, NULL, NULL, wait_cb, &wait);
        ok = mw_smtp_client_send_finish (run->smtp, wait_result (&wait), &run->send_result, error);
        break;
      }
    case OP_NOOP:
      mw_smtp_client_noop_async (run->smtp, NULL, wait_cb, &wait);
      ok = mw_smtp_client_simple_finish (run->smtp, wait_result (&wait), error);
      if (!ok)
        break;
      /* The unasked reply shows on the next command at the latest. */
      wait_clear (&wait);
      wait_idle_extra (run, mw_fake_server_get_sent (run->server));
      mw_smtp_client_noop_async (run->smtp, NULL, wait_cb, &wait);
      ok = mw_smtp_client_simple_finish (run->smtp, wait_result (&wait), error);
      break;
    case OP_HELP:
      {
        MwSmtpReply *reply;

        mw_smtp_client_help_async (run->smtp, NULL, NULL, wait_cb, &wait);
        reply = mw_smtp_client_query_finish (run->smtp, wait_result (&wait), error);
        ok = reply != NULL;
        g_clear_pointer (&reply, mw_smtp_reply_free);
        break;
      }
    case OP_CONNECT:
    case OP_STAT:
    case OP_LIST:
    case OP_UIDL:
    case OP_TOP:
    case OP_RETR:
    case OP_LIST_THEN_TOP:
    case OP_LIST_THEN_RETR:
    case OP_DELE:
    case OP_STAT_THEN_LIST:
    case OP_PREVIEWS:
    default:
      g_assert_not_reached ();
    }
  wait_clear (&wait);

  return ok;
}

static void
assert_no_secret_in (const char *text)
{
  if (text == NULL)
    return;
  g_assert_null (strstr (text, PASSWORD));
  g_assert_null (strstr (text, PLAIN_B64));
  g_assert_null (strstr (text, PASSWORD_B64));
}

static void
test_row (gconstpointer data)
{
  const Row       *row = data;
  Run              run = { 0 };
  MwFakeTls        tls = (row->flags & ROW_IMPLICIT_TLS) ? MW_FAKE_TLS_IMPLICIT : MW_FAKE_TLS_NONE;
  long             rss_before;
  gint64           start;
  g_autofree char *received = NULL;
  g_autofree char *text = NULL;

  run.row = row;
  run.server = mw_fake_server_new (tls, row->certificate);
  run.transcript = mw_transcript_new (0);
  run.sink = g_memory_output_stream_new_resizable ();
  row->script (run.server);
  mw_fake_server_start (run.server);

  if (row->protocol == POP3)
    setup_pop3 (&run);
  else
    setup_smtp (&run);

  rss_before = peak_rss_kb ();
  start = g_get_monotonic_time ();
  if (row->protocol == POP3)
    run.ok = run_pop3 (&run, &run.error);
  else
    run.ok = run_smtp (&run, &run.error);
  run.elapsed_ms = (g_get_monotonic_time () - start) / 1000;

  g_test_message ("%s: %s in %" G_GINT64_FORMAT " ms", row->path,
                  run.error != NULL ? run.error->message : "success", run.elapsed_ms);

  if (g_test_verbose ())
    {
      g_autofree char *log = mw_transcript_to_text (run.transcript);

      g_test_message ("%s", log);
    }

  /* The outcome. */
  if (row->domain == D_NONE)
    {
      g_assert_no_error (run.error);
      g_assert_true (run.ok);
    }
  else
    {
      g_assert_error (run.error, domain_quark (row->domain), row->code);
      g_assert_false (run.ok);
      assert_no_secret_in (run.error->message);
    }

  /* No hang: a stalled server costs the timeout, nothing else waits. */
  if (row->flags & ROW_STALLS)
    {
      /* Second-granularity timers may fire up to a quarter second early. */
      g_assert_cmpint (run.elapsed_ms, >=, TIMEOUT * 1000 - 300);
      g_assert_cmpint (run.elapsed_ms, <=, TIMEOUT * 1000 + SLACK_MS * slowdown ());
    }
  else
    g_assert_cmpint (run.elapsed_ms, <=, QUICK_MS * slowdown ());

  /* Bounded memory, whatever the server sent. */
  g_assert_cmpint (peak_rss_kb () - rss_before, <, MAX_GROWTH_KB * (slowdown () > 1 ? 3 : 1));

  if (row->check != NULL)
    row->check (&run);

  /* The secret: never in the transcript, never in clear on the wire
   * unless the row allows it. */
  text = mw_transcript_to_text (run.transcript);
  assert_no_secret_in (text);
  if (!(row->flags & ROW_ALLOW_PLAINTEXT) && !(row->flags & ROW_IMPLICIT_TLS))
    {
      received = mw_fake_server_get_received_string (run.server);
      assert_no_secret_in (received);
    }

  if (run.pop3 != NULL)
    mw_pop3_client_close (run.pop3);
  if (run.smtp != NULL)
    mw_smtp_client_close (run.smtp);
  g_clear_pointer (&run.entries, g_array_unref);
  g_clear_pointer (&run.summaries, g_ptr_array_unref);
  g_clear_object (&run.send_result);
  g_clear_error (&run.error);
  mw_fake_server_free (run.server);
  if (run.pop3 != NULL)
    assert_finalized (run.pop3);
  if (run.smtp != NULL)
    assert_finalized (run.smtp);
  g_assert_finalize_object (run.sink);
  g_assert_finalize_object (run.transcript);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_assert_cmpuint (G_N_ELEMENTS (rows), >=, 40);
  for (size_t i = 0; i < G_N_ELEMENTS (rows); i++)
    g_test_add_data_func (rows[i].path, &rows[i], test_row);

  return g_test_run ();
}
