/*
 * figures.c: the figures behind a readiness row in plain words
 * (qgtm_figures_words): one label table for every member name, money as
 * money, fractions as percentages, times in New York time marked ET, so
 * the page and its live redraw print the same words and never JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

/* How a member's value reads (F_WORD: a code, its underscores as
 * spaces). */
enum { F_TEXT, F_MONEY, F_FRACTION, F_PERCENT, F_SECONDS, F_RATIO,
    F_WORD };

/* The label table: member name, its words, how its value reads. A name
 * not here reads as its words with the underscores made spaces. */
static const struct {
	const char *key, *label;
	int how;
} labels[] = {
	{ "age_s", "Age", F_SECONDS },
	{ "newest", "Newest data", F_TEXT },
	{ "tier", "Tier", F_TEXT },
	{ "health", "State", F_WORD },
	{ "reason", "Reason", F_TEXT },
	{ "escalations_7d", "Escalations this week", F_TEXT },
	{ "changes_7d", "Changes this week", F_TEXT },
	{ "last", "Last check-in", F_TEXT },
	{ "beats_7d", "Beats this week", F_TEXT },
	{ "gaps_7d", "Gaps over 60 s this week", F_TEXT },
	{ "entries", "Entries", F_TEXT },
	{ "bad_line", "First bad line", F_TEXT },
	{ "head", "Newest entry hash", F_TEXT },
	{ "root", "Merkle root", F_TEXT },
	{ "peak_cents", "Peak equity", F_MONEY },
	{ "equity_cents", "Equity", F_MONEY },
	{ "pnl_cents", "Profit or loss", F_MONEY },
	{ "drawdown", "Drawdown", F_FRACTION },
	{ "limit", "Limit", F_FRACTION },
	{ "disk_free_pct", "Disk free", F_PERCENT },
	{ "memory_available_pct", "Memory available", F_PERCENT },
	{ "critical", "Critical breaks", F_TEXT },
	{ "warn", "Warnings", F_TEXT },
	{ "breaks", "Breaks", F_TEXT },
	{ "book", "Book quantity", F_TEXT },
	{ "broker", "Broker quantity", F_TEXT },
	{ "detail", "Detail", F_TEXT },
	{ "severity", "Severity", F_WORD },
	{ "subject", "Of", F_TEXT },
	{ "check", "Check", F_WORD },
	{ "symbol", "Symbol", F_TEXT },
	{ "client_order_id", "Order", F_TEXT },
	{ "ts", "Time", F_TEXT },
	{ "from", "From", F_TEXT },
	{ "to", "To", F_TEXT },
	{ "by", "By", F_TEXT },
	{ "recent_from", "Recent period from", F_TEXT },
	{ "insample_sharpe", "In-sample Sharpe", F_RATIO },
	{ "recent_sharpe", "6-month Sharpe", F_RATIO },
	{ "ratio", "Of in-sample", F_FRACTION },
	{ "status", "Status", F_WORD },
	{ "insample_days", "In-sample days", F_TEXT },
	{ "recent_days", "Recent days", F_TEXT },
	{ "feed", "Feed", F_TEXT },
	{ "healthy", "Healthy", F_TEXT },
	{ "last_ok", "Last good fetch", F_TEXT },
	{ "last_obs", "Last observation", F_TEXT },
	{ "expected_obs", "Expected observation", F_TEXT },
	{ "sim", "Simulated", F_TEXT },
	{ "unhealthy", "Unhealthy", F_TEXT },
	{ "strategy", "Strategy", F_TEXT },
	{ "trades", "Trades", F_TEXT },
	{ "type", NULL, F_TEXT },	/* the record's type: not shown */
	{ "v", NULL, F_TEXT },
	{ "src", NULL, F_TEXT },
};

char *
qgtm_figures_et(time_t t, char out[32])
{
	static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct qgtm_date d = qgtm_ny_date(t);
	long s = (long)((t + qgtm_ny_offset(t)) % 86400 + 86400) % 86400;

	snprintf(out, 32, "%s %d %s %02ld:%02ld ET", wd[qgtm_weekday(d.year,
	    d.month, d.day)], d.day, mon[(d.month + 11) % 12], s / 3600,
	    s % 3600 / 60);
	return out;
}

char *
qgtm_figures_age(long long s, char out[32])
{
	if (s < 0)
		s = 0;
	if (s < 120)
		snprintf(out, 32, "%lld s", s);
	else if (s < 7200)
		snprintf(out, 32, "%lld min", s / 60);
	else if (s < 172800)
		snprintf(out, 32, "%lld h", s / 3600);
	else
		snprintf(out, 32, "%lld days", s / 86400);
	return out;
}

char *
qgtm_figures_count(long long n, char out[32])
{
	char m[32];

	/* The whole-dollar digits of n dollars: "14,400" of "$14,400.00". */
	qgtm_report_money(n * 100, 0, m);
	snprintf(out, 32, "%s%.*s", n < 0 ? "-" : "", (int)strlen(m) -
	    (n < 0 ? 5 : 4), m + (n < 0 ? 2 : 1));
	return out;
}

/* The words of a member name: the table's, or the name with its
 * underscores as spaces and its first letter upper case. *how gets how
 * its value reads. NULL: the member is not shown. */
static char *
label_of(const char *key, int *how)
{
	size_t i;
	char *s;

	*how = F_TEXT;
	for (i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (strcmp(labels[i].key, key) == 0) {
			*how = labels[i].how;
			return labels[i].label != NULL ?
			    qgtm_xstrdup(labels[i].label) : NULL;
		}
	s = qgtm_xstrdup(key);
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] == '_')
			s[i] = ' ';
	if (s[0] >= 'a' && s[0] <= 'z')
		s[0] = (char)(s[0] - 'a' + 'A');
	return s;
}

/* The string s with each RFC 3339 UTC time in it ("2026-01-05T21:30:00Z")
 * as qgtm_figures_et gives it. A new allocation. */
static char *
stamps_et(const char *s)
{
	struct qgtm_buf b;
	char stamp[21], out[32];
	size_t i = 0, n = strlen(s);
	time_t t;

	qgtm_buf_init(&b, n * 2 + 64);
	while (i < n) {
		if (n - i >= 20 && s[i + 10] == 'T' && s[i + 19] == 'Z') {
			memcpy(stamp, s + i, 20);
			stamp[20] = '\0';
			if (qgtm_time_parse(stamp, &t) == 0) {
				qgtm_figures_et(t, out);
				qgtm_buf_add(&b, out, strlen(out));
				i += 20;
				continue;
			}
		}
		qgtm_buf_add(&b, s + i++, 1);
	}
	qgtm_buf_add(&b, "", 1);
	return qgtm_buf_detach(&b);
}

/* The words of a scalar v read as how. A new allocation. */
static char *
value_words(json_t *v, int how)
{
	char out[64];
	const char *s = json_string_value(v);
	size_t i;

	if (v == NULL || json_is_null(v))
		return qgtm_xstrdup("\u2014");
	if (json_is_boolean(v))
		return qgtm_xstrdup(json_is_true(v) ? "yes" : "no");
	if (s != NULL && how == F_WORD) {
		char *w = qgtm_xstrdup(s);

		for (i = 0; w[i] != '\0'; i++)
			w[i] = w[i] == '_' ? ' ' : w[i];
		return w;
	}
	if (s != NULL)
		return stamps_et(s);
	if (json_is_array(v)) {
		struct qgtm_buf b;
		json_t *e;
		char *w;

		qgtm_buf_init(&b, 65536);
		json_array_foreach(v, i, e) {
			w = value_words(e, how);
			qgtm_buf_addf(&b, "%s%s", i > 0 ? ", " : "", w);
			free(w);
		}
		if (i == 0)
			qgtm_buf_addf(&b, "none");
		qgtm_buf_add(&b, "", 1);
		return qgtm_buf_detach(&b);
	}
	switch (how) {
	case F_MONEY:
		return qgtm_xstrdup(qgtm_report_money(json_integer_value(v),
		    0, out));
	case F_FRACTION:
		snprintf(out, sizeof out, "%.2f%%", 100 *
		    json_number_value(v));
		return qgtm_xstrdup(out);
	case F_PERCENT:
		snprintf(out, sizeof out, "%.1f%%", json_number_value(v));
		return qgtm_xstrdup(out);
	case F_SECONDS:
		return qgtm_xstrdup(qgtm_figures_age(json_integer_value(v),
		    out));
	case F_RATIO:
		snprintf(out, sizeof out, "%.2f", json_number_value(v));
		return qgtm_xstrdup(out);
	}
	if (json_is_integer(v))
		return qgtm_xstrdup(qgtm_figures_count(json_integer_value(v),
		    out));
	snprintf(out, sizeof out, "%.2f", json_number_value(v));
	return qgtm_xstrdup(out);
}

/* A group's label: the member name's words, or for the element of an
 * array of records its time in ET (else its number). */
static char *
group_label(const char *key, size_t i, json_t *obj)
{
	const char *ts = json_string_value(json_object_get(obj, "ts"));
	char out[32];
	time_t t;
	int how;

	if (key != NULL)
		return label_of(key, &how);
	if (ts != NULL && qgtm_time_parse(ts, &t) == 0)
		return qgtm_xstrdup(qgtm_figures_et(t, out));
	return qgtm_xasprintf("#%zu", i + 1);
}

/* Append to out the figure label -> v: a group of figures for an object
 * or an array of objects, else the words of a scalar. */
static void
figure_add(json_t *out, char *label, json_t *v, int how)
{
	json_t *sub, *e;
	char *words;
	size_t i;

	if (json_is_object(v)) {
		sub = qgtm_figures_words(v);
	} else if (json_is_array(v) && json_is_object(json_array_get(v,
	    0))) {
		sub = json_array();
		json_array_foreach(v, i, e)
			figure_add(sub, group_label(NULL, i, e), e, F_TEXT);
	} else {
		words = value_words(v, how);
		json_array_append_new(out, json_pack("{s:s, s:s}", "label",
		    label, "value", words));
		free(words);
		free(label);
		return;
	}
	json_array_append_new(out, json_pack("{s:s, s:o}", "label", label,
	    "figures", sub));
	free(label);
}

json_t *
qgtm_figures_words(json_t *det)
{
	json_t *out = json_array(), *v;
	const char *key;
	char *label;
	int how;

	json_object_foreach(det, key, v)
		if ((label = label_of(key, &how)) != NULL)
			figure_add(out, label, v, how);
	return out;
}
