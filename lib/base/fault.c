/*
 * fault.c: fault injection for the tests (SQLite's test_malloc counters,
 * without the shim): QGTM_FAULT="write:3,fsync:1,malloc:40+" makes the
 * third write(2) of the state paths fail, the first fsync(2), and the
 * 40th allocation and every one after it. Unset, the variable is read
 * once and each later call costs a test of two flags.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

/* The kinds in enum order: their names in QGTM_FAULT and their errno. */
static const struct {
	const char *name;
	int err;
} kinds[QGTM_FAULT_KINDS] = {
	[QGTM_FAULT_WRITE] = { "write", ENOSPC },
	[QGTM_FAULT_FSYNC] = { "fsync", EIO },
	[QGTM_FAULT_RENAME] = { "rename", EIO },
	[QGTM_FAULT_MALLOC] = { "malloc", ENOMEM },
	[QGTM_FAULT_NET] = { "net", ECONNREFUSED },
};

/* Per kind: the call to fail (0: none), whether later ones fail too, and
 * how many calls were made so far. */
static struct {
	long at;
	int onward;
	long calls;
} plan[QGTM_FAULT_KINDS];

static const char malformed[] = "expected kind:N or kind:N+ separated by "
    "commas, kind one of write, fsync, rename, malloc, net";

static int parsed;      /* QGTM_FAULT was read */
static int armed;       /* some kind has a call to fail */

/* The kind named by the n bytes at s, or -1. */
static int
kind_named(const char *s, size_t n)
{
	int k;

	for (k = 0; k < QGTM_FAULT_KINDS; k++)
		if (strlen(kinds[k].name) == n &&
		    strncmp(s, kinds[k].name, n) == 0)
			return k;
	return -1;
}

/* Parse one "kind:N" or "kind:N+" at *s into plan; advance *s past it. */
static int
parse_item(const char **s)
{
	const char *colon = strchr(*s, ':');
	char *end;
	long at;
	int k;

	if (colon == NULL || (k = kind_named(*s, (size_t)(colon - *s))) == -1)
		return -1;
	errno = 0;
	at = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || colon[1] == '-' || colon[1] == '+' ||
	    at < 1 || errno != 0)
		return -1;
	plan[k].at = at;
	plan[k].onward = *end == '+';
	end += plan[k].onward;
	if ((*end != '\0' && *end != ',') || (*end == ',' && end[1] == '\0'))
		return -1;
	*s = *end == ',' ? end + 1 : end;
	return 0;
}

/* Arm plan from spec; -1 on a malformed spec, leaving nothing armed. */
static int
arm(const char *spec)
{
	const char *s = spec;

	memset(plan, 0, sizeof plan);
	parsed = 1;
	armed = 0;
	if (spec == NULL || *spec == '\0')
		return 0;
	while (*s != '\0')
		if (parse_item(&s) == -1) {
			memset(plan, 0, sizeof plan);
			return -1;
		}
	armed = 1;
	return 0;
}

int
qgtm_fault_setup(const char *spec)
{
	if (arm(spec) == -1)
		return qgtm_seterr(QGTM_EX_USAGE, "QGTM_FAULT '%s': %s", spec,
		    malformed);
	return 0;
}

int
qgtm_fault(enum qgtm_fault_kind kind)
{
	const char *spec;
	long n;

	/* A warning, not qgtm_seterr: a pending error must survive. */
	if (!parsed && arm(spec = getenv("QGTM_FAULT")) == -1)
		qgtm_warn("QGTM_FAULT '%s': %s; no fault injected", spec,
		    malformed);
	if (!armed || plan[kind].at == 0)
		return 0;
	n = plan[kind].calls < LONG_MAX ? ++plan[kind].calls : LONG_MAX;
	if (n < plan[kind].at || (n > plan[kind].at && !plan[kind].onward))
		return 0;
	errno = kinds[kind].err;
	return 1;
}
