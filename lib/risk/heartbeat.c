/*
 * heartbeat.c: liveness beats in the kill switch's backend. The newest
 * beat is the object "heartbeat"; a backend that keeps bounded streams
 * (Redis: XADD MAXLEN ~) also keeps the recent ones. qgtm-risk evaluate
 * escalates when the newest is too old.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "risk/risk.h"

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
	if (qgtm_ks_beat(ks, rec) == -1) {
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
