/* mw-fake-server.h: a scripted server for protocol tests
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A server on 127.0.0.1 that accepts one connection and plays a script of
 * steps in its own thread, with blocking I/O, while the code under test
 * runs asynchronously in the test's main context. Everything it receives
 * is recorded. */
typedef struct _MwFakeServer MwFakeServer;

typedef enum
{
  MW_FAKE_TLS_NONE,
  MW_FAKE_TLS_IMPLICIT,
} MwFakeTls;

/* @certificate: a base name under tests/lib/certs ("server", "expired",
 * "wronghost", "selfsigned"), or NULL for none. */
MwFakeServer *mw_fake_server_new (MwFakeTls   tls,
                                  const char *certificate);
void          mw_fake_server_free (MwFakeServer *self);

/* Script steps, played in order once a client connects. */
void mw_fake_server_send (MwFakeServer *self,
                          const char   *data);
void mw_fake_server_send_len (MwFakeServer *self,
                              const void   *data,
                              size_t        len);
/* Sends @data in writes of @chunk bytes, each flushed on its own. */
void mw_fake_server_send_split (MwFakeServer *self,
                                const char   *data,
                                size_t        chunk);
/* Sends @data @count times over (an endless line, a huge listing). */
void mw_fake_server_send_repeat (MwFakeServer *self,
                                 const char   *data,
                                 size_t        count);
/* Reads one line (through LF) and checks it equals @line + "\r\n". */
void mw_fake_server_expect (MwFakeServer *self,
                            const char   *line);
/* Reads one line, whatever it is. */
void mw_fake_server_expect_any (MwFakeServer *self);
/* Reads exactly @len bytes. */
void mw_fake_server_expect_bytes (MwFakeServer *self,
                                  size_t        len);
/* Reads until the client sends a line equal to @line. */
void mw_fake_server_expect_until (MwFakeServer *self,
                                  const char   *line);
void mw_fake_server_stall (MwFakeServer *self,
                           guint         milliseconds);
/* Server side of a TLS handshake on the open connection. */
void mw_fake_server_start_tls (MwFakeServer *self);
/* Reads until the client closes. */
void mw_fake_server_drain (MwFakeServer *self);
void mw_fake_server_close (MwFakeServer *self);
/* Aborts the connection with a TCP reset. */
void mw_fake_server_reset (MwFakeServer *self);

/* Starts listening; the script runs when a client connects. */
void    mw_fake_server_start (MwFakeServer *self);
guint16 mw_fake_server_get_port (MwFakeServer *self);

/* Iterates the default main context until the script has ended (or
 * @timeout_ms passed); returns whether it ran to the end without a
 * mismatch. */
gboolean    mw_fake_server_wait (MwFakeServer *self,
                                 guint         timeout_ms);
const char *mw_fake_server_get_error (MwFakeServer *self);
/* Bytes written to the client so far. */
guint64 mw_fake_server_get_sent (MwFakeServer *self);
/* Every byte received, NUL-terminated for convenience. */
GBytes *mw_fake_server_get_received (MwFakeServer *self);
char   *mw_fake_server_get_received_string (MwFakeServer *self);

/* Path of a file under tests/lib/certs. */
char *mw_test_cert_path (const char *name);

/* Iterates the default main context until *@flag is TRUE or @timeout_ms
 * passed; returns *@flag. */
gboolean mw_test_wait_for (gboolean *flag,
                           guint     timeout_ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MwFakeServer, mw_fake_server_free)

G_END_DECLS
