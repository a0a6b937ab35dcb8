/* mw-cli-pop3.h: mailwire-cli pop3
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

int mw_cli_pop3_main (int    argc,
                      char **argv);

G_END_DECLS
