/*
 * risk/risk.h: the public header of lib/risk/: the risk gate, its rules, the heartbeat, the kill switch and its backends, resets.
 */
#ifndef QGTM_RISK_H
#define QGTM_RISK_H

#include "base/base.h"
#include "book/book.h"
#include "net/net.h"
#include "audit/audit.h"
#include "data/data.h"

/* ------------------------------------------------------------- clock -- */

/* qgtm_clock_marks: read the marks of cfg's state into m; never fails (a
 * part that cannot be read is 0). */
void qgtm_clock_marks(const struct qgtm_cfg *cfg, struct qgtm_clock_marks *m);

/*
 * qgtm_clock_sane: 1 when now is at most risk.clock_max_behind_s before
 * the stored, beat and audit marks of m (not before data: an observation
 * may be stored before it becomes available, as FRED's vintage dates
 * are) and at most risk.clock_max_ahead_s after the data mark and after
 * the audit mark (a mark of 0 is not checked); else 0 with the reason in
 * why (n bytes).
 */
int qgtm_clock_sane(const struct qgtm_cfg *cfg, time_t now,
    const struct qgtm_clock_marks *m, char *why, size_t n);

/*
 * qgtm_clock_guard: the check of every acting program. The marks of the
 * state are read and, when qgtm_now() is not sane against them (a pinned
 * clock is checked too: a replay into a state of its own never is behind
 * it), the kill switch is escalated to NO_NEW (only
 * up; by "clock-check", the reason as its reason; the "tier" record
 * printed on stdout when emit is set), the reason goes to stderr and to
 * the Discord alert, and 1 is returned: the caller acts as at least
 * NO_NEW whether or not the escalation could be recorded. Returns 0 when
 * the clock is sane.
 */
int qgtm_clock_guard(const struct qgtm_cfg *cfg, int emit);

/* -------------------------------------------------------------- risk -- */

/*
 * The pre-trade risk gate (lib/risk/gate.c, qgtm-risk(1)): the target weights of
 * a signal are checked against the limits of the config's risk section,
 * with the equity and positions of the OMS book, and become a decision with
 * the approved weights and the reason code of every limit that bound.
 */

/*
 * Reason codes, one bit each, numbered in the alphabetical order of their
 * names so that walking the bits upwards lists them sorted. Those in
 * QGTM_RISK_REJECT reject a target; the others resize it.
 */
enum {
	QGTM_RISK_GROSS_EXPOSURE = 1 << 0,
	QGTM_RISK_KILL_SWITCH_FLATTEN = 1 << 1,
	QGTM_RISK_KILL_SWITCH_NO_NEW = 1 << 2,
	QGTM_RISK_KILL_SWITCH_THROTTLE = 1 << 3,
	QGTM_RISK_NET_EXPOSURE = 1 << 4,
	QGTM_RISK_NO_EQUITY = 1 << 5,
	QGTM_RISK_NO_PRICE = 1 << 6,
	QGTM_RISK_ORDER_NOTIONAL = 1 << 7,
	QGTM_RISK_ORDER_RATE = 1 << 8,
	QGTM_RISK_POSITION_NOTIONAL = 1 << 9,
	QGTM_RISK_POSITION_PCT = 1 << 10,
	QGTM_RISK_PRICE_COLLAR = 1 << 11,
	QGTM_RISK_SYMBOL_NOT_ALLOWED = 1 << 12,
	QGTM_RISK_UNKNOWN_SYMBOL = 1 << 13
};
#define QGTM_RISK_REJECT \
	(QGTM_RISK_NO_EQUITY | QGTM_RISK_NO_PRICE | QGTM_RISK_UNKNOWN_SYMBOL | \
	QGTM_RISK_KILL_SWITCH_FLATTEN | QGTM_RISK_KILL_SWITCH_NO_NEW | \
	QGTM_RISK_ORDER_RATE | QGTM_RISK_PRICE_COLLAR | \
	QGTM_RISK_SYMBOL_NOT_ALLOWED)
#define QGTM_RISK_NREASONS 14

/* qgtm_risk_reason_name: the name of one reason bit ("GROSS_EXPOSURE"),
 * or NULL when reason is not exactly one known bit. Borrowed (static). */
const char *qgtm_risk_reason_name(unsigned reason);

/* The limits as enforced, in exact units. */
struct qgtm_risk_limits {
	int64_t max_position_notional;  /* QGTM_CENTS */
	int64_t max_position_pct;       /* QGTM_WEIGHT_SCALE, of equity */
	int64_t max_gross_exposure;     /* QGTM_WEIGHT_SCALE, of equity */
	int64_t max_order_notional;     /* QGTM_CENTS */
	int64_t throttle_scale;         /* QGTM_WEIGHT_SCALE, kept under
	                                   THROTTLE */
	int64_t max_net_exposure;       /* QGTM_WEIGHT_SCALE, of equity */
	int64_t price_collar;           /* QGTM_WEIGHT_SCALE, of the close */
	long long max_orders_per_day;   /* 0: no limit */
	long long max_orders_per_minute;        /* 0: no limit */
	json_t *allowed_symbols;        /* borrowed from cfg; [] is all */
};

/* The gate of one qgtm-risk run: the limits, the book and the equity. */
struct qgtm_risk {
	const struct qgtm_cfg *cfg;     /* borrowed */
	struct qgtm_risk_limits lim;
	struct qgtm_book *book;         /* owned */
	int64_t equity;                 /* QGTM_CENTS: the book marked at as_of */
	time_t as_of;                   /* the moment prices are taken at */
	int tier;                       /* the kill switch's effective tier;
	                                   NORMAL after qgtm_risk_init() */
	long long orders_day;           /* placed today (New York day) */
	long long orders_minute;        /* placed in the last 60 s */
};

/*
 * qgtm_risk_limits_load: the limits of cfg's risk section; fractions are
 * rounded to QGTM_WEIGHT_SCALE. A negative or unrepresentable limit is
 * QGTM_EX_CONFIG. Returns 0 or -1.
 */
int qgtm_risk_limits_load(const struct qgtm_cfg *cfg,
    struct qgtm_risk_limits *lim);

struct qgtm_rules;

/*
 * qgtm_risk_limits_record: a "limits" record (new reference) with the
 * limits as decimal strings, the rules of qgtm-risk evaluate
 * (qgtm_rules_limits_json()), common.universe, common.price_source and
 * "config", the file they came from (null for built-in defaults).
 */
json_t *qgtm_risk_limits_record(const struct qgtm_cfg *cfg,
    const struct qgtm_risk_limits *lim, const struct qgtm_rules *ru);

/* One target as the gate sees it. */
struct qgtm_risk_target {
	char symbol[16];
	int64_t weight;         /* requested, QGTM_WEIGHT_SCALE */
	int64_t approved;       /* set by qgtm_risk_apply() */
	int64_t price;          /* the close used, QGTM_PRICE_SCALE */
	int64_t ref_price;      /* the signal's own price, or 0 */
	int64_t current;        /* notional of the position held, QGTM_CENTS */
	unsigned reasons;       /* QGTM_RISK_* bits */
};

/*
 * qgtm_risk_apply: apply the limits to the n targets t at equity (cents).
 * A target whose reasons already hold a QGTM_RISK_REJECT bit (set by the
 * caller for UNKNOWN_SYMBOL, SYMBOL_NOT_ALLOWED, NO_PRICE or
 * PRICE_COLLAR), or every target when equity is
 * not positive (NO_EQUITY), is rejected: approved 0, taking no part in the
 * rest. The others start at their requested weight and go through, in this
 * order, each adding its bit to the target it cuts:
 *  POSITION_NOTIONAL: |weight * equity| (cents, half even) above
 *	max_position_notional: weight cut to it, rounded toward zero;
 *  POSITION_PCT: |weight| above max_position_pct: cut to it;
 *  GROSS_EXPOSURE: the sum of |weight| above max_gross_exposure: every
 *	weight scaled by max / sum, rounded toward zero;
 *  NET_EXPOSURE: |the sum of weights| above max_net_exposure: every
 *	weight scaled by max / |sum|, rounded toward zero;
 *  ORDER_NOTIONAL: |weight * equity - current| above max_order_notional:
 *	the target moved toward current until the difference is the limit,
 *	rounded toward current.
 * Returns 0, or -1 (QGTM_EX_DATAERR) on an overflow.
 */
int qgtm_risk_apply(const struct qgtm_risk_limits *lim, int64_t equity,
    struct qgtm_risk_target *t, size_t n);

/*
 * qgtm_risk_apply_rate: the order rate limits, after the tier: with
 * day and minute the orders already placed today (New York day) and in
 * the last 60 seconds, each target that would trade (approved not its
 * position's weight cur) past the first allowed ones, in order, is
 * rejected (ORDER_RATE). Allowed: max_orders_per_day - day and
 * max_orders_per_minute - minute, the smaller; each limit halved
 * (rounded up) under THROTTLE; a limit of 0 is none. equity must be
 * positive.
 */
void qgtm_risk_apply_rate(const struct qgtm_risk_limits *lim, int tier,
    long long day, long long minute, int64_t equity,
    struct qgtm_risk_target *t, size_t n);

/*
 * qgtm_risk_apply_tier: the kill switch's step, after qgtm_risk_apply(),
 * on the targets not rejected yet, with cur the weight of the position
 * held (current / equity, toward zero):
 *  THROTTLE: the move from cur kept at throttle_scale, toward cur
 *	(KILL_SWITCH_THROTTLE when that changes it);
 *  NO_NEW: a target that is not risk-reducing (|approved| above |cur|, or
 *	the other side of zero) is rejected (KILL_SWITCH_NO_NEW);
 *  FLATTEN: every target is rejected (KILL_SWITCH_FLATTEN).
 * NORMAL and WARN change nothing. equity must be positive.
 */
void qgtm_risk_apply_tier(const struct qgtm_risk_limits *lim, int tier,
    int64_t equity, struct qgtm_risk_target *t, size_t n);

/*
 * qgtm_risk_init: load the limits and the OMS book from cfg, mark the
 * book at the last closes available at as_of (common.price_source), and
 * count the orders of the journal placed today and in the last minute.
 * Returns 0 or -1; on -1 r holds nothing to release.
 */
int qgtm_risk_init(struct qgtm_risk *r, const struct qgtm_cfg *cfg,
    time_t as_of);

/*
 * qgtm_risk_decide: check one signal record (borrowed) and return its
 * decision record (new reference, same trace_id): strategy, params_hash,
 * status ("approved" when no limit bound, "resized" when something was cut
 * or rejected, "rejected" when every target was), reasons (the names of
 * every bit set on any target, sorted), equity (cents), targets (one per
 * signal target, in order: symbol, weight, approved_weight, price, reasons;
 * approved_weight and price are null for a rejected target, price also
 * when none is known), tier (r->tier's name) and as_of (the signal's).
 * The limits apply, then r->tier (qgtm_risk_apply_tier()), then the
 * order rates (qgtm_risk_apply_rate()). A target not in
 * risk.allowed_symbols (when not empty) is SYMBOL_NOT_ALLOWED; one that
 * carries a "price" (decimal string) further than price_collar from the
 * close is PRICE_COLLAR. A target not in
 * common.universe is UNKNOWN_SYMBOL; one without a close at r->as_of is
 * NO_PRICE. A malformed signal is NULL with QGTM_EX_DATAERR
 * "field 'targets[1].weight': ...".
 */
json_t *qgtm_risk_decide(struct qgtm_risk *r, json_t *signal);

/* qgtm_risk_release: free what r owns. */
void qgtm_risk_release(struct qgtm_risk *r);

/* ---------------------------------------------------------- decision -- */

/*
 * The decision record (lib/risk/decision.c): written by the risk gate
 * (qgtm_risk_decide), read by the OMS and the backtest.
 */

/*
 * qgtm_decision_record: the decision record (new reference) of signal
 * (borrowed) whose n targets t went through the limits of r, as
 * qgtm_risk_decide() describes it: trace_id, strategy, params_hash and
 * as_of the signal's, status, reasons, equity (r->equity), targets and
 * tier (r->tier's name).
 */
json_t *qgtm_decision_record(const struct qgtm_risk *r, json_t *signal,
    const struct qgtm_risk_target *t, size_t n);

/* One target of a decision as the OMS reads it. */
struct qgtm_intent {
	char symbol[16];
	int approved;           /* 0: rejected by risk, never traded */
	int64_t weight;         /* approved weight, QGTM_WEIGHT_SCALE */
};

/* A decision record as the OMS reads it. Owns its strings and t. */
struct qgtm_decision {
	char *strategy;
	char *trace_id;
	int tradable;           /* status is "approved" or "resized" */
	struct qgtm_intent *t;
	size_t n;
};

/*
 * qgtm_decision_parse: read a decision record (borrowed) into d: strategy,
 * trace_id, status and every target's symbol and approved_weight (a
 * decimal string, or null for a rejected target). Anything else is
 * QGTM_EX_DATAERR "field 'targets[0].approved_weight': ...". Returns 0 or
 * -1; on -1 d holds nothing to release.
 */
int qgtm_decision_parse(json_t *rec, struct qgtm_decision *d);

/* qgtm_decision_release: free what d owns and zero it. */
void qgtm_decision_release(struct qgtm_decision *d);

/* --------------------------------------------------------------- oms -- */

/* -------------------------------------------------------- killswitch -- */

/*
 * The kill switch (lib/risk/ks.c, qgtm-risk(1)). Five ordered tiers;
 * the tier lives in a state backend, "file" (under the state directory) or
 * "redis://host:port/db" (config key state.backend), as a flat object of
 * strings: tier, seq (changes so far), since, reason, by, approved_by.
 * Every change is a compare-and-set under the backend's lock and leaves a
 * "tier" record in the backend's history stream. A state that cannot be
 * trusted (missing although it existed once, unreadable, corrupt, or the
 * backend unreachable) reads as at least NO_NEW: it fails closed.
 */
enum {
	QGTM_TIER_NORMAL, QGTM_TIER_WARN, QGTM_TIER_THROTTLE,
	QGTM_TIER_NO_NEW, QGTM_TIER_FLATTEN
};
#define QGTM_NTIERS 5

/* One tier of the kill switch, from the one table (lib/risk/tier.c). */
struct qgtm_tier_info {
	const char *name;       /* "NORMAL" ... "FLATTEN" */
	const char *meaning;    /* a few plain words: "No new trades" */
	const char *sentence;   /* plain English, for the pages */
	const char *consequence;        /* what it does to orders, for alerts */
};

/* qgtm_tier_info: the table's row of tier, or NULL out of range. Static. */
const struct qgtm_tier_info *qgtm_tier_info(int tier);
/* qgtm_tier_name: "NORMAL" ... "FLATTEN", or NULL out of range. Static. */
const char *qgtm_tier_name(int tier);
/* qgtm_tier_parse: the tier named s (upper case), or -1. */
int qgtm_tier_parse(const char *s);

/* The health of the state as read. */
enum {
	QGTM_KS_OK, QGTM_KS_MISSING, QGTM_KS_CORRUPT, QGTM_KS_UNREADABLE,
	QGTM_KS_UNAVAILABLE,
	QGTM_KS_TAMPERED,       /* the state disagrees with the audit chain,
	                           or the chain holds a bad kill-switch record */
	QGTM_KS_UNDURABLE       /* a change was asked but not made durable */
};
/* qgtm_ks_health_name: "ok", "missing", ... Static. */
const char *qgtm_ks_health_name(int health);

/* The files of the file backend, relative to the state directory. The
 * marker is written with the first state and never removed: a state
 * missing while the marker exists is fail-closed, not a fresh start. With
 * Redis, the marker file is kept too, by every read of a good state, so a
 * Redis that lost its data reads as missing on any host that saw it. */
#define QGTM_KS_STATE "risk/killswitch.json"
#define QGTM_KS_MARKER "risk/killswitch.init"
#define QGTM_KS_LOCK "risk/lock"
/* The program key made on first use when risk.program_key is "". */
#define QGTM_KS_PROGRAM_KEY "risk/program.key"
/* The disk reserve and the intent slot (lib/risk/ks_disk.c). */
#define QGTM_KS_RESERVE "risk/reserve"
#define QGTM_KS_RESERVE_BYTES (1024L * 1024)
#define QGTM_KS_INTENT "risk/killswitch.intent"
#define QGTM_KS_INTENT_BYTES 4096
/* How long a writer waits for risk/lock before QGTM_EX_TEMPFAIL. */
#define QGTM_KS_LOCK_MS 10000

/* The state as read. */
struct qgtm_ks_state {
	int tier;               /* as stored (NORMAL when health is not OK) */
	int effective;          /* what checks act on: tier, or at least
	                           NO_NEW when health is not OK */
	int health;             /* QGTM_KS_* */
	long long seq;          /* changes so far */
	char since[21];         /* RFC 3339 of the last change */
	char reason[256];
	char by[64];
	char approved_by[64];   /* "" unless a two-person reset */
	char detail[1024];      /* why health is not OK */
};

/* The table of a state backend, internal to the kill switch
 * (lib/risk/ks_int.h). */
struct qgtm_ks_backend;

/* An open backend. Owns url and the connection. */
struct qgtm_ks {
	const struct qgtm_cfg *cfg;     /* borrowed */
	const struct qgtm_ks_backend *be;
	char *url;              /* state.backend as configured */
	int lockfd;             /* file backend: risk/lock while held */
	void *conn;             /* redis backend: the connection */
	int chainfd;            /* other backends: risk/lock during a change */
};

/*
 * qgtm_ks_open: the backend of cfg's state.backend. An unknown scheme is
 * QGTM_EX_CONFIG. Connection trouble is not an error here: it shows as
 * the health of each read. Returns 0 or -1; on -1 ks holds nothing.
 */
int qgtm_ks_open(struct qgtm_ks *ks, const struct qgtm_cfg *cfg);
/* qgtm_ks_close: disconnect and free what ks owns. */
void qgtm_ks_close(struct qgtm_ks *ks);

/*
 * qgtm_ks_read: the state into st; never fails. A backend that never held
 * a state (no state, no marker) is initialized NORMAL under its lock. Any
 * trouble sets st->health and st->detail and makes st->effective at least
 * NO_NEW; the library error holds the message.
 */
void qgtm_ks_read(struct qgtm_ks *ks, struct qgtm_ks_state *st);

/* A change of tier asked for. */
struct qgtm_ks_change {
	int to;
	const char *reason;
	const char *by;
	const char *approved_by;        /* NULL unless a two-person reset */
	const char *request_id;         /* likewise */
	int only_up;            /* nothing to do unless to is higher */
	long long expect_seq;   /* -1, or refuse unless seq is this */
	const char *keypath;    /* the acting operator's private key, whose
	                           signature the record carries; NULL: the
	                           program key signs (only raises count) */
	json_t *request;        /* a two-person reset: the signed request */
	json_t *approval;       /* and its signed approval (both borrowed) */
};

/*
 * qgtm_ks_change: compare-and-set the tier to c->to under the backend's
 * lock, retried when another writer got in between. Refused
 * (QGTM_EX_NOPERM): expect_seq given and the state changed or cannot be
 * trusted; a state that cannot be trusted and c->to below NO_NEW. An
 * escalation to NO_NEW or FLATTEN over such a state repairs it. Returns 1
 * with *rec the "tier" record written to the history (a new reference),
 * 0 when only_up and the tier is already c->to or higher, or -1.
 */
int qgtm_ks_change(struct qgtm_ks *ks, const struct qgtm_ks_change *c,
    json_t **rec);

/* qgtm_ks_history: the tier records at or after since, oldest first (a
 * new array), or NULL on a read error. */
json_t *qgtm_ks_history(struct qgtm_ks *ks, time_t since);

/*
 * qgtm_ks_state_record: a "risk_state" record (new reference) of st: tier
 * (effective), stored_tier, since, reason, by, approved_by, seq, backend,
 * health and detail.
 */
json_t *qgtm_ks_state_record(const struct qgtm_ks *ks,
    const struct qgtm_ks_state *st);

/*
 * qgtm_ks_load: the backend's object name (a flat JSON object of strings:
 * "eval", "heartbeat", "requests/ID") into *out, a new reference, NULL
 * unless found. Returns 1 found, 0 absent, or -1 (QGTM_EX_DATAERR
 * corrupt, QGTM_EX_IOERR unreadable, other codes unreachable).
 */
int qgtm_ks_load(struct qgtm_ks *ks, const char *name, json_t **out);
/* qgtm_ks_store: replace the backend's object name with obj (borrowed);
 * 0 or -1. */
int qgtm_ks_store(struct qgtm_ks *ks, const char *name, json_t *obj);
/* qgtm_ks_beat: make rec (borrowed) the backend's object "heartbeat"
 * and, where streams are bounded (Redis), add it to the stream
 * "heartbeats"; 0 or -1. */
int qgtm_ks_beat(struct qgtm_ks *ks, json_t *rec);

/*
 * The kill switch in the audit chain (lib/risk/ks_chain.c). Every change is a
 * "tier" record appended to audit.chain by the program that made it
 * (the first one records that the switch left its fresh NORMAL); each
 * carries "signer" (an operator of
 * risk.operators, or "program" for the key of risk.program_key) and its
 * Ed25519 "sig" (see lib/base/crypto.c); a record made under a pinned clock also
 * carries "clock":"pinned" and the system clock's "real_ts". A record
 * that lowers the tier counts only with the two-person reset in it.
 */
struct qgtm_ks_chain {
	int tier;               /* the tier the valid records put in force */
	long long seq;          /* seq of the last valid tier record, or 0 */
	unsigned long records;  /* valid tier records */
	unsigned long entries;  /* entries of the chain */
	long long published;    /* entries of the newest published
	                           checkpoint, 0 when none is published,
	                           -1 when they cannot be read */
	char since[21];         /* ts of the last valid tier record */
	char bad[1024];         /* why the chain cannot be trusted, or "" */
	json_t *sigs;           /* each valid tier record by its sig */
};

/* qgtm_ks_chain_path: the audit chain of cfg (a new string), NULL on
 * error; its directory is made with mkdirs. */
char *qgtm_ks_chain_path(const struct qgtm_cfg *cfg, int mkdirs);
/* qgtm_ks_chain_read: replay the kill switch's records of the chain into
 * ch (release it with qgtm_ks_chain_release); never fails: trouble is in
 * ch->bad. */
void qgtm_ks_chain_read(const struct qgtm_cfg *cfg, struct qgtm_ks_chain *ch);
void qgtm_ks_chain_release(struct qgtm_ks_chain *ch);
/* qgtm_ks_chain_append: append rec (borrowed) to the chain; on a failure
 * the disk reserve is released and the append tried once more. 0 or -1. */
int qgtm_ks_chain_append(const struct qgtm_cfg *cfg, json_t *rec);
/*
 * qgtm_ks_sign: sign rec as by with the private key in keypath, or (NULL)
 * with the program key, adding "signer", the pinned-clock marks and
 * "sig". Refused (QGTM_EX_NOPERM) when by is no operator or the key is not
 * theirs. 0 or -1.
 */
int qgtm_ks_sign(const struct qgtm_cfg *cfg, json_t *rec, const char *by,
    const char *keypath);
/* qgtm_ks_mark_clock: when the clock is pinned, add "clock":"pinned" and
 * the system clock's "real_ts" to rec. */
void qgtm_ks_mark_clock(json_t *rec);
/* qgtm_ks_program_key: the program's private key (free with
 * qgtm_key_free), made when risk.program_key is "" and none exists yet
 * (qgtm_ks_read makes it ahead); NULL on error. */
struct evp_pkey_st *qgtm_ks_program_key(const struct qgtm_cfg *cfg);
/*
 * qgtm_ks_two_person: 1 when request req and approval appr are signed by
 * the configured keys of two operators whose keys differ, the approval is
 * of this request and was made before it expired; else 0 with *why.
 */
int qgtm_ks_two_person(const struct qgtm_cfg *cfg, json_t *req, json_t *appr,
    const char **why);

/*
 * Safety acts on a full disk (lib/risk/ks_disk.c). qgtm_ks_prepare: make the
 * intent slot and (with room to spare) the disk reserve; -1 when the slot
 * cannot be made. qgtm_ks_reserve: make the reserve when missing and the
 * disk has 4 times its size free. qgtm_ks_reserve_release: delete it
 * after a failed write (whose error it warns about); 1 when there was one. qgtm_ks_intent_set: rewrite the slot in place with
 * intent (borrowed); 0 or -1. qgtm_ks_intent_clear: empty it.
 * qgtm_ks_intent_get: the pending intent (a new reference), or NULL.
 */
int qgtm_ks_prepare(void);
void qgtm_ks_reserve(void);
int qgtm_ks_reserve_release(void);
int qgtm_ks_intent_set(json_t *intent);
void qgtm_ks_intent_clear(void);
json_t *qgtm_ks_intent_get(void);

/* ---------------------------------------------------------- calendar -- */

/*
 * qgtm_reset_request: ask to lower the kill switch to r->to. The state
 * must be trustworthy and at a higher tier. The request (id: 16 hex digits
 * of the SHA-256 of its content; to, from, seq, by, reason, created,
 * expires after risk.reset_expiry_minutes, sig) is stored in the backend
 * as "requests/ID". Returns the "reset_request" record (new reference) or
 * NULL.
 */
json_t *qgtm_reset_request(struct qgtm_ks *ks, const struct qgtm_reset *r,
    const char **why);

/*
 * qgtm_reset_approve: approve request id as operator by, signing with the
 * key in keypath, and apply it: only when by is a configured operator, the
 * requester is one too and the request's signature verifies under their
 * key, by is not the requester, the request has not expired, the state's
 * seq is still the request's (the tier has not changed since), and by's
 * signature verifies under by's configured key. The change is a
 * compare-and-set on that seq. Returns the "reset_approval" record
 * (request_id, request_sig, by, to, ts, sig; new reference) with *tier_rec
 * the "tier" record, or NULL.
 */
json_t *qgtm_reset_approve(struct qgtm_ks *ks, const char *id, const char *by,
    const char *keypath, json_t **tier_rec, const char **why);
/* qgtm_operator_key: the configured public key of operator name (free with
 * qgtm_key_free), or NULL when not an operator. */
struct evp_pkey_st *qgtm_operator_key(const struct qgtm_cfg *cfg,
    const char *name);

/* qgtm_rules_load: the rules of cfg (in lib/risk/gate.c, beside the limits);
 * a fraction outside 0-1 or a negative count is QGTM_EX_CONFIG. Returns
 * 0 or -1. */
int qgtm_rules_load(const struct qgtm_cfg *cfg, struct qgtm_rules *ru);

/* qgtm_rules_limits_json: add the rules to a limits record, as enforced. */
void qgtm_rules_limits_json(const struct qgtm_rules *ru, json_t *rec);

/* qgtm_eval_load: ev from the backend (all zero when absent). Returns 0,
 * or -1 (QGTM_EX_DATAERR when malformed). qgtm_eval_store: write it back;
 * 0 or -1. */
int qgtm_eval_load(struct qgtm_ks *ks, struct qgtm_eval *ev);
int qgtm_eval_store(struct qgtm_ks *ks, const struct qgtm_eval *ev);

/* qgtm_eval_order: count an "order" record (borrowed): status "rejected"
 * adds a reject in a row, "filled" ends the run. Others are ignored. */
void qgtm_eval_order(struct qgtm_eval *ev, json_t *rec);

/*
 * qgtm_rules_equity: the loss rules at equity (cents, unrealized PnL
 * included) on day (YYYY-MM-DD). A new day makes equity its start; the
 * peak follows equity up. For the daily loss (from the day's start) and
 * the drawdown (from the peak), each as a fraction: at or over its limit
 * it counts a breach in a row and asks for loss_tier after
 * breaches_to_trip of them (WARN before); under it the count starts
 * again, and at warn_at of the limit or more it asks for WARN. A limit of
 * 0 is off. Sets ev->daily_loss and ev->drawdown.
 */
void qgtm_rules_equity(const struct qgtm_rules *ru, struct qgtm_eval *ev,
    int64_t equity, const char *day, struct qgtm_verdict *v);

/*
 * qgtm_rules_other: the other rules at now: reject_tier after
 * max_rejects_in_a_row rejects; heartbeat_tier when the newest heartbeat
 * is older than max_heartbeat_gap_s or there is none; stale_feed_tier
 * when a required feed is not healthy (qgtm_feed_health()). Returns 0, or
 * -1 when the feed health cannot be read.
 */
int qgtm_rules_other(struct qgtm_ks *ks, const struct qgtm_rules *ru,
    const struct qgtm_eval *ev, time_t now, struct qgtm_verdict *v);

/* --------------------------------------------------------- heartbeat -- */

/*
 * qgtm_heartbeat_beat: record a heartbeat of name (lib/risk/heartbeat.c) in
 * the backend: a "heartbeat" record (name, host, pid) made the newest
 * beat. Returns the record (new reference) or NULL.
 */
json_t *qgtm_heartbeat_beat(struct qgtm_ks *ks, const char *name);

/* qgtm_heartbeat_last: the time of the newest heartbeat, 0 when none or
 * it cannot be read. */
time_t qgtm_heartbeat_last(struct qgtm_ks *ks);

/* The beat history of qgtm_heartbeat_beat (a state file of runs of beats,
 * each beat at most QGTM_HEARTBEAT_GAP_S after the one before; bounded at
 * 2048 runs, 70 KB) and the gap that counts as one. */
#define QGTM_HEARTBEAT_RUNS "risk/beats.runs"
#define QGTM_HEARTBEAT_GAP_S 60

/* The beats of [from, now] and the gaps over QGTM_HEARTBEAT_GAP_S between
 * them (the one still open at now included); runs 0: no history. */
struct qgtm_heartbeat_count {
	long long beats, gaps, runs;
};

/*
 * qgtm_heartbeat_week: count the beats of the history in [from, now] into
 * *c (a run begun before from counts its share). A missing history counts
 * nothing. Returns 0 (a line that cannot be read is skipped).
 */
int qgtm_heartbeat_week(time_t from, time_t now,
    struct qgtm_heartbeat_count *c);

#include "banned.h"

#endif /* QGTM_RISK_H */
