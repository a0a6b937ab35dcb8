/* mw-fake-server.c: a scripted server for protocol tests
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-fake-server.h"

#include <string.h>
#include <sys/socket.h>

typedef enum
{
  STEP_SEND,
  STEP_SEND_SPLIT,
  STEP_SEND_REPEAT,
  STEP_EXPECT,
  STEP_EXPECT_ANY,
  STEP_EXPECT_BYTES,
  STEP_EXPECT_UNTIL,
  STEP_STALL,
  STEP_START_TLS,
  STEP_DRAIN,
  STEP_CLOSE,
  STEP_RESET,
} StepKind;

typedef struct
{
  StepKind kind;
  GBytes  *data;
  size_t   number;
} Step;

struct _MwFakeServer
{
  MwFakeTls        tls;
  GTlsCertificate *certificate;
  GPtrArray       *steps;
  GSocket         *listener;
  guint16          port;
  GThread         *thread;
  GCancellable    *cancellable;
  GSocket         *socket;

  GMutex      mutex;
  GCond       cond;
  GByteArray *received;
  guint64     sent;
  char       *error;
  gboolean    finished;
};

static void
step_free (Step *step)
{
  g_clear_pointer (&step->data, g_bytes_unref);
  g_free (step);
}

char *
mw_test_cert_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "lib", "certs", name, NULL);
}

MwFakeServer *
mw_fake_server_new (MwFakeTls   tls,
                    const char *certificate)
{
  MwFakeServer *self = g_new0 (MwFakeServer, 1);

  self->tls = tls;
  self->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) step_free);
  self->received = g_byte_array_new ();
  self->cancellable = g_cancellable_new ();
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);

  if (certificate != NULL)
    {
      g_autofree char *cert_name = g_strdup_printf ("%s.pem", certificate);
      g_autofree char *key_name = g_strdup_printf ("%s-key.pem", certificate);
      g_autofree char *cert_path = mw_test_cert_path (cert_name);
      g_autofree char *key_path = mw_test_cert_path (key_name);
      g_autoptr (GError) error = NULL;

      self->certificate = g_tls_certificate_new_from_files (cert_path, key_path, &error);
      g_assert_no_error (error);
    }

  return self;
}

static void
add_step (MwFakeServer *self,
          StepKind      kind,
          const void   *data,
          size_t        len,
          size_t        number)
{
  Step *step = g_new0 (Step, 1);

  step->kind = kind;
  if (data != NULL)
    step->data = g_bytes_new (data, len);
  step->number = number;
  g_ptr_array_add (self->steps, step);
}

void
mw_fake_server_send (MwFakeServer *self,
                     const char   *data)
{
  add_step (self, STEP_SEND, data, strlen (data), 0);
}

void
mw_fake_server_send_len (MwFakeServer *self,
                         const void   *data,
                         size_t        len)
{
  add_step (self, STEP_SEND, data, len, 0);
}

void
mw_fake_server_send_split (MwFakeServer *self,
                           const char   *data,
                           size_t        chunk)
{
  add_step (self, STEP_SEND_SPLIT, data, strlen (data), chunk);
}

void
mw_fake_server_send_repeat (MwFakeServer *self,
                            const char   *data,
                            size_t        count)
{
  add_step (self, STEP_SEND_REPEAT, data, strlen (data), count);
}

void
mw_fake_server_expect (MwFakeServer *self,
                       const char   *line)
{
  add_step (self, STEP_EXPECT, line, strlen (line), 0);
}

void
mw_fake_server_expect_any (MwFakeServer *self)
{
  add_step (self, STEP_EXPECT_ANY, NULL, 0, 0);
}

void
mw_fake_server_expect_bytes (MwFakeServer *self,
                             size_t        len)
{
  add_step (self, STEP_EXPECT_BYTES, NULL, 0, len);
}

void
mw_fake_server_expect_until (MwFakeServer *self,
                             const char   *line)
{
  add_step (self, STEP_EXPECT_UNTIL, line, strlen (line), 0);
}

void
mw_fake_server_stall (MwFakeServer *self,
                      guint         milliseconds)
{
  add_step (self, STEP_STALL, NULL, 0, milliseconds);
}

void
mw_fake_server_start_tls (MwFakeServer *self)
{
  g_assert (self->certificate != NULL);
  add_step (self, STEP_START_TLS, NULL, 0, 0);
}

void
mw_fake_server_drain (MwFakeServer *self)
{
  add_step (self, STEP_DRAIN, NULL, 0, 0);
}

void
mw_fake_server_close (MwFakeServer *self)
{
  add_step (self, STEP_CLOSE, NULL, 0, 0);
}

void
mw_fake_server_reset (MwFakeServer *self)
{
  add_step (self, STEP_RESET, NULL, 0, 0);
}

/* Writes everything, counting what the client may have received. */
static gboolean
write_all (MwFakeServer  *self,
           GOutputStream *output,
           const guint8  *data,
           size_t         len,
           GError       **error)
{
  size_t   written = 0;
  gboolean ok = g_output_stream_write_all (output, data, len, &written, self->cancellable, error);

  g_mutex_lock (&self->mutex);
  self->sent += written;
  g_mutex_unlock (&self->mutex);

  return ok;
}

static void
fail (MwFakeServer *self,
      const char   *format,
      ...) G_GNUC_PRINTF (2, 3);

static void
fail (MwFakeServer *self,
      const char   *format,
      ...)
{
  va_list args;

  g_mutex_lock (&self->mutex);
  if (self->error == NULL)
    {
      va_start (args, format);
      self->error = g_strdup_vprintf (format, args);
      va_end (args);
    }
  g_mutex_unlock (&self->mutex);
}

/* Reads one byte; FALSE at end of stream or on error. */
static gboolean
read_byte (MwFakeServer *self,
           GInputStream *input,
           guint8       *out)
{
  g_autoptr (GError) error = NULL;
  /* Ask for the error even though it is ignored: glib-networking leaks
   * the one it makes for a cancelled read when nobody takes it. */
  gssize n = g_input_stream_read (input, out, 1, self->cancellable, &error);

  if (n != 1)
    return FALSE;

  g_mutex_lock (&self->mutex);
  g_byte_array_append (self->received, out, 1);
  g_mutex_unlock (&self->mutex);

  return TRUE;
}

static char *
read_line (MwFakeServer *self,
           GInputStream *input)
{
  GString *line = g_string_new (NULL);
  guint8   c;

  while (read_byte (self, input, &c))
    {
      g_string_append_c (line, (char) c);
      if (c == '\n')
        return g_string_free (line, FALSE);
    }

  g_string_free (line, TRUE);
  return NULL;
}

static gboolean
stall (MwFakeServer *self,
       guint         milliseconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) milliseconds * 1000;

  g_mutex_lock (&self->mutex);
  while (!g_cancellable_is_cancelled (self->cancellable) &&
         g_cond_wait_until (&self->cond, &self->mutex, deadline))
    ;
  g_mutex_unlock (&self->mutex);

  return !g_cancellable_is_cancelled (self->cancellable);
}

static gboolean
run_step (MwFakeServer *self,
          Step         *step,
          GIOStream   **stream)
{
  GInputStream  *input = g_io_stream_get_input_stream (*stream);
  GOutputStream *output = g_io_stream_get_output_stream (*stream);
  g_autoptr (GError) error = NULL;
  const guint8 *data = NULL;
  size_t        len = 0;

  if (step->data != NULL)
    data = g_bytes_get_data (step->data, &len);

  switch (step->kind)
    {
    case STEP_SEND:
      if (!write_all (self, output, data, len, &error))
        {
          fail (self, "send: %s", error->message);
          return FALSE;
        }
      return TRUE;

    case STEP_SEND_SPLIT:
      for (size_t i = 0; i < len; i += step->number)
        {
          size_t n = MIN (step->number, len - i);

          if (!write_all (self, output, data + i, n, &error) ||
              !g_output_stream_flush (output, self->cancellable, &error))
            {
              fail (self, "send: %s", error->message);
              return FALSE;
            }
        }
      return TRUE;

    case STEP_SEND_REPEAT:
      {
        /* Batches of copies keep the writes large. */
        size_t per_batch = MAX (1, 65536 / len);
        g_autoptr (GByteArray) batch = g_byte_array_sized_new (per_batch * len);

        for (size_t i = 0; i < per_batch; i++)
          g_byte_array_append (batch, data, len);
        for (size_t i = 0; i < step->number; i += per_batch)
          {
            size_t n = MIN (per_batch, step->number - i);

            if (!write_all (self, output, batch->data, n * len, &error))
              {
                fail (self, "send: %s", error->message);
                return FALSE;
              }
          }
        return TRUE;
      }

    case STEP_EXPECT:
    case STEP_EXPECT_ANY:
      {
        g_autofree char *line = read_line (self, input);
        g_autofree char *want = NULL;

        if (line == NULL)
          {
            fail (self, "expected a line, got end of stream");
            return FALSE;
          }
        if (step->kind == STEP_EXPECT_ANY)
          return TRUE;

        want = g_strdup_printf ("%.*s\r\n", (int) len, data);
        if (!g_str_equal (line, want))
          {
            g_autofree char *escaped_got = g_strescape (line, NULL);
            g_autofree char *escaped_want = g_strescape (want, NULL);

            fail (self, "expected “%s”, got “%s”", escaped_want, escaped_got);
            return FALSE;
          }
        return TRUE;
      }

    case STEP_EXPECT_UNTIL:
      {
        g_autofree char *want = g_strdup_printf ("%.*s\r\n", (int) len, data);

        for (;;)
          {
            g_autofree char *line = read_line (self, input);

            if (line == NULL)
              {
                fail (self, "expected “%.*s” before the end of stream", (int) len, data);
                return FALSE;
              }
            if (g_str_equal (line, want))
              return TRUE;
          }
      }

    case STEP_EXPECT_BYTES:
      for (size_t i = 0; i < step->number; i++)
        {
          guint8 c;

          if (!read_byte (self, input, &c))
            {
              fail (self, "expected %" G_GSIZE_FORMAT " bytes, got %" G_GSIZE_FORMAT,
                    step->number, i);
              return FALSE;
            }
        }
      return TRUE;

    case STEP_STALL:
      return stall (self, step->number);

    case STEP_START_TLS:
      {
        GIOStream *tls = g_tls_server_connection_new (*stream, self->certificate, &error);

        if (tls == NULL ||
            !g_tls_connection_handshake (G_TLS_CONNECTION (tls), self->cancellable, &error))
          {
            fail (self, "TLS handshake: %s", error->message);
            g_clear_object (&tls);
            return FALSE;
          }
        g_object_unref (*stream);
        *stream = tls;
        return TRUE;
      }

    case STEP_DRAIN:
      {
        guint8 c;

        while (read_byte (self, input, &c))
          ;
        return TRUE;
      }

    case STEP_CLOSE:
      g_io_stream_close (*stream, NULL, NULL);
      return FALSE;

    case STEP_RESET:
      {
        /* A zero linger time turns the close into a reset. */
        struct linger linger = { 1, 0 };

        setsockopt (g_socket_get_fd (self->socket), SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
        g_socket_close (self->socket, NULL);
        return FALSE;
      }

    default:
      g_assert_not_reached ();
    }
}

static gpointer
server_thread (gpointer data)
{
  MwFakeServer *self = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) socket = NULL;
  GIOStream *stream;

  socket = g_socket_accept (self->listener, self->cancellable, &error);
  if (socket == NULL)
    {
      fail (self, "accept: %s", error->message);
      goto out;
    }

  self->socket = socket;
  stream = G_IO_STREAM (g_socket_connection_factory_create_connection (socket));

  if (self->tls == MW_FAKE_TLS_IMPLICIT)
    {
      GIOStream *tls = g_tls_server_connection_new (stream, self->certificate, &error);

      /* A failed handshake is what some tests want: end quietly. */
      if (tls == NULL ||
          !g_tls_connection_handshake (G_TLS_CONNECTION (tls), self->cancellable, &error))
        {
          g_clear_object (&tls);
          g_io_stream_close (stream, NULL, NULL);
          g_object_unref (stream);
          goto out;
        }
      g_object_unref (stream);
      stream = tls;
    }

  for (guint i = 0; i < self->steps->len; i++)
    if (!run_step (self, g_ptr_array_index (self->steps, i), &stream))
      break;

  g_io_stream_close (stream, NULL, NULL);
  g_socket_close (socket, NULL);
  g_object_unref (stream);

out:
  g_mutex_lock (&self->mutex);
  self->finished = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
  g_main_context_wakeup (NULL);

  return NULL;
}

void
mw_fake_server_start (MwFakeServer *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  self->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (self->listener, address, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (self->listener, &error);
  g_assert_no_error (error);

  bound = g_socket_get_local_address (self->listener, &error);
  g_assert_no_error (error);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  self->thread = g_thread_new ("fake-server", server_thread, self);
}

guint16
mw_fake_server_get_port (MwFakeServer *self)
{
  return self->port;
}

static gboolean
set_true_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
is_finished (MwFakeServer *self)
{
  gboolean finished;

  g_mutex_lock (&self->mutex);
  finished = self->finished;
  g_mutex_unlock (&self->mutex);

  return finished;
}

gboolean
mw_fake_server_wait (MwFakeServer *self,
                     guint         timeout_ms)
{
  gboolean timed_out = FALSE;
  guint    id = g_timeout_add (timeout_ms, set_true_cb, &timed_out);

  /* The server thread wakes the context up when it ends. */
  while (!is_finished (self) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);

  return is_finished (self) && self->error == NULL;
}

const char *
mw_fake_server_get_error (MwFakeServer *self)
{
  return self->error;
}

guint64
mw_fake_server_get_sent (MwFakeServer *self)
{
  guint64 sent;

  g_mutex_lock (&self->mutex);
  sent = self->sent;
  g_mutex_unlock (&self->mutex);

  return sent;
}

GBytes *
mw_fake_server_get_received (MwFakeServer *self)
{
  GBytes *bytes;

  g_mutex_lock (&self->mutex);
  bytes = g_bytes_new (self->received->data, self->received->len);
  g_mutex_unlock (&self->mutex);

  return bytes;
}

char *
mw_fake_server_get_received_string (MwFakeServer *self)
{
  char *result;

  g_mutex_lock (&self->mutex);
  result = g_strndup ((const char *) self->received->data, self->received->len);
  g_mutex_unlock (&self->mutex);

  return result;
}

void
mw_fake_server_free (MwFakeServer *self)
{
  if (self == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_mutex_lock (&self->mutex);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  if (self->listener != NULL)
    g_socket_close (self->listener, NULL);
  if (self->thread != NULL)
    g_thread_join (self->thread);

  g_clear_object (&self->listener);
  g_clear_object (&self->certificate);
  g_clear_object (&self->cancellable);
  g_ptr_array_unref (self->steps);
  g_byte_array_unref (self->received);
  g_free (self->error);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_free (self);
}

gboolean
mw_test_wait_for (gboolean *flag,
                  guint     timeout_ms)
{
  gboolean timed_out = FALSE;
  guint    id = g_timeout_add (timeout_ms, set_true_cb, &timed_out);

  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);

  return *flag;
}
