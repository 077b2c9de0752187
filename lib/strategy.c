/*
 * strategy.c: the strategy registry and the signal record every strategy
 * shares, so live signals and backtests are built by one code path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qgtm.h"

static const struct qgtm_strategy *const registry[] = {
	&qgtm_strategy_tsmom,
};
#define NSTRATEGIES (sizeof registry / sizeof registry[0])

const struct qgtm_strategy *
qgtm_strategy_find(const char *name)
{
	size_t i;

	for (i = 0; i < NSTRATEGIES; i++)
		if (strcmp(registry[i]->name, name) == 0)
			return registry[i];
	return NULL;
}

const char *
qgtm_strategy_names(void)
{
	static char names[256];
	size_t i, len = 0;

	if (names[0] != '\0')
		return names;
	for (i = 0; i < NSTRATEGIES && len < sizeof names; i++)
		len += (size_t)snprintf(names + len, sizeof names - len, "%s%s",
		    i > 0 ? " " : "", registry[i]->name);
	return names;
}

/* 16 hex digits of the SHA-256 of the canonical parameters. */
static void
params_hash(json_t *params, char out[17])
{
	char *canon = json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS);
	char hex[65];

	qgtm_sha256_hex(canon, strlen(canon), hex);
	free(canon);
	memcpy(out, hex, 16);
	out[16] = '\0';
}

json_t *
qgtm_strategy_signal(const struct qgtm_strategy *st,
    const struct qgtm_cfg *cfg, time_t as_of)
{
	char hash[17], trace[33], ts[21], *seed;
	json_t *params, *targets, *rec;
	time_t data_as_of = 0;

	params = st->params(cfg);
	targets = json_array();
	if (st->targets(cfg, params, as_of, targets, &data_as_of) == -1) {
		json_decref(params);
		json_decref(targets);
		return NULL;
	}
	params_hash(params, hash);
	seed = qgtm_xasprintf("%s|%s|%s", st->name, qgtm_time_fmt(as_of, ts),
	    hash);
	if (qgtm_trace_id_new(trace, seed) == -1) {
		free(seed);
		json_decref(params);
		json_decref(targets);
		return NULL;
	}
	free(seed);
	rec = qgtm_record_new("signal", trace);
	json_object_set_new(rec, "strategy", json_string(st->name));
	json_object_set_new(rec, "params", params);
	json_object_set_new(rec, "params_hash", json_string(hash));
	json_object_set_new(rec, "as_of", json_string(qgtm_time_fmt(as_of, ts)));
	json_object_set_new(rec, "data_as_of",
	    json_string(qgtm_time_fmt(data_as_of, ts)));
	json_object_set_new(rec, "targets", targets);
	return rec;
}
