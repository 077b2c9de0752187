/*
 * base/base.h: the public header of lib/base/: errors, memory, the byte buffer, the log, JSON Lines, the config and its keys, the clock, exact money, the state directory, faults, UTF-8 text, keys and signatures.
 */
#ifndef QGTM_BASE_H
#define QGTM_BASE_H

#include <sys/types.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>

#define QGTM_VERSION "0.1.0"

struct qgtm_cfg;

/* --------------------------------------------------------------- err -- */

/* Exit codes (CONTRIBUTING.md "Exit codes"); every man page lists its own. */
enum {
	QGTM_EX_OK = 0,
	QGTM_EX_NO = 1,
	QGTM_EX_USAGE = 64,
	QGTM_EX_DATAERR = 65,
	QGTM_EX_NOINPUT = 66,
	QGTM_EX_UNAVAILABLE = 69,
	QGTM_EX_SOFTWARE = 70,
	QGTM_EX_OSERR = 71,
	QGTM_EX_CANTCREAT = 73,
	QGTM_EX_IOERR = 74,
	QGTM_EX_TEMPFAIL = 75,
	QGTM_EX_PROTOCOL = 76,
	QGTM_EX_NOPERM = 77,
	QGTM_EX_CONFIG = 78
};

/* The program's short name ("qgtm-risk"), set by qgtm_init(). Borrowed. */
extern const char *qgtm_progname;

/*
 * qgtm_init: first call of every main(). Records the program name from
 * argv0, makes sure fds 0-2 are open, sets SIGPIPE to default (or ignores it
 * when ignore_sigpipe is set, for programs with side effects, which then see
 * EPIPE as a write error), sets LC_NUMERIC to "C", makes stdout line-buffered,
 * and reads QGTM_LOG_FORMAT, QGTM_DEBUG and JOURNAL_STREAM for the logger.
 */
void qgtm_init(const char *argv0, int ignore_sigpipe);

/*
 * qgtm_seterr: record an error message (printf format) and the exit code a
 * program should use for it. Always returns -1, so library code can write
 * `return qgtm_seterr(QGTM_EX_DATAERR, "...")`.
 */
int qgtm_seterr(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* qgtm_seterr_errno: as qgtm_seterr, appending ": strerror(errno)". */
int qgtm_seterr_errno(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* qgtm_errmsg: the last recorded message. Borrowed; "" when none. */
const char *qgtm_errmsg(void);

/* qgtm_errcode: the exit code of the last recorded error (70 when none). */
int qgtm_errcode(void);

/*
 * qgtm_die: print "prog: message" to stderr and exit with code. Only for
 * code in cmd/. qgtm_die_lib() uses the last library error and its code.
 */
void qgtm_die(int code, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 2, 3)));
void qgtm_die_lib(void) __attribute__((noreturn));

/*
 * qgtm_atdie: fn runs when qgtm_die() ends the program (which skips the
 * atexit handlers), e.g. to remove a private temporary directory. One hook;
 * a later call replaces it.
 */
void qgtm_atdie(void (*fn)(void));

/* qgtm_warn: print "prog: warning: message" to stderr (always shown). */
void qgtm_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * qgtm_exit: the single exit path of a program. Flushes and closes stdout;
 * a write error there becomes QGTM_EX_IOERR with one line on stderr. Then
 * the program's trace spans end and are exported (qgtm_otel_finish(), as
 * qgtm_die() does too). Returns the status to hand to exit() or return
 * from main().
 */
int qgtm_exit(int rc);

/* qgtm_version: print "prog version" to stdout. */
void qgtm_version(void);

/* ------------------------------------------------------------- fault -- */

/*
 * Fault injection for the tests (lib/base/fault.c, qgtm(7) ENVIRONMENT):
 * QGTM_FAULT="kind:N[+],..." fails the N-th call of a kind in this process
 * (with "+", that call and every later one). The state writes
 * (lib/base/state.c) count write, fsync and rename; the qgtm_x* allocators
 * malloc; each HTTP attempt (lib/net/http.c) net.
 */
enum qgtm_fault_kind {
	QGTM_FAULT_WRITE,
	QGTM_FAULT_FSYNC,
	QGTM_FAULT_RENAME,
	QGTM_FAULT_MALLOC,
	QGTM_FAULT_NET,
	QGTM_FAULT_KINDS
};

/*
 * qgtm_fault: count a call of kind; 1 with errno set (ENOSPC for write,
 * ENOMEM for malloc, ECONNREFUSED for net, EIO otherwise) when this call
 * is to fail, else 0. The first call reads QGTM_FAULT; a malformed value
 * is one warning and no fault. Never allocates.
 */
int qgtm_fault(enum qgtm_fault_kind kind);

/* qgtm_fault_setup: replace the plan (and reset the counts) with spec, as
 * in QGTM_FAULT; NULL or "" injects nothing. Returns 0, or -1
 * (QGTM_EX_USAGE) for a malformed spec, which arms nothing. */
int qgtm_fault_setup(const char *spec);

/* --------------------------------------------------------------- mem -- */

/* Allocation that dies with QGTM_EX_OSERR on out-of-memory (signify). */
void *qgtm_xmalloc(size_t n);
void *qgtm_xcalloc(size_t nmemb, size_t size);
void *qgtm_xrealloc(void *p, size_t n);
char *qgtm_xstrdup(const char *s);
/* qgtm_xasprintf: formatted string; returns a new allocation (free()). */
char *qgtm_xasprintf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* --------------------------------------------------------------- buf -- */

/*
 * A growable byte buffer with a mandatory cap (curl dynbuf). data is always
 * NUL-terminated after len bytes. The buffer owns data.
 */
struct qgtm_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

/* qgtm_buf_init: empty buffer that may grow to max bytes; no allocation. */
void qgtm_buf_init(struct qgtm_buf *b, size_t max);
/* qgtm_buf_add: append n bytes; -1 (QGTM_EX_DATAERR) past the cap. */
int qgtm_buf_add(struct qgtm_buf *b, const void *p, size_t n);
/* qgtm_buf_addf: append formatted text; -1 past the cap. */
int qgtm_buf_addf(struct qgtm_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* qgtm_buf_reset: len = 0, keep the memory. */
void qgtm_buf_reset(struct qgtm_buf *b);
/* qgtm_buf_release: free the memory; the buffer may be reused after init. */
void qgtm_buf_release(struct qgtm_buf *b);
/* qgtm_buf_detach: hand over data (a new allocation, free()); buffer empty. */
char *qgtm_buf_detach(struct qgtm_buf *b);

/* --------------------------------------------------------------- log -- */

enum {
	QGTM_LOG_ERR = 3,
	QGTM_LOG_WARNING = 4,
	QGTM_LOG_NOTICE = 5,
	QGTM_LOG_INFO = 6,
	QGTM_LOG_DEBUG = 7
};

/*
 * The current level: messages at or below it are printed. The default is
 * QGTM_LOG_WARNING (silent on success); -v raises it, -q lowers it,
 * QGTM_DEBUG=1 sets QGTM_LOG_DEBUG.
 */
extern int qgtm_log_level;

/*
 * qgtm_log_write: print one log line to stderr. fmt produces the body as
 * "key=value key=value" text (values with spaces in double quotes).
 * The line carries ts, level, prog and the current trace_id; with
 * QGTM_LOG_FORMAT=json it is one JSON object instead of key=value text.
 * Under systemd (JOURNAL_STREAM set) it is prefixed "<N>". Every registered
 * secret is replaced by "[REDACTED]". Use the macros below, which test the
 * level before formatting.
 */
void qgtm_log_write(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define qgtm_log(level, ...) do { \
	if ((level) <= qgtm_log_level) \
		qgtm_log_write((level), __VA_ARGS__); \
} while (0)
#define QGTM_ERR(...)    qgtm_log(QGTM_LOG_ERR, __VA_ARGS__)
#define QGTM_WARN(...)   qgtm_log(QGTM_LOG_WARNING, __VA_ARGS__)
#define QGTM_INFO(...)   qgtm_log(QGTM_LOG_INFO, __VA_ARGS__)
#define QGTM_DEBUG(...)  qgtm_log(QGTM_LOG_DEBUG, __VA_ARGS__)

/* qgtm_log_setup: read QGTM_LOG_FORMAT, QGTM_DEBUG and JOURNAL_STREAM;
 * called by qgtm_init(). */
void qgtm_log_setup(void);

/* qgtm_log_set_json: 1 for JSON lines, 0 for key=value text. */
void qgtm_log_set_json(int json);

/* qgtm_log_set_trace: the trace_id put on following lines (NULL: none).
 * The string is copied. */
void qgtm_log_set_trace(const char *trace_id);

/*
 * qgtm_secret_register: remember a secret value so that no log line, error
 * message or qgtm_redact() output ever shows it. The string is copied.
 */
void qgtm_secret_register(const char *secret);

/*
 * qgtm_redact: copy s into out (size outsz, always NUL-terminated) with
 * every registered secret replaced by "[REDACTED]".
 */
void qgtm_redact(const char *s, char *out, size_t outsz);

/* ------------------------------------------------------------- jsonl -- */

/* Longest input line accepted, newline included (CONTRIBUTING.md "Input"). */
#define QGTM_JSONL_MAX_LINE (1024 * 1024)
/* Schema version written in every record's "v". */
#define QGTM_RECORD_VERSION 1

/*
 * Where a record came from, for error messages: "file:line".
 * name is "<stdin>" for standard input. Borrowed by callbacks.
 */
struct qgtm_jsonl_pos {
	const char *name;
	unsigned long line;
};

/*
 * Callback for each record. rec is borrowed (decref'd after the call).
 * Return 0 to go on, or -1 after qgtm_seterr(): the reader prefixes the
 * message with "file:line: ".
 */
typedef int (*qgtm_jsonl_fn)(json_t *rec, const struct qgtm_jsonl_pos *pos,
    void *arg);

/*
 * qgtm_jsonl_each: read JSON Lines from each file in argv (argc of them;
 * "-" is stdin; none means stdin) and call fn on every object. Empty lines
 * are skipped. A line that is not a JSON object, is longer than
 * QGTM_JSONL_MAX_LINE or fails fn is an error "file:line: reason" with
 * exit code 65 (or fn's code); a file that cannot be opened is 66.
 * With keep_going, such errors are printed as warnings and reading goes on;
 * the return is then -1 at the end if any happened. Returns 0 or -1.
 * Input is a pipeline's: before fn sees a record with a trace_id, that id
 * goes on the log lines (qgtm_log_set_trace) and its traceparent, when
 * tracing, is adopted (qgtm_otel_adopt); qgtm_jsonl_read_file does neither.
 */
int qgtm_jsonl_each(int argc, char **argv, int keep_going, qgtm_jsonl_fn fn,
    void *arg);

/*
 * qgtm_jsonl_read_file: read every object of one file into a new JSON array
 * (a new reference). A missing file gives an empty array when missing_ok.
 * Errors as qgtm_jsonl_each. Returns NULL on error.
 */
json_t *qgtm_jsonl_read_file(const char *path, int missing_ok);

/*
 * qgtm_jsonl_print: write rec compactly plus "\n" to out. Returns 0, or -1
 * (QGTM_EX_IOERR) on a write error.
 */
int qgtm_jsonl_print(FILE *out, json_t *rec);

/* qgtm_jsonl_emit: qgtm_jsonl_print to stdout; when tracing, a record
 * with a trace_id is printed with a "traceparent" after it
 * (qgtm_otel_traceparent) unless it carries one of that trace. */
int qgtm_jsonl_emit(json_t *rec);

/*
 * qgtm_record_new: a new record (new reference) with the envelope
 * type, v, ts (qgtm_now() in RFC 3339 UTC), src (qgtm_progname),
 * clock "pinned" when the clock is pinned (QGTM_NOW, --now, a replay: ts
 * is then not the time the record was made) and, when trace_id is not
 * NULL, trace_id.
 */
json_t *qgtm_record_new(const char *type, const char *trace_id);

/* qgtm_record_type: the record's "type" string (borrowed), or NULL. */
const char *qgtm_record_type(json_t *rec);

/*
 * Typed field getters. Each returns 0 and stores the value, or -1 with
 * QGTM_EX_DATAERR and a message "field 'key': expected a string" (or
 * "missing field 'key'"). Strings are borrowed from rec.
 */
int qgtm_json_str(json_t *obj, const char *key, const char **out);
int qgtm_json_int(json_t *obj, const char *key, long long *out);
int qgtm_json_num(json_t *obj, const char *key, double *out);
int qgtm_json_arr(json_t *obj, const char *key, json_t **out);
int qgtm_json_obj(json_t *obj, const char *key, json_t **out);

/*
 * qgtm_json_item_err: set the error "field 'array[i].key': what" with
 * QGTM_EX_DATAERR for a bad member of an array of objects; returns -1.
 */
int qgtm_json_item_err(const char *array, size_t i, const char *key,
    const char *what);

/*
 * qgtm_trace_id_new: fill out (33 bytes) with a fresh W3C trace-id: 32
 * lowercase hex digits, not all zero, from the OS random source. When
 * QGTM_NOW pins the clock, ids are derived from seed text instead (SHA-256
 * of seed), so replays are byte-identical. Returns 0 or -1.
 */
int qgtm_trace_id_new(char out[33], const char *seed);

/* -------------------------------------------------------------- otel -- */

/* W3C trace-context "traceparent" length: "00-" 32 "-" 16 "-" 2. */
#define QGTM_TRACEPARENT_LEN 55

/*
 * Tracing hooks. base/ does not know the tracer (net/otel.c); the tracer
 * installs these when it starts collecting spans, and base/ calls them
 * when an input record carries a trace on (jsonl), when a record leaves
 * (jsonl) and when a program dies (err). No hooks: no tracing.
 */
struct qgtm_trace_hooks {
	/* adopt: an input record of trace_id carried traceparent (or NULL). */
	void (*adopt)(const char *traceparent, const char *trace_id);
	/* is_of: 1 when traceparent is a valid one of trace_id, else 0. */
	int (*is_of)(const char *traceparent, const char *trace_id);
	/* traceparent: the one records of trace_id leave with, in out
	 * (QGTM_TRACEPARENT_LEN + 1 bytes); NULL when there is none. */
	const char *(*traceparent)(const char *trace_id,
	    char out[QGTM_TRACEPARENT_LEN + 1]);
	/* finish: end the program's spans with exit status rc. */
	void (*finish)(int rc);
};

/* qgtm_trace_hooks_set: install h (borrowed, static), or NULL for none. */
void qgtm_trace_hooks_set(const struct qgtm_trace_hooks *h);
/* qgtm_trace_hooks: the installed hooks, or NULL. Borrowed. */
const struct qgtm_trace_hooks *qgtm_trace_hooks(void);

/* --------------------------------------------------------------- cfg -- */

/* The value types of config keys (qgtm.yaml(5)). */
enum qgtm_cfg_type {
	QGTM_CFG_STR,           /* any scalar, kept as text */
	QGTM_CFG_INT,           /* a decimal integer (long long) */
	QGTM_CFG_NUM,           /* a finite number (double) */
	QGTM_CFG_BOOL,          /* true, false, yes or no */
	QGTM_CFG_DEC,           /* an exact decimal, at most 6 fractional
	                           digits, kept as the text written */
	QGTM_CFG_LIST           /* a sequence of scalars, kept as strings */
};

/*
 * One row of the config schema (lib/base/cfgkeys.c): a new key is a new row,
 * plus its entry in qgtm.yaml(5) and etc/qgtm.yaml.example.
 */
struct qgtm_cfg_key {
	const char *path;       /* dotted: "broker.sim.initial_cash" */
	enum qgtm_cfg_type type;
	const char *def;        /* the default as it would be written in the
	                           file; a list's items separated by spaces */
	const char *allowed;    /* a str's allowed values separated by
	                           spaces, or NULL for any */
	const char *doc;        /* one line */
};

/* The schema, in the order qgtm_cfg_print() writes it. */
extern const struct qgtm_cfg_key qgtm_cfg_keys[];
extern const size_t qgtm_cfg_nkeys;

/*
 * qgtm_cfg_key_default: the default of schema row k as the loaded config
 * holds it (a new reference): an integer, a real, a boolean, a string (a
 * str or a dec, as written) or an array of strings (a list).
 */
json_t *qgtm_cfg_key_default(const struct qgtm_cfg_key *k);

/*
 * The system-wide file of lookup step 4, "/etc/qgtm/qgtm.yaml". Only unit
 * tests point it elsewhere.
 */
extern const char *qgtm_cfg_system_file;

/*
 * The effective configuration: built-in defaults overlaid by at most one
 * YAML file (CONTRIBUTING.md "Configuration"). Owns root, path and origin.
 */
struct qgtm_cfg {
	json_t *root;   /* object of sections; every key present */
	char *path;     /* the file it came from, or NULL for defaults only */
	char *origin;   /* "-c", "QGTM_CONFIG", "XDG_CONFIG_HOME", "HOME",
	                   "/etc", or "defaults" */
};

/*
 * qgtm_cfg_load: find and load the config: explicit (from -c, may be NULL),
 * else $QGTM_CONFIG, else $XDG_CONFIG_HOME/qgtm/qgtm.yaml (or
 * $HOME/.config/qgtm/qgtm.yaml), else /etc/qgtm/qgtm.yaml, else defaults.
 * The first file found is used alone (no merging); XDG_CONFIG_HOME counts
 * when set to an absolute path, as the XDG Base Directory spec says. A
 * file named by -c or QGTM_CONFIG that cannot be read is an error "cannot
 * read config 'PATH': strerror"; the other two are skipped when absent.
 * Malformed YAML, an anchor or alias, a duplicate or unknown key or a
 * value of the wrong type is an error "file:line: reason". All errors are
 * QGTM_EX_CONFIG. Returns 0 or -1; on -1 cfg holds nothing to release.
 */
int qgtm_cfg_load(struct qgtm_cfg *cfg, const char *explicit_path);

/* qgtm_cfg_release: free what cfg owns. */
void qgtm_cfg_release(struct qgtm_cfg *cfg);

/*
 * Getters by dotted path ("risk.max_order_notional"). The key must exist
 * in the schema; asking for an unknown key or the wrong type is a bug
 * (the process prints "prog: BUG: ..." and aborts). qgtm_cfg_str also
 * reads a dec key as the text written. Strings and arrays are borrowed
 * from cfg.
 */
const char *qgtm_cfg_str(const struct qgtm_cfg *cfg, const char *path);
long long qgtm_cfg_int(const struct qgtm_cfg *cfg, const char *path);
double qgtm_cfg_num(const struct qgtm_cfg *cfg, const char *path);
int qgtm_cfg_bool(const struct qgtm_cfg *cfg, const char *path);
json_t *qgtm_cfg_list(const struct qgtm_cfg *cfg, const char *path);

/*
 * qgtm_cfg_dec: the dec key at path in units of 10^-scale (see
 * qgtm_dec_parse), e.g. QGTM_CENTS for money limits. Returns 0, or -1
 * with QGTM_EX_CONFIG when the value has more fractional digits than
 * scale or does not fit. A key of another type is a bug, as above.
 */
int qgtm_cfg_dec(const struct qgtm_cfg *cfg, const char *path, int scale,
    int64_t *out);

/*
 * qgtm_cfg_print: write the effective config as YAML to out (-C): a first
 * line "# config: PATH (ORIGIN)" or "# config: built-in defaults", then
 * every section and key; loading the output gives the same root. Flushes
 * out. Returns 0 or -1 (IOERR).
 */
int qgtm_cfg_print(const struct qgtm_cfg *cfg, FILE *out);

/*
 * qgtm_cfg_secret: a secret: the value of the environment variable env if
 * set and not empty, else the content of the file named by the str key
 * file_key, trailing whitespace removed. Errors: file_key is ""
 * (QGTM_EX_CONFIG "secret not configured: set ENV or FILE_KEY"); the file
 * cannot be opened (QGTM_EX_CONFIG, or QGTM_EX_NOPERM when access is
 * denied), is not a regular file or has any group or other permission
 * bit (QGTM_EX_NOPERM "key file 'PATH' has mode 0644; must be 0600"), or
 * is empty (QGTM_EX_CONFIG). The value is registered with
 * qgtm_secret_register(). Returns a new allocation (free()) or NULL with
 * an error that never contains the secret.
 */
char *qgtm_cfg_secret(const struct qgtm_cfg *cfg, const char *env,
    const char *file_key);

/* ------------------------------------------------------------- clock -- */

/*
 * qgtm_clock_init: (re)read QGTM_NOW: pin the clock to it when set and not
 * empty, unpin it otherwise. Call after qgtm_init() and before handling
 * --now. Returns 0, or -1 with QGTM_EX_USAGE "invalid QGTM_NOW '...'" (the
 * clock is then unpinned); programs stop with qgtm_die_lib().
 */
int qgtm_clock_init(void);

/*
 * qgtm_now: the current time in seconds since the epoch, or the pinned
 * moment when QGTM_NOW is set or qgtm_clock_pin() was called. QGTM_NOW is
 * read on the first call if qgtm_clock_init() was not called; after an
 * invalid value the system clock is used, with one warning on stderr.
 */
time_t qgtm_now(void);

/*
 * qgtm_clock_pin: pin the clock to a time in qgtm_time_parse() syntax
 * (--now); overrides QGTM_NOW. Returns 0 or -1 (QGTM_EX_USAGE).
 */
int qgtm_clock_pin(const char *rfc3339);

/* qgtm_clock_pin_at: pin the clock to t, as qgtm_clock_pin() does. */
void qgtm_clock_pin_at(time_t t);

/* qgtm_clock_pinned: 1 if the clock is pinned, else 0. Reads QGTM_NOW as
 * qgtm_now() does, but never warns. */
int qgtm_clock_pinned(void);

/*
 * qgtm_time_parse: parse "YYYY-MM-DD" (midnight UTC) or the RFC 3339
 * "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)"; the fraction is dropped.
 * Upper-case 'T' and 'Z' only; no leap second (":60"), no trailing text;
 * the date must exist. Returns 0 or -1 (QGTM_EX_DATAERR).
 */
int qgtm_time_parse(const char *s, time_t *out);

/*
 * qgtm_time_fmt: "YYYY-MM-DDTHH:MM:SSZ" into out (21 bytes). Returns out.
 * Times before year 0000 or after 9999 are clamped to that range.
 */
char *qgtm_time_fmt(time_t t, char out[21]);

/* qgtm_date_fmt: "YYYY-MM-DD" (UTC) into out (11 bytes), clamped likewise.
 * Returns out. */
char *qgtm_date_fmt(time_t t, char out[11]);

/* A civil date. */
struct qgtm_date {
	int year, month, day;   /* month 1-12 */
};

/* qgtm_days_from_civil: days since 1970-01-01 of a proleptic Gregorian
 * date. qgtm_civil_from_days is its inverse. */
long qgtm_days_from_civil(int y, int m, int d);
struct qgtm_date qgtm_civil_from_days(long days);

/* qgtm_weekday: 0 = Sunday ... 6 = Saturday. */
int qgtm_weekday(int y, int m, int d);

/*
 * New York time (America/New_York, US rules since 2007: DST from the second
 * Sunday of March 02:00 to the first Sunday of November 02:00 local; these
 * rules are applied to earlier years too).
 * qgtm_ny_offset: the UTC offset in seconds (-18000 or -14400) at t.
 * qgtm_ny_time: the UTC instant of a New York wall-clock time (hh 0-23,
 * mm 0-59); a time in the skipped spring hour is moved forward by the gap
 * (02:30 -> 03:30 EDT), in the repeated autumn hour the first (EDT) instant
 * is returned.
 * qgtm_ny_date: the New York civil date at t (clamped to years 0000-9999).
 */
int qgtm_ny_offset(time_t t);
time_t qgtm_ny_time(int y, int m, int d, int hh, int mm);
struct qgtm_date qgtm_ny_date(time_t t);

/*
 * NYSE sessions. qgtm_nyse_is_trading_day: 1 on a weekday that is not an
 * NYSE full holiday (New Year's, MLK from 1998, Washington's Birthday, Good
 * Friday, Memorial, Juneteenth from 2022, Independence, Labor,
 * Thanksgiving, Christmas; a Saturday holiday is observed on the Friday
 * before, except New Year's Day, which is then not observed; a Sunday
 * holiday on the Monday after) nor an unscheduled closure (a table of
 * those since 2001, e.g. 2025-01-09). Accurate from 2001 on.
 * qgtm_nyse_close: the session close instant (16:00 New York; 13:00 on the
 * early-close days after Thanksgiving and on Christmas Eve / July 3rd when
 * they are trading days), or (time_t)-1 with QGTM_EX_UNAVAILABLE "NYSE is
 * closed on YYYY-MM-DD" when the day is not a trading day.
 */
int qgtm_nyse_is_trading_day(int y, int m, int d);
time_t qgtm_nyse_close(int y, int m, int d);

/*
 * qgtm_next_weekly: the first instant strictly after t that is weekday wd
 * (0 = Sunday, 0-6) at hh:mm New York time (e.g. "Sunday 18:00 New York"),
 * with wall times mapped as by qgtm_ny_time().
 */
time_t qgtm_next_weekly(time_t t, int wd, int hh, int mm);

/*
 * Clock sanity (lib/risk/clockcheck.c): the moments the state directory has
 * seen, each 0 when there is none: the newest available_at of the last
 * record of each data/SOURCE/SERIES.jsonl, the last heartbeat and the ts
 * of the last audit entry.
 */
struct qgtm_clock_marks {
	time_t data;            /* the newest available_at in data/ */
	time_t stored;          /* the newest ts in data/: when it was stored */
	time_t beat, audit;     /* the last heartbeat, the last audit entry */
};

/* ------------------------------------------------------------- money -- */

/*
 * Exact decimals: a value is an int64 count of 10^-scale units.
 * Scales used: QGTM_CENTS (2) for cash and notional, QGTM_PRICE_SCALE (6)
 * for prices, QGTM_QTY_SCALE (6) for quantities, QGTM_WEIGHT_SCALE (6) for
 * weights. Every scale argument must be 0-18; any other is a bug, reported
 * as -1 with QGTM_EX_SOFTWARE.
 */
#define QGTM_CENTS 2
#define QGTM_PRICE_SCALE 6
#define QGTM_QTY_SCALE 6
#define QGTM_WEIGHT_SCALE 6

/*
 * qgtm_dec_parse: parse a decimal string ("-12.345", "+3", "0.5") into
 * units of 10^-scale: an optional sign, digits, and optionally a point
 * followed by digits. More fractional digits than scale are an error unless
 * they are zeros; so are ".5", "1.", exponents, NaN, Inf, spaces,
 * separators and values outside int64. "-0" is 0. A NULL s (a JSON
 * field that is missing or not a string) is an error too.
 * Returns 0 or -1 (QGTM_EX_DATAERR).
 */
int qgtm_dec_parse(const char *s, int scale, int64_t *out);

/*
 * qgtm_dec_fmt: format v (units of 10^-scale) with exactly scale fractional
 * digits into out (at least 32 bytes; no point when scale is 0), e.g.
 * "-12.30". A bad scale gives "". Returns out.
 */
char *qgtm_dec_fmt(int64_t v, int scale, char *out, size_t outsz);

/*
 * qgtm_dec_rescale: convert v from scale `from` to scale `to`, rounding half
 * to even when digits are dropped. Returns 0, or -1 on overflow
 * (QGTM_EX_DATAERR).
 */
int qgtm_dec_rescale(int64_t v, int from, int to, int64_t *out);

/*
 * qgtm_dec_mul: a * b, where a has scale sa and b scale sb, rounded half to
 * even to scale so. Returns 0, or -1 on overflow (QGTM_EX_DATAERR).
 */
int qgtm_dec_mul(int64_t a, int sa, int64_t b, int sb, int so, int64_t *out);

/*
 * qgtm_dec_from_double: round x * 10^scale (computed in double) to an
 * integer, half away from zero; -1 (QGTM_EX_DATAERR) for NaN, Inf or
 * overflow. For analytics results turned into record fields.
 */
int qgtm_dec_from_double(double x, int scale, int64_t *out);

/* qgtm_dec_to_double: v / 10^scale as a double (analytics only); NaN for
 * a bad scale. */
double qgtm_dec_to_double(int64_t v, int scale);

/* qgtm_dec_json: v of the given scale as a new JSON decimal string. */
json_t *qgtm_dec_json(int64_t v, int scale);

/* qgtm_div_half_even: n / d rounded half to even, for d > 0. */
__int128 qgtm_div_half_even(__int128 n, __int128 d);

/*
 * qgtm_fit64: store v in *out if it fits an int64 and return 0; else store
 * 0 and return -1 with QGTM_EX_DATAERR "overflow in <what>".
 */
int qgtm_fit64(__int128 v, int64_t *out, const char *what);

/* ------------------------------------------------------------- state -- */

/*
 * qgtm_state_dir: the state directory: $QGTM_STATE_DIR, else the config's
 * common.state_dir. Borrowed; set once per process by qgtm_state_init().
 */
const char *qgtm_state_dir(void);

/* qgtm_state_init: fix the state directory from the environment or cfg and
 * create it (mode 0750) if missing. Returns 0 or -1 (CANTCREAT). */
int qgtm_state_init(const struct qgtm_cfg *cfg);

/*
 * qgtm_state_path: "<state dir>/<rel>" as a new allocation (free()); the
 * parent directories of the result are created when mkdirs is set.
 * Returns NULL on error.
 */
char *qgtm_state_path(const char *rel, int mkdirs);

/* qgtm_mkdirs: mkdir -p of dir with mode. Returns 0 or -1 (CANTCREAT). */
int qgtm_mkdirs(const char *dir, mode_t mode);

/*
 * qgtm_write_atomic: replace path with n bytes at p: write "path.tmp.PID",
 * fsync it, rename over path, fsync the directory. On an error up to the
 * rename the old file is untouched and the temp file removed; when only
 * the directory sync fails, path holds the new bytes, which a crash may
 * still undo. Returns 0 or -1 (IOERR).
 */
int qgtm_write_atomic(const char *path, const void *p, size_t n);

/*
 * qgtm_remove_tree: remove dir and everything below it, not following
 * symbolic links. Returns 0, or -1 with errno set (what could be removed
 * is gone); sets no error message: callers use it to clean up scratch.
 */
int qgtm_remove_tree(const char *dir);

/* qgtm_write_atomic_mode: as qgtm_write_atomic, the new file having
 * exactly mode (0640 above; 0644 for pages a web server reads). */
int qgtm_write_atomic_mode(const char *path, const void *p, size_t n,
    mode_t mode);

/*
 * qgtm_append_fsync: append n bytes to path (created 0640 if missing) with
 * O_APPEND in one write, then fsync. Success is returned only after fsync;
 * on failure what this call wrote is cut off again (unless another writer
 * appended meanwhile) and a file it created is removed. Returns 0 or -1
 * (IOERR).
 */
int qgtm_append_fsync(const char *path, const void *p, size_t n);

/*
 * qgtm_lock: take an exclusive flock on path (created if missing), waiting
 * up to timeout_ms. Returns the lock fd (close it with qgtm_unlock), or -1:
 * QGTM_EX_TEMPFAIL "lock busy" after the timeout, IOERR otherwise.
 */
int qgtm_lock(const char *path, int timeout_ms);
void qgtm_unlock(int fd);

/* ---------------------------------------------------------- calendar -- */

/*
 * Ed25519 signatures of JSON objects (lib/base/crypto.c, OpenSSL EVP). A
 * signature covers the canonical JSON (compact, sorted keys) of the object
 * without "sig", stored base64 in "sig"; a public key is the base64 of its
 * 32 raw bytes (44 characters). Keys are struct evp_pkey_st (EVP_PKEY).
 */
/* The bytes of an Ed25519 signature. */
#define QGTM_SIG_RAWLEN 64
#define QGTM_KEY_RAWLEN 32
struct evp_pkey_st;
/* qgtm_key_raw: decode the base64 public key b64 into raw; 0 or -1. */
int qgtm_key_raw(const char *b64, unsigned char raw[QGTM_KEY_RAWLEN]);
/* qgtm_key_private_pem: the Ed25519 private key in the PEM text pem, or
 * NULL (QGTM_EX_DATAERR "WHAT: not an Ed25519 private key in PEM"). Free
 * with qgtm_key_free(). */
struct evp_pkey_st *qgtm_key_private_pem(const char *pem, const char *what);
/* qgtm_verify_raw: 1 when sig (raw bytes) is pub's Ed25519 signature of
 * the n bytes at p, else 0. */
int qgtm_verify_raw(struct evp_pkey_st *pub, const void *p, size_t n,
    const unsigned char sig[QGTM_SIG_RAWLEN]);
/* qgtm_key_public: the public key of b64, or NULL. */
struct evp_pkey_st *qgtm_key_public(const char *b64);
/* qgtm_key_public_b64: the base64 public half of key into out; 0 or -1. */
int qgtm_key_public_b64(struct evp_pkey_st *key, char out[45]);
/* qgtm_key_private: the PEM private key in path, which must be mode 0600
 * (NOPERM), exist (NOINPUT) and be Ed25519 (DATAERR); NULL on error. */
struct evp_pkey_st *qgtm_key_private(const char *path);
/* qgtm_key_generate: a new Ed25519 private key into path (mode 0600),
 * unless another process made one there meanwhile (that one stays); 0 or
 * -1. */
int qgtm_key_generate(const char *path);
void qgtm_key_free(struct evp_pkey_st *key);
/* Length of a base64 Ed25519 signature (64 bytes). */
#define QGTM_SIG_B64LEN 88
/* qgtm_sign_bytes: the signature of the n bytes at p by key, base64 into
 * out; 0 or -1. qgtm_verify_bytes: 1 when b64 is such a signature under
 * pub (may be NULL: 0), else 0. */
int qgtm_sign_bytes(struct evp_pkey_st *key, const void *p, size_t n,
    char out[QGTM_SIG_B64LEN + 1]);
int qgtm_verify_bytes(struct evp_pkey_st *pub, const void *p, size_t n,
    const char *b64);
/* qgtm_sign_json: sign obj with key into its "sig"; 0 or -1. */
int qgtm_sign_json(struct evp_pkey_st *key, json_t *obj);
/* qgtm_verify_json: 1 when obj's "sig" verifies under pub (may be NULL:
 * 0), else 0. */
int qgtm_verify_json(struct evp_pkey_st *pub, json_t *obj);

/* -------------------------------------------------------------- text -- */

/*
 * qgtm_utf8_prefix: the length in bytes of the longest prefix of s that
 * holds at most max_chars characters and ends between two (lib/base/text.c).
 * A character is a well-formed UTF-8 sequence (RFC 3629) or, where the
 * bytes are not one, a single byte. Every cut of text for a message uses
 * it: printf("%.*s", (int)qgtm_utf8_prefix(s, n), s), never "%.Ns".
 */
size_t qgtm_utf8_prefix(const char *s, size_t max_chars);

/* qgtm_utf8_valid: 1 when s is well-formed UTF-8 (RFC 3629), else 0. */
int qgtm_utf8_valid(const char *s);

/*
 * qgtm_utf8_copy: copy into dst, of size bytes, the longest prefix of
 * src that fits with its NUL and ends between two characters (as
 * qgtm_utf8_prefix counts them): snprintf's cut of a fixed buffer, never
 * inside a character. Returns the bytes copied, NUL not counted.
 */
size_t qgtm_utf8_copy(char *dst, size_t size, const char *src);

/*
 * qgtm_utf8_cut: a copy of the first max_chars characters of s
 * (qgtm_utf8_prefix) in which each byte that is not part of a
 * well-formed UTF-8 sequence is replaced by '?', so the copy is always
 * valid JSON string content. A new allocation; never NULL.
 */
char *qgtm_utf8_cut(const char *s, size_t max_chars);

/* ------------------------------------------------------------ daemon -- */

/* The directory of the shared files, config.mk's SHAREDIR: mk/sharedir.mk
 * compiles lib/base/cfgkeys.c with it, so daemon.cycle defaults to the
 * installed QGTM_SHAREDIR/cycle.sh; other builds get this fallback. */
#ifndef QGTM_SHAREDIR
#define QGTM_SHAREDIR "/usr/local/share/qgtm"
#endif

/* --------------------------------------------------------------- math -- */

/* qgtm_math_mean: the arithmetic mean; NAN when n < 1. qgtm_math_sd: the
 * sample standard deviation (n - 1 denominator); NAN when n < 2. */
double qgtm_math_mean(const double *r, size_t n);
double qgtm_math_sd(const double *r, size_t n);

/* ------------------------------------------------------------ crypto -- */

/* qgtm_sha256_hex: hex SHA-256 (65 bytes with NUL) of n bytes at p. */
void qgtm_sha256_hex(const void *p, size_t n, char out[65]);

/*
 * qgtm_sha256_cat: SHA-256 of the an bytes at a followed by the bn bytes
 * at b, through one digest context kept for the life of the process (not
 * thread-safe). Dies (QGTM_EX_OSERR) only when OpenSSL cannot allocate.
 */
void qgtm_sha256_cat(const void *a, size_t an, const void *b, size_t bn,
    unsigned char md[32]);

/* qgtm_hash_hex: md as 64 lowercase hex digits and a NUL. */
void qgtm_hash_hex(const unsigned char md[32], char out[65]);

/* qgtm_hash_parse: 64 hex digits (either case) into md; -1 (DATAERR). */
int qgtm_hash_parse(const char *s, unsigned char md[32]);

/*
 * qgtm_unhex: len hex digits at s (even; either case) into out (len / 2
 * bytes of room), *n set to the bytes written. Returns 0 or -1 (DATAERR).
 */
int qgtm_unhex(const char *s, size_t len, unsigned char *out, size_t *n);

/* qgtm_hex_digit: the value of the hex digit c (either case), or -1. */
int qgtm_hex_digit(int c);

#include "banned.h"

#endif /* QGTM_BASE_H */
