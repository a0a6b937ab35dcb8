/* mw-demo.h: demo mode, the app against its own loopback server
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define MW_DEMO_USER     "demo"
#define MW_DEMO_PASSWORD "demo"
#define MW_DEMO_ADDRESS  "demo@mailwire.invalid"

#define MW_TYPE_DEMO (mw_demo_get_type ())
G_DECLARE_FINAL_TYPE (MwDemo, mw_demo, MW, DEMO, GObject)

MwDemo *mw_demo_new (void);

/* Seeds a temporary Maildir and starts the embedded server on 127.0.0.1
 * with ports the system picks. The Maildir is removed with the object. */
void     mw_demo_start_async (MwDemo             *self,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data);
gboolean mw_demo_start_finish (MwDemo       *self,
                               GAsyncResult *result,
                               GError      **error);

const char *mw_demo_get_maildir (MwDemo *self);
/* Where the demo account keeps what it downloads. */
const char *mw_demo_get_local_dir (MwDemo *self);
guint16     mw_demo_get_pop3_port (MwDemo *self);
guint16     mw_demo_get_smtp_port (MwDemo *self);

G_END_DECLS
