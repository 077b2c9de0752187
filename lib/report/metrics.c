/*
 * metrics.c: the operator's figures for Prometheus, in the text
 * exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/
 * exposition_formats/#text-based-format): "# HELP name text" and
 * "# TYPE name gauge" before the samples of a metric, a sample being
 * name{label="value",...} value; label values escape backslash, double
 * quote and newline. node_exporter's textfile collector reads such a file
 * from its --collector.textfile.directory (node_exporter README,
 * "Textfile Collector").
 */
#include <string.h>

#include "report/report.h"

/* "# HELP" and "# TYPE" of one gauge. */
static int
gauge(struct qgtm_buf *b, const char *name, const char *help)
{
	return qgtm_buf_addf(b, "# HELP %s %s\n# TYPE %s gauge\n", name, help,
	    name);
}

/* A label value with \, " and newline escaped. */
static int
label_value(struct qgtm_buf *b, const char *s)
{
	int rc = 0;

	for (; *s != '\0' && rc == 0; s++) {
		if (*s == '\\' || *s == '"')
			rc = qgtm_buf_addf(b, "\\%c", *s);
		else if (*s == '\n')
			rc = qgtm_buf_add(b, "\\n", 2);
		else
			rc = qgtm_buf_add(b, s, 1);
	}
	return rc;
}

/* One sample name{label="value"} v (label NULL: none). */
static int
sample(struct qgtm_buf *b, const char *name, const char *label,
    const char *value, const char *v)
{
	if (qgtm_buf_addf(b, "%s", name) == -1)
		return -1;
	if (label != NULL && (qgtm_buf_addf(b, "{%s=\"", label) == -1 ||
	    label_value(b, value) == -1 || qgtm_buf_add(b, "\"}", 2) == -1))
		return -1;
	return qgtm_buf_addf(b, " %s\n", v);
}

/* Is s a plain decimal ("-12.50")? The models keep money as such text. */
static int
is_decimal(const char *s)
{
	size_t n;

	if (s == NULL)
		return 0;
	s += *s == '-';
	n = strspn(s, "0123456789");
	if (n == 0)
		return 0;
	s += n;
	if (*s == '.')
		s += 1 + strspn(s + 1, "0123456789");
	return *s == '\0';
}

/* A gauge of one unlabelled sample: the decimal text of key in model, or
 * of a JSON integer; no sample when the model has none. */
static int
figure(struct qgtm_buf *b, const char *name, const char *help,
    json_t *model, const char *key)
{
	json_t *v = json_object_get(model, key);
	char num[32];

	if (gauge(b, name, help) == -1)
		return -1;
	if (json_is_integer(v)) {
		snprintf(num, sizeof num, "%lld",
		    (long long)json_integer_value(v));
		return sample(b, name, NULL, NULL, num);
	}
	if (is_decimal(json_string_value(v)))
		return sample(b, name, NULL, NULL, json_string_value(v));
	return 0;
}

/* The kill switch: its tier as a number and as one 1/0 series a tier. */
static int
tier_metrics(struct qgtm_buf *b, json_t *status)
{
	const char *name = json_string_value(json_object_get(status, "tier"));
	const char *health = json_string_value(json_object_get(status,
	    "tier_health"));
	int tier = name != NULL ? qgtm_tier_parse(name) : -1, i;
	char num[8];

	if (gauge(b, "qgtm_killswitch_tier", "The kill switch's effective "
	    "tier: 0 NORMAL, 1 WARN, 2 THROTTLE, 3 NO_NEW, 4 FLATTEN.") == -1)
		return -1;
	snprintf(num, sizeof num, "%d", tier);
	if (tier >= 0 && sample(b, "qgtm_killswitch_tier", NULL, NULL,
	    num) == -1)
		return -1;
	if (gauge(b, "qgtm_killswitch_tier_state", "1 for the kill switch's "
	    "effective tier, 0 for the others.") == -1)
		return -1;
	for (i = 0; i < QGTM_NTIERS; i++)
		if (sample(b, "qgtm_killswitch_tier_state", "tier",
		    qgtm_tier_name(i), i == tier ? "1" : "0") == -1)
			return -1;
	return gauge(b, "qgtm_killswitch_healthy", "1 when the kill switch's "
	    "state could be read and is intact.") == -1 ||
	    sample(b, "qgtm_killswitch_healthy", NULL, NULL,
	    health != NULL && strcmp(health, "ok") == 0 ? "1" : "0") == -1 ?
	    -1 : 0;
}

/* The details of the readiness row id (borrowed), or NULL. */
static json_t *
row_details(json_t *readiness, const char *id)
{
	json_t *row;
	size_t i;

	json_array_foreach(json_object_get(readiness, "rows"), i, row)
		if (json_is_string(json_object_get(row, "id")) && strcmp(
		    json_string_value(json_object_get(row, "id")), id) == 0)
			return json_object_get(row, "details");
	return NULL;
}

static int
feed_metrics(struct qgtm_buf *b, json_t *readiness)
{
	json_t *feeds = row_details(readiness, "feeds"), *f;
	const char *feed;

	if (gauge(b, "qgtm_feed_healthy", "1 when the feed's last fetch was "
	    "good and its data is as fresh as expected, else 0.") == -1)
		return -1;
	json_object_foreach(feeds, feed, f)
		if (json_is_object(f) && sample(b, "qgtm_feed_healthy", "feed",
		    feed, json_is_true(json_object_get(f, "healthy")) ? "1" :
		    "0") == -1)
			return -1;
	return 0;
}

int
qgtm_metrics_render(struct qgtm_buf *b, json_t *status, json_t *readiness)
{
	json_t *reachable = json_object_get(status, "broker_reachable");

	if (tier_metrics(b, status) == -1 ||
	    figure(b, "qgtm_equity_dollars", "The account's equity, marked to "
	    "market.", status, "equity") == -1 ||
	    figure(b, "qgtm_daily_pnl_dollars", "Today's gain or loss.",
	    status, "gain") == -1 ||
	    figure(b, "qgtm_heartbeat_age_seconds", "Seconds since the last "
	    "heartbeat.", status, "heartbeat_age_s") == -1 ||
	    gauge(b, "qgtm_broker_reachable", "1 when the broker's account "
	    "could be read and marked.") == -1 ||
	    sample(b, "qgtm_broker_reachable", NULL, NULL,
	    json_is_true(reachable) ? "1" : "0") == -1 ||
	    feed_metrics(b, readiness) == -1 ||
	    figure(b, "qgtm_audit_entries", "Entries in the audit chain.",
	    row_details(readiness, "audit"), "entries") == -1)
		return -1;
	return 0;
}
