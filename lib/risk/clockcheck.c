/*
 * clockcheck.c: clock sanity for the programs that act (qgtm-risk check,
 * qgtm-order submit, the daemon's cycle). The system clock is compared
 * with what the state directory has seen: the newest stored observation
 * (when it was stored, ts, and when it became available, available_at,
 * in data/), the last heartbeat and the last audit entry. A clock earlier
 * than when data was stored, the last heartbeat or the last audit entry
 * ran backwards (not than available_at: an observation may be stored
 * before it becomes available, as FRED's vintage dates are); a clock later than the
 * newest stored data or the last audit entry by more than
 * risk.clock_max_ahead_s is ahead of the prices it would trade on (a sim
 * fetch under that clock makes fresh bars, so the audit chain, appended
 * by every cycle, is the witness that remains). Either escalates the kill switch to
 * NO_NEW, with an alert, and the caller acts as at least NO_NEW even when
 * the escalation cannot be recorded. A pinned clock (QGTM_NOW) is checked
 * the same way: a replay pins it on purpose into a state of its own, where
 * it is never behind what that state has seen, while a pin behind the
 * live state's data or chain is refused as a clock that ran backwards.
 * Only the backtest, which pins its clock in-process and acts on no
 * broker, is exempt. Records made under a pinned clock say
 * "clock": "pinned" (lib/base/jsonl.c).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "risk/risk.h"

/* The bytes read from the end of a file to find its last line. */
#define TAIL_MAX 65536

/* The time in field key of rec (or of its "rec", an audit entry's), or 0. */
static time_t
rec_time(json_t *rec, const char *key)
{
	const char *ts = json_string_value(json_object_get(rec, key));
	time_t t;

	if (ts == NULL)
		ts = json_string_value(json_object_get(json_object_get(rec,
		    "rec"), key));
	return ts != NULL && qgtm_time_parse(ts, &t) == 0 ? t : 0;
}

/* The last line of path as JSON (new reference), or NULL. */
static json_t *
last_line(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = qgtm_xmalloc(TAIL_MAX + 1), *line;
	long size;
	size_t n = 0;
	json_t *rec;

	if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 &&
	    fseek(f, size > TAIL_MAX ? size - TAIL_MAX : 0, SEEK_SET) == 0)
		n = fread(buf, 1, TAIL_MAX, f);
	if (f != NULL)
		fclose(f);
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	line = strrchr(buf, '\n') != NULL ? strrchr(buf, '\n') + 1 : buf;
	rec = json_loads(line, 0, NULL);
	free(buf);
	return rec;
}

/* The time in field key of the last line of path, or 0 (none, unreadable). */
static time_t
last_line_time(const char *path, const char *key)
{
	json_t *rec = last_line(path);
	time_t t = rec_time(rec, key);

	json_decref(rec);
	return t;
}

/* Raise *newest to t. */
static void
raise_to(time_t *newest, time_t t)
{
	if (t > *newest)
		*newest = t;
}

/* The newest available_at (into m->data) and ts (m->stored) of the last
 * lines of data/SOURCE/SERIES.jsonl. */
static void
newest_data(struct qgtm_clock_marks *m)
{
	char *top = qgtm_state_path("data", 0), *dir, *file;
	DIR *d = top != NULL ? opendir(top) : NULL, *s;
	struct dirent *e, *f;
	json_t *rec;

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		dir = qgtm_xasprintf("%s/%s", top, e->d_name);
		for (s = opendir(dir); s != NULL && (f = readdir(s)) != NULL;) {
			if (strlen(f->d_name) < 7 || strcmp(f->d_name +
			    strlen(f->d_name) - 6, ".jsonl") != 0)
				continue;
			file = qgtm_xasprintf("%s/%s", dir, f->d_name);
			rec = last_line(file);
			raise_to(&m->data, rec_time(rec, "available_at"));
			raise_to(&m->stored, rec_time(rec, "ts"));
			json_decref(rec);
			free(file);
		}
		if (s != NULL)
			closedir(s);
		free(dir);
	}
	if (d != NULL)
		closedir(d);
	free(top);
}

void
qgtm_clock_marks(const struct qgtm_cfg *cfg, struct qgtm_clock_marks *m)
{
	char *chain = qgtm_state_path(qgtm_cfg_str(cfg, "audit.chain"), 0);
	struct qgtm_ks ks;

	memset(m, 0, sizeof *m);
	newest_data(m);
	if (chain != NULL)
		m->audit = last_line_time(chain, "ts");
	free(chain);
	if (qgtm_ks_open(&ks, cfg) == 0) {
		m->beat = qgtm_heartbeat_last(&ks);
		qgtm_ks_close(&ks);
	}
}

/* Say in why that now is before the moment t of what. */
static int
behind(char *why, size_t n, time_t now, time_t t, const char *what)
{
	char a[21], b[21];

	snprintf(why, n, "the clock ran backwards: it reads %s, %lld s before "
	    "the %s (%s)", qgtm_time_fmt(now, a), (long long)(t - now), what,
	    qgtm_time_fmt(t, b));
	return 0;
}

/* Say in why that now is more than ahead s after the moment t of what. */
static int
ahead_of(char *why, size_t n, time_t now, time_t t, const char *what,
    long long ahead)
{
	char a[21], b[21];

	snprintf(why, n, "the clock is ahead of the data: it reads %s, %lld "
	    "days after the %s (%s; risk.clock_max_ahead_s %lld)",
	    qgtm_time_fmt(now, a), (long long)((now - t) / 86400), what,
	    qgtm_time_fmt(t, b), ahead);
	return 0;
}

int
qgtm_clock_sane(const struct qgtm_cfg *cfg, time_t now,
    const struct qgtm_clock_marks *m, char *why, size_t n)
{
	long long slack = qgtm_cfg_int(cfg, "risk.clock_max_behind_s");
	long long ahead = qgtm_cfg_int(cfg, "risk.clock_max_ahead_s");

	if (m->stored > now + slack)
		return behind(why, n, now, m->stored, "newest data stored");
	if (m->beat > now + slack)
		return behind(why, n, now, m->beat, "last heartbeat");
	if (m->audit > now + slack)
		return behind(why, n, now, m->audit, "last audit entry");
	/* Not the heartbeat: the daemon beats on the very clock in doubt. */
	if (m->data != 0 && now - m->data > ahead)
		return ahead_of(why, n, now, m->data, "newest stored data",
		    ahead);
	if (m->audit != 0 && now - m->audit > ahead)
		return ahead_of(why, n, now, m->audit, "last audit entry",
		    ahead);
	return 1;
}

/* Escalate to NO_NEW for why; the tier record is printed when emit is
 * set. Returns what the alert says of the kill switch (static). */
static const char *
escalate(const struct qgtm_cfg *cfg, const char *why, int emit)
{
	struct qgtm_ks_change c = { 0 };
	struct qgtm_ks ks;
	json_t *rec = NULL;
	int rc = -1;

	c.to = QGTM_TIER_NO_NEW;
	c.reason = why;
	c.by = "clock-check";
	c.only_up = 1;
	c.expect_seq = -1;
	if (qgtm_ks_open(&ks, cfg) == 0) {
		rc = qgtm_ks_change(&ks, &c, &rec);
		qgtm_ks_close(&ks);
	}
	if (rc == 1 && emit)
		qgtm_jsonl_emit(rec);
	json_decref(rec);
	if (rc == -1)
		qgtm_warn("clock check: the kill switch cannot be changed: %s",
		    qgtm_errmsg());
	return rc == 1 ? "kill switch escalated to NO_NEW" : rc == 0 ?
	    "kill switch already at NO_NEW or higher" : "the escalation to "
	    "NO_NEW could not be recorded; acting as NO_NEW";
}

int
qgtm_clock_guard(const struct qgtm_cfg *cfg, int emit)
{
	struct qgtm_clock_marks m;
	char why[256], *text;

	qgtm_clock_marks(cfg, &m);
	if (qgtm_clock_sane(cfg, qgtm_now(), &m, why, sizeof why))
		return 0;
	if (qgtm_clock_pinned())
		snprintf(why + strlen(why), sizeof why - strlen(why),
		    " (the clock is pinned)");
	qgtm_warn("%s; acting as NO_NEW", why);
	text = qgtm_xasprintf("%s: %s; %s: only risk-reducing orders pass; "
	    "no new risk", qgtm_progname, why, escalate(cfg, why, emit));
	if (qgtm_alert_send(cfg, text) == -1)
		qgtm_warn("alert not sent: %s", qgtm_errmsg());
	free(text);
	return 1;
}
