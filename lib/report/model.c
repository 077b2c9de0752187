/*
 * model.c: the small pieces the report models share: money as text
 * (qgtm_report_money) and as a record's pair of members, the names of a
 * readiness row's results, lists of names, the New York midnight of a
 * civil day, the kill switch read once for a render.
 */
#include <stdio.h>
#include <string.h>

#include "report/report_int.h"

static const char *const result_name[] = { "PASS", "WARN", "FAIL" };

const char *
qgtm_model_result(int result)
{
	return result_name[result];
}

char *
qgtm_report_money(int64_t cents, int sign, char out[32])
{
	char digits[24];
	uint64_t u = cents < 0 ? -(uint64_t)cents : (uint64_t)cents;
	size_t n, i, j = 0;

	if (cents < 0 || sign)
		out[j++] = cents < 0 ? '-' : '+';
	out[j++] = '$';
	/* At most 17 digits and 5 commas: 28 bytes in all. */
	n = (size_t)snprintf(digits, sizeof digits, "%llu",
	    (unsigned long long)(u / 100));
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[j++] = ',';
		out[j++] = digits[i];
	}
	out[j++] = '.';
	out[j++] = (char)('0' + u % 100 / 10);
	out[j++] = (char)('0' + u % 10);
	out[j] = '\0';
	return out;
}

void
qgtm_model_set_money(json_t *rec, const char *key, int64_t v, int sign)
{
	char dec[32], text[32], k[64];

	json_object_set_new(rec, key, json_string(qgtm_dec_fmt(v, QGTM_CENTS,
	    dec, sizeof dec)));
	snprintf(k, sizeof k, "%s_text", key);
	json_object_set_new(rec, k, json_string(qgtm_report_money(v, sign,
	    text)));
}

int
qgtm_model_list_has(json_t *list, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if (strcmp(json_string_value(v), name) == 0)
			return 1;
	return 0;
}

void
qgtm_model_list_add(json_t *list, const char *name)
{
	if (!qgtm_model_list_has(list, name))
		json_array_append_new(list, json_string(name));
}

time_t
qgtm_model_ny_midnight(long day0, long days)
{
	struct qgtm_date d = qgtm_civil_from_days(day0 + days);

	return qgtm_ny_time(d.year, d.month, d.day, 0, 0);
}

void
qgtm_model_ks_open(const struct qgtm_cfg *cfg, struct qgtm_model_ks *mk)
{
	memset(mk, 0, sizeof *mk);
	if (qgtm_ks_open(&mk->ks, cfg) == -1) {
		snprintf(mk->err, sizeof mk->err, "%s", qgtm_errmsg());
		return;
	}
	mk->ok = 1;
	qgtm_ks_read(&mk->ks, &mk->st);
}

void
qgtm_model_ks_close(struct qgtm_model_ks *mk)
{
	if (mk->ok)
		qgtm_ks_close(&mk->ks);
	mk->ok = 0;
}

json_t *
qgtm_model_alone(const struct qgtm_cfg *cfg, time_t now,
    qgtm_model_fn *model)
{
	struct qgtm_model_ks mk;
	json_t *rec;

	qgtm_model_ks_open(cfg, &mk);
	rec = model(cfg, now, &mk);
	qgtm_model_ks_close(&mk);
	return rec;
}

void
qgtm_report_pages(const struct qgtm_cfg *cfg, time_t now, json_t **status,
    json_t **readiness)
{
	struct qgtm_model_ks mk;

	qgtm_model_ks_open(cfg, &mk);
	*status = qgtm_status_model(cfg, now, &mk);
	*readiness = qgtm_readiness_model(cfg, now, &mk);
	qgtm_model_ks_close(&mk);
}
