/*
 * fuzz.h: what the libFuzzer harnesses of tests/fuzz share (mk/fuzz.mk
 * builds each fuzz_<target>.c with fuzz.c into build-fuzz/bin/).
 */
#ifndef QGTM_FUZZ_H
#define QGTM_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "qgtm.h"

/* The moment every harness runs at: a Monday evening after the close. */
#define FUZZ_NOW "2026-03-16T22:00:00Z"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * fuzz_setup: qgtm_init as name, the clock pinned at FUZZ_NOW and an
 * empty state directory of this process in /dev/shm
 * (removed at exit). Aborts when it cannot.
 */
void fuzz_setup(const char *name);

/*
 * fuzz_cfg: load the YAML text yaml into cfg through a file of the state
 * directory; aborts when it does not load (the harness's own config).
 */
void fuzz_cfg(struct qgtm_cfg *cfg, const char *yaml);

/*
 * fuzz_file: write the n bytes at p to the file name in the state
 * directory (replacing it) and return its path (borrowed: valid until
 * the next call).
 */
const char *fuzz_file(const char *name, const void *p, size_t n);

/* fuzz_check: abort with "fuzz: what" on stderr unless ok: a finding. */
void fuzz_check(int ok, const char *what);

#endif
