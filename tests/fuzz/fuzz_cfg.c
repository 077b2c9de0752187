/*
 * fuzz_cfg.c: the YAML config loader (lib/base/cfg.c): the fuzzer's bytes as
 * a qgtm.yaml in /dev/shm. A config that loads is printed and read back
 * (qgtm_cfg_print's contract: loading its output gives the same root);
 * one that does not must say why with QGTM_EX_CONFIG.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup("fuzz_cfg");
	return 0;
}

/* cfg as qgtm_cfg_print writes it: a new allocation (free()). */
static char *
printed(const struct qgtm_cfg *cfg, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	fuzz_check(f != NULL, "out of memory");
	fuzz_check(qgtm_cfg_print(cfg, f) == 0, "cannot print a config");
	fclose(f);
	return text;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qgtm_cfg cfg, again;
	char *text;
	size_t len;

	if (qgtm_cfg_load(&cfg, fuzz_file("qgtm.yaml", data, size)) == -1) {
		fuzz_check(qgtm_errcode() == QGTM_EX_CONFIG &&
		    qgtm_errmsg()[0] != '\0', "a config error without its code");
		return 0;
	}
	text = printed(&cfg, &len);
	fuzz_check(qgtm_cfg_load(&again, fuzz_file("printed.yaml", text,
	    len)) == 0, "the printed config does not load");
	fuzz_check(json_equal(cfg.root, again.root),
	    "the printed config loads otherwise");
	qgtm_cfg_release(&again);
	qgtm_cfg_release(&cfg);
	free(text);
	return 0;
}
