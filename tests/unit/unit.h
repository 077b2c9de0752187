/*
 * unit.h: shared helpers of the check(3) unit suites. Each
 * tests/unit/test_<module>.c defines `Suite *suite_<module>(void)`; the
 * Makefile lists them for main.c, so adding a suite needs no other edit.
 */
#ifndef QGTM_UNIT_H
#define QGTM_UNIT_H

#include <check.h>

#include "qgtm.h"

/*
 * unit_tmpdir: a fresh empty directory for one test under $TMPDIR (or
 * /tmp), removed with its contents when the process exits. Returns a new
 * allocation (free()); dies on failure.
 */
char *unit_tmpdir(void);

/* unit_write_file: create path holding text; dies on failure. */
void unit_write_file(const char *path, const char *text);

/*
 * unit_state_cfg: a fresh state directory, set as QGTM_STATE_DIR and
 * initialized, with cfg loaded from yaml written into it. Returns the
 * directory (free()); dies on failure.
 */
char *unit_state_cfg(struct qgtm_cfg *cfg, const char *yaml);

/* unit_add_bar: append to the sim store a bar of symbol on date, every
 * price close, available at 21:00 UTC that day. */
void unit_add_bar(const char *symbol, const char *date, const char *close);

/* unit_read_file: the whole file as a new allocation (free()), or NULL. */
char *unit_read_file(const char *path);

#endif
