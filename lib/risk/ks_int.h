/*
 * risk/ks_int.h: internal to the kill switch (lib/risk/ks.c and its
 * backends lib/risk/ks_file.c and lib/risk/ks_redis.c): the table of
 * operations a state backend exports, one table a backend. ks.c picks the
 * table of state.backend and calls the backend only through it.
 */
#ifndef QGTM_RISK_KS_INT_H
#define QGTM_RISK_KS_INT_H

#include "risk/risk.h"

/*
 * A state backend. Objects are flat JSON objects of strings by name
 * ("state", "marker", "eval", "heartbeat", "requests/ID"); streams are
 * append-only lists of records ("history", and with Redis "heartbeats").
 * open and close set up and let go of what ks holds for the backend;
 * begin takes the backend's lock (0 or -1) and end lets it go. load
 * returns 1 found (*out a new reference), 0 absent or -1 (QGTM_EX_DATAERR
 * corrupt, QGTM_EX_IOERR unreadable, other codes unreachable), *out NULL
 * unless found; store replaces an object, 0 or -1; range is a stream's
 * records, oldest first (a new array), or NULL; commit writes the state,
 * appends the event (may be NULL) to "history" and sets the marker,
 * returning 1, 0 when another writer changed the state since begin (try
 * again), or -1; beat makes rec the object "heartbeat" (and, where
 * streams are bounded, adds it to the stream "heartbeats"), returning 0
 * or -1. A remote backend keeps its state off this host: a change also
 * takes the file lock risk/lock (the audit chain is a file of this host)
 * and each good read keeps the marker file QGTM_KS_MARKER.
 */
struct qgtm_ks_backend {
	const char *name;
	int remote;
	int (*open)(struct qgtm_ks *ks);
	void (*close)(struct qgtm_ks *ks);
	int (*begin)(struct qgtm_ks *ks);
	int (*commit)(struct qgtm_ks *ks, json_t *state, json_t *event);
	void (*end)(struct qgtm_ks *ks);
	int (*load)(struct qgtm_ks *ks, const char *name, json_t **out);
	int (*store)(struct qgtm_ks *ks, const char *name, json_t *obj);
	json_t *(*range)(struct qgtm_ks *ks, const char *stream);
	int (*beat)(struct qgtm_ks *ks, json_t *rec);
};

/* The file backend (lib/risk/ks_file.c): files under the state directory,
 * QGTM_KS_STATE (the tier), QGTM_KS_MARKER (the marker), risk/NAME.json
 * (the other objects) and risk/STREAM.jsonl (the streams), changed under
 * the flock of QGTM_KS_LOCK. */
extern const struct qgtm_ks_backend qgtm_ks_file_backend;

/* The Redis backend (lib/risk/ks_redis.c): hashes qgtm:killswitch (the
 * tier), qgtm:killswitch:init (the marker), qgtm:eval, qgtm:heartbeat and
 * qgtm:requests:ID; streams qgtm:killswitch:events (the history) and
 * qgtm:heartbeats (XADD MAXLEN ~ 10000), each entry one field "data"
 * holding the record. */
extern const struct qgtm_ks_backend qgtm_ks_redis_backend;

/*
 * qgtm_ks_state_is (lib/risk/ks.c): 1 when ks's backend holds state
 * already (a failed store or commit that put it in place all the same,
 * as when only syncing the directory failed), else 0.
 */
int qgtm_ks_state_is(struct qgtm_ks *ks, json_t *state);

#endif /* QGTM_RISK_KS_INT_H */
