/* mw-test-wrapper.h: running programs under test through a memory checker
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The exit status the wrapper gives a program in which it found errors
 * (valgrind --error-exitcode). */
#define MW_TEST_WRAPPER_FAILED 99

/* The words of $MW_TEST_WRAPPER (`meson test --setup valgrind` sets it),
 * to put before a program the test spawns; empty when unset. */
char **mw_test_wrapper_argv (void);

/* Whether programs run under the wrapper: time bounds stretch. */
gboolean mw_test_wrapper_active (void);

/* After @process exited: fails the test with the wrapper's report if it
 * found errors, else removes the report. @pid is the process's identifier,
 * taken before it exited. */
void mw_test_wrapper_check (GSubprocess *process,
                            const char  *pid);

G_END_DECLS
