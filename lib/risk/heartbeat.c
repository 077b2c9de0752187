/*
 * heartbeat.c: liveness beats in the kill switch's backend. The newest
 * beat is the object "heartbeat"; a backend that keeps bounded streams
 * (Redis: XADD MAXLEN ~) also keeps the recent ones. qgtm-risk evaluate
 * escalates when the newest is too old. Every beat is also counted in
 * a bounded history of runs of beats (history_beat), which the readiness
 * page sums over the week (qgtm_heartbeat_week).
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "risk/risk.h"

/*
 * The beat history: state file QGTM_HEARTBEAT_RUNS, one fixed-width line
 * per run of beats no more than QGTM_HEARTBEAT_GAP_S apart ("START END
 * COUNT", epoch seconds and beats), so a beat rewrites the last line or
 * appends one. At RUNS_MAX lines the older half is dropped: at most
 * RUNS_MAX * RUN_LEN bytes (70 KB) whatever the beat interval.
 */
#define RUN_LEN 35
#define RUNS_MAX 2048

/* Parse the run line p (RUN_LEN bytes) into r[3]; 0 or -1. */
static int
run_parse(const char *p, long long r[3])
{
	char line[RUN_LEN + 1];

	memcpy(line, p, RUN_LEN);
	line[RUN_LEN] = '\0';
	return sscanf(line, "%lld %lld %lld", &r[0], &r[1], &r[2]) == 3 ?
	    0 : -1;
}

/* Record a beat at t in the history file fd of size bytes (locked). */
static int
runs_add(int fd, off_t size, time_t t)
{
	char buf[RUN_LEN * (RUNS_MAX / 2)], line[72];
	long long r[3] = { t, t, 1 };
	off_t at = size - size % RUN_LEN;

	if (at >= RUN_LEN && pread(fd, line, RUN_LEN, at - RUN_LEN) ==
	    RUN_LEN && run_parse(line, r) == 0 && t >= r[1] &&
	    t - r[1] <= QGTM_HEARTBEAT_GAP_S) {
		at -= RUN_LEN;
		r[1] = t;
		r[2]++;
	} else if (at >= RUN_LEN * RUNS_MAX) {
		if (pread(fd, buf, sizeof buf, at - (off_t)sizeof buf) !=
		    (ssize_t)sizeof buf || pwrite(fd, buf, sizeof buf, 0) !=
		    (ssize_t)sizeof buf)
			return -1;
		at = sizeof buf;
		r[0] = r[1] = t;
		r[2] = 1;
	} else {
		r[0] = r[1] = t;
		r[2] = 1;
	}
	if (snprintf(line, sizeof line, "%011lld %011lld %010lld\n", r[0],
	    r[1], r[2] % 10000000000LL) != RUN_LEN)
		return -1;
	if (pwrite(fd, line, RUN_LEN, at) != RUN_LEN ||
	    ftruncate(fd, at + RUN_LEN) == -1)
		return -1;
	return 0;
}

/* Add the beat at t to the history; 0 or -1 with the error. */
static int
history_beat(time_t t)
{
	char *path = qgtm_state_path(QGTM_HEARTBEAT_RUNS, 1);
	struct stat st;
	int fd, rc = -1;

	if (path == NULL)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd != -1) {
		while ((rc = flock(fd, LOCK_EX)) == -1 && errno == EINTR)
			;
		if (rc == 0)
			rc = fstat(fd, &st) == -1 ? -1 : runs_add(fd,
			    st.st_size, t);
	}
	if (rc == -1)
		qgtm_seterr_errno(QGTM_EX_IOERR, "cannot record the beat in "
		    "'%s'", path);
	if (fd != -1)
		close(fd);
	free(path);
	return rc;
}

int
qgtm_heartbeat_week(time_t from, time_t now, struct qgtm_heartbeat_count *c)
{
	char *path = qgtm_state_path(QGTM_HEARTBEAT_RUNS, 0);
	FILE *f = path != NULL ? fopen(path, "r") : NULL;
	char line[RUN_LEN + 1];
	long long r[3], end = 0;

	memset(c, 0, sizeof *c);
	if (f == NULL) {
		free(path);
		return 0;
	}
	free(path);
	while (fread(line, 1, RUN_LEN, f) == RUN_LEN) {
		if (run_parse(line, r) == -1 || r[1] < from || r[0] > now)
			continue;
		c->runs++;
		/* A run begun before from counts its share of beats. */
		c->beats += r[0] >= from ? r[2] : r[1] == r[0] ? 1 :
		    r[2] * (r[1] - from) / (r[1] - r[0]);
		c->gaps += end > 0 && r[0] - end > QGTM_HEARTBEAT_GAP_S;
		end = r[1];
	}
	fclose(f);
	/* The gap still open at now is a gap too. */
	c->gaps += end > 0 && now - end > QGTM_HEARTBEAT_GAP_S;
	return 0;
}

json_t *
qgtm_heartbeat_beat(struct qgtm_ks *ks, const char *name)
{
	json_t *rec = qgtm_record_new("heartbeat", NULL);
	char host[256], pid[24];

	if (gethostname(host, sizeof host) == -1)
		snprintf(host, sizeof host, "unknown");
	host[sizeof host - 1] = '\0';
	snprintf(pid, sizeof pid, "%ld", (long)getpid());
	json_object_set_new(rec, "name", json_string(name));
	json_object_set_new(rec, "host", json_string(host));
	json_object_set_new(rec, "pid", json_string(pid));
	if (qgtm_ks_beat(ks, rec) == -1 || history_beat(qgtm_now()) == -1) {
		json_decref(rec);
		return NULL;
	}
	return rec;
}

time_t
qgtm_heartbeat_last(struct qgtm_ks *ks)
{
	const char *ts;
	json_t *obj;
	time_t t = 0;

	if (qgtm_ks_load(ks, "heartbeat", &obj) == 1 &&
	    ((ts = json_string_value(json_object_get(obj, "ts"))) == NULL ||
	    qgtm_time_parse(ts, &t) == -1))
		t = 0;
	json_decref(obj);
	return t;
}
