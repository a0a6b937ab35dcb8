/* mw-data-encoder.h: SMTP message data normalizer
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * MwDataEncoderMode:
 * @MW_DATA_ENCODER_MODE_DATA: for DATA: CRLF line ends, dot-stuffing and
 *   the terminating ".\r\n"
 * @MW_DATA_ENCODER_MODE_BDAT: for BDAT (RFC 3030): CRLF line ends only; the
 *   chunks carry their length, so no dot-stuffing and no terminator
 */
typedef enum
{
  MW_DATA_ENCODER_MODE_DATA,
  MW_DATA_ENCODER_MODE_BDAT,
} MwDataEncoderMode;

/* The most mw_data_encoder_finish() writes: "\r\n.\r\n". */
#define MW_DATA_ENCODER_FINISH_MAX 5

typedef struct _MwDataEncoder MwDataEncoder;

#define MW_TYPE_DATA_ENCODER (mw_data_encoder_get_type ())
GType mw_data_encoder_get_type (void);

MwDataEncoder    *mw_data_encoder_new (MwDataEncoderMode mode);
MwDataEncoder    *mw_data_encoder_copy (const MwDataEncoder *self);
void              mw_data_encoder_free (MwDataEncoder *self);
MwDataEncoderMode mw_data_encoder_get_mode (const MwDataEncoder *self);
void              mw_data_encoder_reset (MwDataEncoder *self);

size_t mw_data_encoder_max_output (size_t len);
size_t mw_data_encoder_feed (MwDataEncoder *self,
                             const guint8  *data,
                             size_t         len,
                             guint8        *out,
                             size_t         out_size);
void   mw_data_encoder_feed_to_array (MwDataEncoder *self,
                                      const guint8  *data,
                                      size_t         len,
                                      GByteArray    *out);
size_t mw_data_encoder_finish (MwDataEncoder *self,
                               guint8        *out,
                               size_t         out_size);
void   mw_data_encoder_finish_to_array (MwDataEncoder *self,
                                        GByteArray    *out);

gboolean mw_data_encoder_is_finished (const MwDataEncoder *self);
guint64  mw_data_encoder_get_bytes_in (const MwDataEncoder *self);
guint64  mw_data_encoder_get_bytes_out (const MwDataEncoder *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MwDataEncoder, mw_data_encoder_free)

G_END_DECLS
