/* mw-fake-resolver.h: a GResolver that answers SRV queries from a table
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define MW_TYPE_FAKE_RESOLVER (mw_fake_resolver_get_type ())
G_DECLARE_FINAL_TYPE (MwFakeResolver, mw_fake_resolver, MW, FAKE_RESOLVER, GResolver)

/* Answers every other query with G_RESOLVER_ERROR_NOT_FOUND. Install it
 * with g_resolver_set_default(). */
MwFakeResolver *mw_fake_resolver_new (void);

/* Adds an SRV record for @rrname ("_pop3s._tcp.example.org"). */
void mw_fake_resolver_add_srv (MwFakeResolver *self,
                               const char     *rrname,
                               const char     *target,
                               guint16         port,
                               guint16         priority,
                               guint16         weight);

/* The names asked so far, in order, as a NULL-terminated array. */
const char *const *mw_fake_resolver_get_queries (MwFakeResolver *self);

G_END_DECLS
