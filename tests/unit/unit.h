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

/* unit_read_file: the whole file as a new allocation (free()), or NULL. */
char *unit_read_file(const char *path);

#endif
