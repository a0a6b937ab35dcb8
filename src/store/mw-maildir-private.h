/* mw-maildir-private.h: Maildir internals for the store and its tests
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mw-maildir.h"

G_BEGIN_DECLS

/* Where a fault is injected, for tests of full and failing disks. */
typedef enum
{
  MW_MAILDIR_FAULT_NONE,
  MW_MAILDIR_FAULT_WRITE, /* writes fail once @after_bytes were written */
  MW_MAILDIR_FAULT_FSYNC, /* the fsync of the message file fails */
} MwMaildirFault;

typedef struct
{
  MwMaildirFault where;
  guint64        after_bytes;
  int            errnum;
} MwMaildirFaultSpec;

void mw_maildir_inject_fault (MwMaildir     *self,
                              MwMaildirFault where,
                              guint64        after_bytes,
                              int            errnum);

/* Blocking; for worker threads of the store only. */
GPtrArray *mw_maildir_scan (const char   *path,
                            GCancellable *cancellable,
                            GError      **error);

MwMaildirDelivery *mw_maildir_delivery_new (const char               *maildir_path,
                                            int                       fd,
                                            const char               *unique,
                                            const MwMaildirFaultSpec *fault);

G_END_DECLS
