/*
 * qgtm.h: the one public header of libqgtm.
 *
 * Sections follow the modules in lib/: err, mem, buf, log, jsonl, cfg, clock,
 * money, state, http, pit, sim, strategy, risk, oms, audit.
 *
 * Conventions (STYLE.md section 9):
 *  - Library calls never exit. They return -1 or NULL and leave a message
 *    and an exit code for qgtm_errmsg() and qgtm_errcode().
 *  - "returns a new reference": the caller frees (free() or json_decref()).
 *  - "borrowed": valid until the next call on the same object; never freed.
 *  - Structs are never typedef'd; _init/_release/_clear/_free as in git.
 */
#ifndef QGTM_H
#define QGTM_H

#include <sys/types.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>

#define QGTM_VERSION "0.1.0"

struct qgtm_cfg;

/* ---------------------------------------------------------------- err -- */

/* Exit codes (STYLE.md section 7); every man page lists those it uses. */
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

/*
 * qgtm_cmd_start: the common start of a command once its options are
 * parsed: begin the program's trace spans (qgtm_otel_begin(), named after
 * the verb qgtm_cmd_verb() found), read QGTM_NOW (unless --now pinned the
 * clock already), load the config (cfgpath from -c, may be NULL), take the
 * log format from it unless QGTM_LOG_FORMAT is set, and fix the state
 * directory. With show_config
 * (-C) it prints the effective config to stdout instead of touching the
 * state directory, releases cfg, and returns 1. Returns 0, 1, or -1 with the library
 * error set (the caller dies with qgtm_die_lib()).
 */
int qgtm_cmd_start(struct qgtm_cfg *cfg, const char *cfgpath, int show_config);

/* Answers of qgtm_cmd_verb() besides a verb's index. */
enum { QGTM_VERB_HELP = -2, QGTM_VERB_VERSION = -3 };

/*
 * qgtm_cmd_verb: the verb of a "prog verb [option ...]" command: the index
 * of argv[1] in verbs (NULL-terminated), with optind set to 2 so getopt
 * goes on after it. Returns QGTM_VERB_HELP for -h or --help,
 * QGTM_VERB_VERSION for -V, or -1 with the error "missing command" or
 * "unknown command 'x'" set (the caller prints it and its usage, exit 64).
 */
int qgtm_cmd_verb(int argc, char **argv, const char *const *verbs);

/* -------------------------------------------------------------- fault -- */

/*
 * Fault injection for the tests (lib/fault.c, qgtm(7) ENVIRONMENT):
 * QGTM_FAULT="kind:N[+],..." fails the N-th call of a kind in this process
 * (with "+", that call and every later one). The state writes
 * (lib/state.c) count write, fsync and rename; the qgtm_x* allocators
 * malloc; each HTTP attempt (lib/http.c) net.
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

/* ---------------------------------------------------------------- mem -- */

/* Allocation that dies with QGTM_EX_OSERR on out-of-memory (signify). */
void *qgtm_xmalloc(size_t n);
void *qgtm_xcalloc(size_t nmemb, size_t size);
void *qgtm_xrealloc(void *p, size_t n);
char *qgtm_xstrdup(const char *s);
/* qgtm_xasprintf: formatted string; returns a new allocation (free()). */
char *qgtm_xasprintf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* ---------------------------------------------------------------- buf -- */

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

/* ---------------------------------------------------------------- log -- */

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

/* -------------------------------------------------------------- jsonl -- */

/* Longest input line accepted, newline included (STYLE.md section 8). */
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

/* qgtm_sha256_hex: hex SHA-256 (65 bytes with NUL) of n bytes at p. */
void qgtm_sha256_hex(const void *p, size_t n, char out[65]);

/* --------------------------------------------------------------- otel -- */

/*
 * OpenTelemetry traces (lib/otel.c, qgtm(7) ENVIRONMENT). Tracing is on when
 * QGTM_OTEL_FILE or OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise every
 * call below is a no-op that costs one test of a flag. A program has one
 * "stage" span per trace it takes part in (its run), plus child spans.
 * Spans stay in memory and are exported once, at qgtm_otel_finish().
 */

/* W3C trace-context "traceparent" length: "00-" 32 "-" 16 "-" 2. */
#define QGTM_TRACEPARENT_LEN 55

/*
 * qgtm_otel_begin: read the environment and start the program's clock;
 * its spans are named "prog verb" (verb may be NULL: "prog"). With
 * TRACEPARENT set (and valid), the program's stage span continues that
 * trace as its child, and TRACEPARENT is replaced by the program's own
 * span so every child process continues from it. Called by
 * qgtm_cmd_start(); a second call does nothing.
 */
void qgtm_otel_begin(const char *verb);

/* qgtm_otel_enabled: 1 when spans are being collected. */
int qgtm_otel_enabled(void);

/*
 * qgtm_otel_parse_traceparent: check a W3C traceparent ("00-" trace-id
 * "-" parent-id "-" flags, lowercase hex, ids not all zero; a later
 * version may append "-..." fields) and copy its ids into trace (33
 * bytes) and span (17 bytes). Returns 0, or -1 (nothing copied).
 */
int qgtm_otel_parse_traceparent(const char *tp, char trace[33],
    char span[17]);

/*
 * qgtm_otel_adopt: an input record of trace_id carried traceparent: the
 * stage span of that trace (made when missing) becomes a child of the
 * span it names; a later record of the same trace replaces the parent,
 * so the nearest upstream stage wins. Ignored when tracing is off, when
 * either string is invalid or when the trace-id parts differ.
 */
void qgtm_otel_adopt(const char *traceparent, const char *trace_id);

/*
 * qgtm_otel_traceparent: the traceparent that records of trace_id leave
 * this program with: the stage span of that trace (made, as a root, when
 * missing). Returns out (QGTM_TRACEPARENT_LEN + 1 bytes), or NULL when
 * tracing is off, trace_id is not a W3C trace-id, or the span table is
 * full.
 */
const char *qgtm_otel_traceparent(const char *trace_id,
    char out[QGTM_TRACEPARENT_LEN + 1]);

/*
 * qgtm_otel_setenv: set TRACEPARENT to the program's first stage span
 * (made, as a root, when there is none), for the child processes it is
 * about to start. Does nothing when tracing is off.
 */
void qgtm_otel_setenv(void);

/*
 * A child span of the stage span of a trace (e.g. one order). NULL when
 * tracing is off or the table is full; every function below accepts NULL.
 */
struct qgtm_otel_span;

/* qgtm_otel_now: the wall clock in ns since the epoch for start_ns below;
 * 0 when tracing is off. */
unsigned long long qgtm_otel_now(void);

/* qgtm_otel_span_start: a child span named name of the stage span of
 * trace_id (made when missing), starting at start_ns (0: now). kind is an
 * OTLP SpanKind (1 internal, 3 client). */
struct qgtm_otel_span *qgtm_otel_span_start(const char *name,
    const char *trace_id, int kind, unsigned long long start_ns);
/* qgtm_otel_span_str, _int: add an attribute (strings copied). */
void qgtm_otel_span_str(struct qgtm_otel_span *sp, const char *key,
    const char *value);
void qgtm_otel_span_int(struct qgtm_otel_span *sp, const char *key,
    long long value);
/* qgtm_otel_span_end: end now; error marks the status ERROR with message
 * error, NULL marks it OK. */
void qgtm_otel_span_end(struct qgtm_otel_span *sp, const char *error);

/*
 * qgtm_otel_encode: the ExportTraceServiceRequest of every span so far
 * (open ones ended now) as one line of compact JSON (a new allocation,
 * free()), or NULL when tracing is off.
 */
char *qgtm_otel_encode(void);

/*
 * qgtm_otel_finish: end the stage spans with the program's exit status
 * rc (0 OK, else ERROR), export them (to QGTM_OTEL_FILE: one line appended
 * under flock(2) and fsync'd; to OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces:
 * one POST of application/json), and free everything. A failed export is
 * one warning on stderr, never an error. Called by qgtm_exit() and
 * qgtm_die(); later calls do nothing.
 */
void qgtm_otel_finish(int rc);

/* ---------------------------------------------------------------- cfg -- */

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
 * One row of the config schema (lib/cfgkeys.c): a new key is a new row,
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
 * The system-wide file of lookup step 4, "/etc/qgtm/qgtm.yaml". Only unit
 * tests point it elsewhere.
 */
extern const char *qgtm_cfg_system_file;

/*
 * The effective configuration: built-in defaults overlaid by at most one
 * YAML file (STYLE.md section 10). Owns root, path and origin.
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

/* -------------------------------------------------------------- clock -- */

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
 * Clock sanity (lib/clockcheck.c): the moments the state directory has
 * seen, each 0 when there is none: the newest available_at of the last
 * record of each data/SOURCE/SERIES.jsonl, the last heartbeat and the ts
 * of the last audit entry.
 */
struct qgtm_clock_marks {
	time_t data;            /* the newest available_at in data/ */
	time_t stored;          /* the newest ts in data/: when it was stored */
	time_t beat, audit;     /* the last heartbeat, the last audit entry */
};

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

/* -------------------------------------------------------------- money -- */

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

/* -------------------------------------------------------------- state -- */

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

/* --------------------------------------------------------------- http -- */

/* A request. Fields not set by qgtm_http_req_init's caller keep defaults. */
struct qgtm_http_req {
	const char *method;        /* "GET" (default), "POST", "DELETE", ... */
	const char *url;
	const char *const *headers;/* NULL-terminated "Name: value" list */
	const char *body;          /* may be NULL */
	size_t body_len;
	long connect_timeout_ms;   /* default 5000 */
	long timeout_ms;           /* budget of the whole call, every attempt
	                              and wait included; default 30000 */
	size_t max_bytes;          /* response cap, default 16 MiB */
	int retries;               /* extra attempts for idempotent requests,
	                              default 3 */
	int idempotent;            /* -1 (default): 1 for GET, HEAD, OPTIONS,
	                              PUT and DELETE, else 0; or 0/1 to force */
	long backoff_ms;           /* first backoff, doubled each time, jittered;
	                              default 500 */
};

struct qgtm_http_resp {
	long status;               /* HTTP status, 0 if none; 200 for a
	                              file:// URL that was read */
	struct qgtm_buf body;      /* owned */
	long retry_after_s;        /* from Retry-After, -1 if absent */
	int attempts;
	long ratelimit_reset;      /* X-RateLimit-Reset (Unix seconds), 0 if
	                              absent */
};

/* qgtm_http_req_init: method "GET", no URL, headers or body, and the
 * rest from the config's http section (cfg may be NULL for built-in
 * defaults). qgtm_http_resp_init: an empty response; no allocation.
 * qgtm_http_resp_release: free the body. */
void qgtm_http_req_init(struct qgtm_http_req *req, const struct qgtm_cfg *cfg);
void qgtm_http_resp_init(struct qgtm_http_resp *resp);
void qgtm_http_resp_release(struct qgtm_http_resp *resp);

/*
 * qgtm_http_do: perform req. Idempotent requests are retried up to
 * req->retries times on connection errors, timeouts, 429, 500, 502, 503 and
 * 504, waiting Retry-After when given, else exponential backoff with
 * jitter; others are never retried. A wait that would overrun timeout_ms
 * is not made: the last outcome stands. Returns 0 when a response
 * arrived (any status; see resp->status), or -1: QGTM_EX_TEMPFAIL for
 * timeouts and connection failures, QGTM_EX_PROTOCOL for a response over
 * max_bytes, QGTM_EX_NOINPUT for an unreadable file:// URL, QGTM_EX_CONFIG
 * for a malformed URL or another scheme than http, https, file. Messages
 * name only scheme://host:port (the path too for file://), never query
 * strings or headers. Only http, https and file URLs are allowed, and
 * redirects are not followed. After -1 a non-idempotent request may or may
 * not have reached the server: the caller must find out. resp is reset on
 * each attempt; resp->attempts counts them.
 */
int qgtm_http_do(const struct qgtm_http_req *req, struct qgtm_http_resp *resp);

/*
 * qgtm_http_status_code: the exit code for a final HTTP status:
 * 2xx -> 0, 401/403 -> NOPERM, 429 -> TEMPFAIL, other 4xx -> UNAVAILABLE,
 * 5xx -> UNAVAILABLE, anything else (0, 1xx, 3xx) -> PROTOCOL.
 */
int qgtm_http_status_code(long status);

/* -------------------------------------------------------------- audit -- */

/*
 * The audit chain (lib/audit.c; the format is documented in qgtm-audit(1)):
 * an append-only file of JSON lines, one entry a line,
 *	{"hash":H,"prev":P,"rec":{...},"seq":N,"ts":T}
 * serialized with JSON_COMPACT | JSON_SORT_KEYS. seq counts from 0; P is
 * the previous entry's H (64 zeros for seq 0); T is qgtm_now() at append
 * time; H is the lowercase hex SHA-256 of the same serialization of the
 * entry without "hash". The entry lines (without "\n") are also the leaves
 * of an RFC 9162 Merkle tree, whose root verification reports.
 */

/* How long an appender waits for "<chain>.lock" before TEMPFAIL. */
#define QGTM_AUDIT_LOCK_MS 10000
/* Longest entry line, newline excluded. */
#define QGTM_AUDIT_MAX_LINE (4 * QGTM_JSONL_MAX_LINE)
/* Most chain bytes a buffer may hold (an export's segment). */
#define QGTM_AUDIT_MAX_APPEND (1024L * 1024 * 1024)

/* What qgtm_audit_verify() found. */
struct qgtm_audit_summary {
	unsigned long entries;  /* valid entries before any bad line */
	char head[65];          /* hash of the last valid entry, or 64 zeros */
	char root[65];          /* Merkle root over those entries */
	unsigned long bad_line; /* first bad line (from 1), or 0 if none */
	int torn;               /* the bad line is a torn last line */
	long long good_bytes;   /* length of the valid prefix in bytes */
};

/*
 * qgtm_audit_append_records: append one entry per element of records (a
 * JSON array of objects, borrowed), as one batch (qgtm_audit_batch_new,
 * _add for each, _commit): all or nothing, also across a kill. A record
 * that is not an object or makes a line over QGTM_AUDIT_MAX_LINE (seq
 * counted at 19 digits) is refused with QGTM_EX_DATAERR ("record N: ...")
 * before anything is locked or written. An empty array appends nothing
 * and touches nothing. Returns 0 or -1.
 */
int qgtm_audit_append_records(const char *chain_path, json_t *records);
/*
 * A batch of records for one all-or-nothing append (lib/audit.c), in
 * bounded memory: qgtm_audit_batch_add checks rec (borrowed: an object
 * whose entry fits QGTM_AUDIT_MAX_LINE, else QGTM_EX_DATAERR "record N:
 * ...") and keeps its canonical form, past QGTM_AUDIT_MAX_LINE bytes in
 * an unlinked temp file beside the chain (QGTM_EX_IOERR when that fails);
 * nothing is locked meanwhile. qgtm_audit_batch_commit appends them all:
 * it takes the flock "<chain>.lock" (waiting up to QGTM_AUDIT_LOCK_MS,
 * then QGTM_EX_TEMPFAIL), checks that the chain ends as its commit mark
 * "<chain>.commit" says and that its last entry is valid (QGTM_EX_DATAERR
 * otherwise: an append that did not finish, a torn or bad last line;
 * qgtm-audit repair), and, when size is not -1, that it holds size
 * entries (else QGTM_EX_TEMPFAIL "it grew meanwhile"). A chain without a
 * mark gets one for what it holds first. The entries are written with
 * O_APPEND, the chain fsync'd, and the mark replaced: that is the commit.
 * If anything fails, the chain is cut back (and the mark put back); if
 * the program dies first, what it wrote is an uncommitted tail that
 * verify reports and repair cuts. The chain file is created when missing,
 * its directory is not. No batch with no record touches anything.
 * Returns 0 or -1. A batch is committed at most once; free it with
 * qgtm_audit_batch_free (NULL is fine).
 */
struct qgtm_audit_batch;
struct qgtm_audit_batch *qgtm_audit_batch_new(const char *chain_path);
int qgtm_audit_batch_add(struct qgtm_audit_batch *b, json_t *rec);
size_t qgtm_audit_batch_count(const struct qgtm_audit_batch *b);
int qgtm_audit_batch_commit(struct qgtm_audit_batch *b, long long size);
void qgtm_audit_batch_free(struct qgtm_audit_batch *b);
/*
 * qgtm_audit_append_after: qgtm_audit_append_records, but only if the
 * chain then holds exactly size entries (any when size is -1); else
 * QGTM_EX_TEMPFAIL "it grew meanwhile" and nothing is appended.
 */
int qgtm_audit_append_after(const char *chain_path, json_t *records,
    long long size);

/*
 * qgtm_audit_verify: check every line of the chain: it ends in "\n", parses
 * as an entry with exactly the five members of the right types, its hash
 * recomputes, it is byte-identical to its canonical re-serialization, seq
 * is consecutive from 0 and prev is the hash of the entry before. Fills out
 * (always) with the count, head and Merkle root of the valid prefix; a
 * missing or empty chain is valid with 0 entries and the empty-tree root.
 * Reads the chain as it was when no append was in progress (a shared flock
 * on "<chain>.lock" when that file exists) and takes no other lock, so it
 * works on a read-only copy. Returns 0 if valid. Otherwise -1: for a bad
 * chain QGTM_EX_NO, out->bad_line set and the message naming the first
 * bad line, "chain:LINE: seq 7: hash mismatch" or "chain:LINE: torn last
 * line (incomplete write)"; QGTM_EX_NOINPUT or QGTM_EX_IOERR when the
 * chain cannot be read. When "<chain>.idx" exists (see qgtm_audit_tree),
 * every node it holds must equal the one the chain gives, and it may not
 * cover more entries than the chain has (QGTM_EX_NO otherwise). With a
 * commit mark "<chain>.commit" (qgtm_audit_commit_read), only what it
 * commits is read as entries: they must end with its entries and head;
 * a chain shorter than the mark, or a damaged mark, is QGTM_EX_NO; bytes
 * past it are "chain:LINE: uncommitted tail of N bytes (...)", QGTM_EX_NO
 * with out->torn set and out->good_bytes the mark's bytes.
 */
int qgtm_audit_verify(const char *chain_path, struct qgtm_audit_summary *out);
/*
 * qgtm_audit_verify_key: qgtm_audit_verify, also checking every
 * checkpoint (see qgtm_audit_checkpoint_check) against pubkey, the
 * base64 raw Ed25519 public key of audit.checkpoint_pubkey (NULL or "":
 * signatures are not checked, as no key a checkpoint carries is
 * trusted). qgtm_audit_verify passes NULL.
 */
int qgtm_audit_verify_key(const char *chain_path, const char *pubkey,
    struct qgtm_audit_summary *out);

/* A checkpoint (signed tree head) as read (lib/audit_checkpoint.c). */
struct qgtm_checkpoint {
	uint64_t size;                  /* the entries its tree covers */
	unsigned char root[32];         /* their RFC 9162 root */
	char ts[21];                    /* when it was signed; "" for v 1 */
	unsigned char sig[64];          /* Ed25519 of the note */
	int v;                          /* 1: note without ts; 2: with it */
	char where[512];                /* "file:line" or "s3://b/key" */
};

/*
 * qgtm_audit_verify_against: qgtm_audit_verify_key, and, when anchor is
 * not NULL (a published checkpoint, see qgtm_audit_published), that the
 * chain extends it: the entry of seq anchor->size is that checkpoint
 * (else "missing"), the first anchor->size entries have its root, and
 * an RFC 9162 consistency proof from its tree to the chain's whole tree
 * checks (qgtm_merkle_check_consistency). A chain of at most
 * anchor->size entries fails as cut, with or without an index. All
 * these fail with QGTM_EX_NO naming the checkpoint's where. *ckpts (if
 * not NULL) gets the number of checkpoints in the chain.
 */
int qgtm_audit_verify_against(const char *chain_path, const char *pubkey,
    const struct qgtm_checkpoint *anchor, struct qgtm_audit_summary *out,
    unsigned long *ckpts);

/*
 * qgtm_checkpoint_from_record: read checkpoint record rec (type
 * "audit_checkpoint", origin, v 1 or 2, size, root, sig, and ts for v 2)
 * into c (where left empty). qgtm_checkpoint_from_line: the same for a
 * line of n bytes holding such a record, a chain entry holding one, or a
 * witness line (see qgtm_checkpoint_witness; text before "audit
 * checkpoint" is allowed). Return 0, or -1 (QGTM_EX_NO "not a
 * checkpoint: why", e.g. "unsigned (no sig)"): never skipped.
 */
int qgtm_checkpoint_from_record(json_t *rec, struct qgtm_checkpoint *c);
int qgtm_checkpoint_from_line(const char *line, size_t n,
    struct qgtm_checkpoint *c);
/* qgtm_checkpoint_witness: "audit checkpoint size N root HEX time T sig
 * HEX" (the signature in hex) into out, the line alerts and the digest
 * carry. */
void qgtm_checkpoint_witness(const struct qgtm_checkpoint *c, char *out,
    size_t size);
/*
 * qgtm_checkpoint_signed_by: 0 if c's signature holds under pubkey (base64
 * raw Ed25519, audit.checkpoint_pubkey) with OpenSSL's Ed25519; else -1:
 * QGTM_EX_NO, or QGTM_EX_CONFIG when pubkey is not such a key.
 */
int qgtm_checkpoint_signed_by(const struct qgtm_checkpoint *c,
    const char *pubkey);

/*
 * qgtm_audit_published: the newest (largest) published checkpoint into
 * *newest: from the file against when not NULL (every line a checkpoint,
 * see qgtm_checkpoint_from_line; it must exist), else from the lines of
 * audit.checkpoint_file (relative: to the state directory; missing: none)
 * and the newest object under PREFIXcheckpoints/ of audit.export_to (all
 * versions listed, see qgtm_s3_newest). With audit.checkpoint_pubkey set,
 * every checkpoint read must be signed by it. A bucket with no
 * credentials configured at all ($AWS_ACCESS_KEY_ID and
 * audit.s3_access_key_file both empty) is not read, with a warning in the
 * log. Returns 1 (found), 0 (none anywhere) or -1: QGTM_EX_NO "file:line: not a checkpoint: ..." or
 * "where: bad signature ...", or two of the same size with different
 * roots ("forked"); as qgtm_s3_open or qgtm_s3_newest for the bucket.
 */
int qgtm_audit_published(const struct qgtm_cfg *cfg, const char *against,
    struct qgtm_checkpoint *newest);
/*
 * qgtm_audit_published_size: the size N of the newest published
 * checkpoint (qgtm_audit_published without against) into *size, or 0 when
 * none is published. A chain with published size N held N entries when
 * it was signed and holds that checkpoint as entry N: a chain (or a
 * kill-switch state derived from it) with fewer than N + 1 entries was
 * cut or deleted, whereas 0 means a fresh install only as far as the
 * sources read can tell (the bucket; audit.checkpoint_file lies in reach
 * of whoever may write where it is). Returns 0, or -1 as
 * qgtm_audit_published (a source unreadable, unparsable or wrongly
 * signed: never read as 0).
 */
int qgtm_audit_published_size(const struct qgtm_cfg *cfg, uint64_t *size);
/*
 * qgtm_audit_publish: publish checkpoint record rec (as qgtm_audit_checkpoint
 * made it): append its line to audit.checkpoint_file (if set), upload it
 * to audit.export_to (if set) as PREFIXcheckpoints/SIZE.json (20 digits)
 * under COMPLIANCE Object Lock for audit.retain_days, read back
 * (qgtm_s3_put_locked), and send the witness line as an alert (best
 * effort). Returns a new array of "audit_checkpoint_published" records
 * (to "file" or "s3"), or NULL on error, as qgtm_append_fsync or
 * qgtm_s3_open and qgtm_s3_put_locked.
 */
json_t *qgtm_audit_publish(const struct qgtm_cfg *cfg, json_t *rec);

/*
 * qgtm_audit_checkpoint: sign the chain's tree (size, root) with the
 * Ed25519 private key in PEM text key_pem and append it as a record of
 * type "audit_checkpoint" v 2 (lib/audit_checkpoint.c; the note signed
 * is C2SP tlog-checkpoint's "qgtm-audit\nSIZE\nBASE64(ROOT)\n" with the
 * time "TS\n" as an extension line), so that
 * it becomes the entry of seq size; retried a few times while appenders
 * make the chain grow in between. *rec: the record appended (a new
 * reference), NULL on error. Returns 0 or -1 (DATAERR for a bad key, as
 * qgtm_audit_tree and qgtm_audit_append_after otherwise).
 */
int qgtm_audit_checkpoint(const char *chain_path, const char *key_pem,
    json_t **rec);

/*
 * qgtm_audit_checkpoint_check: if the valid entry line (n bytes) of seq
 * holds a checkpoint, check that its size is seq, its root is root (the
 * hex root of the entries before it) and it parses (a sig, ...); with
 * pubkey (not NULL nor "") that its key, if given, is pubkey and its
 * signature holds under pubkey (never under the key it carries). Returns
 * 0 (also for any other record), or -1 (QGTM_EX_NO "seq N: ...").
 */
int qgtm_audit_checkpoint_check(const char *line, size_t n, uint64_t seq,
    const char root[65], const char *pubkey);

/*
 * qgtm_audit_evidence: write the auditor's evidence package into out_dir
 * (created 0750 when missing; its files replaced atomically): the parts
 * audit_chain_verification.txt (qgtm_audit_verify_key with the config's
 * audit.checkpoint_pubkey; *chain_ok tells whether the chain verified),
 * risk_limits_config.json (qgtm_risk_limits_record), kill_switch_history
 * .json (qgtm_ks_history of the last 365 days; read only),
 * codeowners_audit.txt (the rules of CODEOWNERS, .github/CODEOWNERS or
 * docs/CODEOWNERS under the current directory, with the files they
 * match), backtest_methodology.pdf (mandoc -Tpdf of share_dir/
 * backtest_methodology.7), s3_bucket_policy.json (for audit.export_to
 * and audit.retain_days), README (share_dir/README) and MANIFEST (the
 * SHA-256 of each, as sha256sum prints them). A part whose data does not
 * exist says so inside its file. Returns 0, or -1 when a part cannot be
 * made or written (UNAVAILABLE without mandoc, CANTCREAT, IOERR).
 */
int qgtm_audit_evidence(const struct qgtm_cfg *cfg, const char *chain_path,
    const char *share_dir, const char *out_dir, int *chain_ok);

/* Most entries in one exported chain segment. */
#define QGTM_AUDIT_SEGMENT 100000

/*
 * qgtm_audit_export: upload the entries appended since the last export
 * to url ("s3://bucket/prefix"; NULL: audit.export_to) under Object Lock
 * (lib/audit_export.c): segments of at most QGTM_AUDIT_SEGMENT entries as
 * PREFIXchain/FIRST-LAST.jsonl and each checkpoint's record as
 * PREFIXcheckpoints/SEQ.json (seqs in 20 digits), all in COMPLIANCE mode
 * until audit.retain_days from now; then "<chain>.export" keeps the
 * destination and the next seq. The chain is verified on the way (a bad
 * one uploads nothing past its last good segment and fails). Returns a
 * new array of "audit_export" records (bucket, key, first_seq, last_seq,
 * bytes, sha256, retain_until), empty when there was nothing new; NULL on
 * error, as qgtm_s3_open, qgtm_s3_put_locked or qgtm_audit_verify.
 */
json_t *qgtm_audit_export(const struct qgtm_cfg *cfg, const char *chain_path,
    const char *url);

/*
 * An S3 bucket and prefix with credentials (lib/s3.c). Requests are
 * signed with SigV4 by libcurl (CURLOPT_AWS_SIGV4, "aws:amz:REGION:s3")
 * and go to https://BUCKET.s3.REGION.amazonaws.com/KEY, or, when
 * audit.s3_endpoint is set, path-style to ENDPOINT/BUCKET/KEY.
 */
struct qgtm_s3 {
	char *bucket, *prefix;          /* prefix: "" or as given */
	char *endpoint, *region;
	char *access_key, *secret_key;  /* registered secrets */
};

/*
 * qgtm_s3_open: bucket and prefix from url ("s3://bucket/prefix"; NULL or
 * "": audit.export_to), endpoint and region from audit.s3_endpoint and
 * audit.s3_region, the keys from $AWS_ACCESS_KEY_ID and
 * $AWS_SECRET_ACCESS_KEY or the 0600 files of audit.s3_access_key_file
 * and audit.s3_secret_key_file (qgtm_cfg_secret). Returns 0 (release with
 * qgtm_s3_release) or -1: QGTM_EX_USAGE for a bad url, as
 * qgtm_cfg_secret otherwise.
 */
int qgtm_s3_open(struct qgtm_s3 *s3, const struct qgtm_cfg *cfg,
    const char *url);
void qgtm_s3_release(struct qgtm_s3 *s3);

/*
 * qgtm_s3_put_locked: PUT the n bytes at body as key (the whole object
 * key, prefix included) with headers
 * x-amz-object-lock-mode: COMPLIANCE, x-amz-object-lock-retain-until-date:
 * retain_until, Content-MD5 (base64, which S3 requires with Object
 * Lock headers), x-amz-checksum-sha256 (base64) with
 * x-amz-sdk-checksum-algorithm SHA256 and x-amz-content-sha256 (hex), all
 * signed; then reads the object's retention back (qgtm_s3_retention)
 * and requires COMPLIANCE until retain_until or later: HTTP 200 alone is
 * no proof. Returns 0, else -1: QGTM_EX_NOPERM (403), QGTM_EX_UNAVAILABLE
 * (other statuses, with S3's error code and message), QGTM_EX_TEMPFAIL
 * (no answer), QGTM_EX_NO (the retention read back is not that).
 */
int qgtm_s3_put_locked(const struct qgtm_s3 *s3, const char *key,
    const void *body, size_t n, const char *retain_until);
/*
 * qgtm_s3_retention: GET key?retention (GetObjectRetention): its Mode
 * into mode (16 bytes) and RetainUntilDate into until (40 bytes), ""
 * when absent (also for S3's 404 NoSuchObjectLockConfiguration: the
 * object has no retention). Returns 0, or -1 as qgtm_s3_put_locked.
 */
int qgtm_s3_retention(const struct qgtm_s3 *s3, const char *key,
    char mode[16], char until[40]);
/*
 * qgtm_s3_newest: the greatest key under the bucket's prefix followed by
 * sub (e.g. "checkpoints/"), over all object versions (ListObjectVersions,
 * so that a delete marker hides nothing), and the body of its newest
 * version: *key (a new allocation, free(); the whole key) and body (NUL-
 * terminated). Returns 1, 0 when there is none, or -1 as
 * qgtm_s3_put_locked.
 */
int qgtm_s3_newest(const struct qgtm_s3 *s3, const char *sub, char **key,
    struct qgtm_buf *body);

/*
 * qgtm_s3_lock_status: GET the bucket's Object Lock configuration
 * (?object-lock) into *out, an "audit_lock_status" record (bucket,
 * enabled, mode, days or years of the default retention; NULL when there
 * was no answer to read). Returns 0 only if Object Lock is enabled in
 * COMPLIANCE mode with a default retention; else -1, QGTM_EX_NO for
 * another configuration, as qgtm_s3_put_locked for a failed request
 * (404: the bucket has none).
 */
int qgtm_s3_lock_status(const struct qgtm_s3 *s3, json_t **out);

/*
 * Callback for each valid entry of qgtm_audit_walk(): its line (n bytes,
 * no newline; borrowed, valid during the call) and seq. Returns 0, or -1
 * after qgtm_seterr() to stop the walk (the message gets "chain:LINE: ").
 */
typedef int (*qgtm_audit_fn)(const char *line, size_t n, unsigned long seq,
    void *arg);

/*
 * qgtm_audit_walk: qgtm_audit_verify, calling fn (may be NULL) on every
 * entry once it has checked out, in chain order. Returns as verify, or
 * -1 with fn's error.
 */
int qgtm_audit_walk(const char *chain_path, struct qgtm_audit_summary *out,
    qgtm_audit_fn fn, void *arg);

struct qgtm_mtree;

/*
 * qgtm_audit_tree: the chain's whole Merkle tree in tree (initialized
 * here; the caller releases it on success; nothing to release on -1),
 * and out as verify fills it. From the index "<chain>.idx"
 * (lib/audit_index.c; a read-only mapping, without reading the chain)
 * when the chain still ends where the index says with the hash it says;
 * otherwise the chain is verified, the tree built, and the index written
 * anew (best effort: a read-only directory just gets none). Returns as
 * qgtm_audit_verify.
 */
int qgtm_audit_tree(const char *chain_path, struct qgtm_audit_summary *out,
    struct qgtm_mtree *tree);

/*
 * qgtm_audit_index_open: map "<chain>.idx" into tree (read-only, as
 * qgtm_audit_tree) and fill out's entries, head and good_bytes from its
 * header, without looking at the chain. Returns 0; 1 when there is no
 * index; -1 when it is damaged (QGTM_EX_NO) or cannot be read (IOERR).
 */
int qgtm_audit_index_open(const char *chain_path, struct qgtm_mtree *tree,
    struct qgtm_audit_summary *out);

/*
 * qgtm_audit_repair: under the appenders' lock, mend what a crash leaves.
 * A whole last entry that only lacks its "\n" (the next entry, and the
 * one the commit mark commits, if any) gets its "\n" (*copy NULL; a
 * warning is logged). An uncommitted tail (all past the commit mark), or
 * a torn last line of a chain without a mark, is copied to
 * "<chain>.torn-<now>" (or "...-K" when that exists; *copy: its path, a
 * new allocation, free()) and cut off, then the chain fsync'd. What the
 * mark commits is never cut: a torn entry in it is refused with
 * QGTM_EX_DATAERR, as is any other damage, naming the first bad line. A
 * valid chain is left alone (0, *copy NULL). Returns 0 or -1.
 */
int qgtm_audit_repair(const char *chain_path, char **copy);

/*
 * The commit mark "<chain>.commit" (lib/audit_commit.c; qgtm-audit(1),
 * COMMIT MARK): the chain's first bytes bytes, entries entries ending in
 * the entry of hash head, are committed; bytes past them are the tail of
 * an append that did not finish. A chain without a mark is committed as
 * a whole.
 */
struct qgtm_audit_commit {
	long long bytes;
	unsigned long entries;
	char head[65];          /* 64 zeros for no entry */
};

/*
 * qgtm_audit_commit_read: the mark of chain_path into c. Returns 0; 1
 * when there is none; -1 when it is damaged (QGTM_EX_NO) or cannot be
 * read (QGTM_EX_IOERR).
 */
int qgtm_audit_commit_read(const char *chain_path, struct qgtm_audit_commit *c);

/* A mark's writer, its paths and directory opened ahead. */
struct qgtm_audit_marker {
	char *path, *tmp;
	int dirfd;
};

/*
 * qgtm_audit_marker_open: get ready to write the mark of chain_path (to
 * be called under the appenders' lock; qgtm_audit_marker_close releases
 * m). Returns 0, or -1 (QGTM_EX_IOERR) when the chain's directory cannot
 * be opened. qgtm_audit_marker_put: replace the mark with c (a temp file
 * "<chain>.commit.tmp", fsync, rename, fsync of the directory), without
 * allocating; the write, fsyncs and rename fail as QGTM_FAULT says.
 * Returns 0, or -1 (QGTM_EX_IOERR; the mark is either the old one or,
 * when only the directory's fsync failed, c).
 */
int qgtm_audit_marker_open(struct qgtm_audit_marker *m, const char *chain_path);
int qgtm_audit_marker_put(const struct qgtm_audit_marker *m,
    const struct qgtm_audit_commit *c);
void qgtm_audit_marker_close(struct qgtm_audit_marker *m);
/*
 * qgtm_audit_write_all: write(2) all n bytes at buf to fd (the chain's
 * and its mark's writes), each call failing as QGTM_FAULT's "write"
 * says. Returns 0, or -1 with errno set.
 */
int qgtm_audit_write_all(int fd, const void *buf, size_t n);

/*
 * qgtm_audit_trace: the entries on the path of id (lib/audit_trace.c):
 * when id is an entry's rec.trace_id, every entry of that trace; when it
 * is a rec.client_order_id, order_id or broker_order_id, the entries of
 * that order (same client_order_id) and those of its trace without a
 * client_order_id (signal, risk decision). qgtm_audit_sample: min(n,
 * entries) distinct entries chosen from seed: the j-th pick is the first
 * 8 bytes of SHA-256("SEED:j"), big-endian, modulo the entry count,
 * repeats skipped. Both verify the chain first and return a new array,
 * in chain order, of records of type "audit_trace" or "audit_sample" with
 * seq, kind (the record's type), tree_size, root, leaf_hash, proof (the
 * inclusion proof, checked by qgtm_merkle_check_inclusion), inclusion
 * "verified" and entry (the whole entry); samples also carry seed. An
 * unknown id gives an empty array. NULL on error, as qgtm_audit_verify.
 */
json_t *qgtm_audit_trace(const char *chain_path, const char *id);
json_t *qgtm_audit_sample(const char *chain_path, size_t n, const char *seed);

/*
 * A Merkle tree hash (RFC 9162 section 2.1, lib/merkle.c), built one leaf
 * at a time in O(log n) space: leaf = SHA-256(0x00 || data), node =
 * SHA-256(0x01 || left || right), split at the largest power of two below
 * the size, empty tree = SHA-256(""). node[] holds the roots of the full
 * subtrees, largest first, one per bit set in size.
 */
struct qgtm_merkle {
	uint64_t size;                  /* leaves added */
	unsigned char node[64][32];
};

/* qgtm_merkle_init: the empty tree; no allocation. */
void qgtm_merkle_init(struct qgtm_merkle *m);
/* qgtm_merkle_add: add the leaf of n bytes at p (not kept). */
void qgtm_merkle_add(struct qgtm_merkle *m, const void *p, size_t n);
/*
 * qgtm_merkle_add_leaf: add a leaf by its hash. The nodes this completes,
 * in the post order of struct qgtm_mtree (the leaf, then the root of each
 * subtree it closes), go to made (room for 65 hashes; may be NULL).
 * Returns how many there are.
 */
size_t qgtm_merkle_add_leaf(struct qgtm_merkle *m,
    const unsigned char leaf[32], unsigned char (*made)[32]);
/* qgtm_merkle_root: the tree head as 64 lowercase hex digits and a NUL. */
void qgtm_merkle_root(const struct qgtm_merkle *m, char out[65]);

/* qgtm_merkle_leaf: the leaf hash SHA-256(0x00 || the n bytes at p). */
void qgtm_merkle_leaf(const void *p, size_t n, unsigned char md[32]);

/*
 * qgtm_sha256_cat: SHA-256 of the an bytes at a followed by the bn bytes
 * at b, through one digest context kept for the life of the process (not
 * thread-safe). Dies (QGTM_EX_OSERR) only when OpenSSL cannot allocate.
 */
void qgtm_sha256_cat(const void *a, size_t an, const void *b, size_t bn,
    unsigned char md[32]);

/*
 * qgtm_json_canon: if the bytes from p (before end) begin with one JSON
 * value drawn from a subset whose canonical form is itself (lib/
 * audit_canon.c: objects with strictly ascending keys, arrays, strings of
 * printable ASCII without '"' or '\', integers of at most 18 digits and no
 * "-0", true, false, null; no whitespace; depth at most 64), the end of
 * that value; else NULL, which does not mean the bytes are not canonical
 * JSON, only that this quick test cannot tell. For a value it accepts,
 * jansson's json_loadb() succeeds (even with JSON_REJECT_DUPLICATES) and
 * json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS) gives back the same bytes.
 */
const char *qgtm_json_canon(const char *p, const char *end);

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

/* Most hashes in an inclusion or consistency proof (64-bit sizes). */
#define QGTM_MERKLE_MAX_PROOF 66

/*
 * A whole Merkle tree, for proofs (lib/merkle.c): the roots of all its
 * full subtrees in post order (2n - popcount(n) nodes for n leaves; the
 * leaf i at 2i - popcount(i)), so the nodes of a tree of size n are a
 * prefix of those of every larger tree. The struct owns node.
 */
struct qgtm_mtree {
	unsigned char (*node)[32];
	uint64_t size;                  /* leaves */
	size_t nnodes, cap;
	void *map;      /* not NULL: node lies in this read-only mapping of */
	size_t maplen;  /* an index file (qgtm_audit_tree); no adding then */
};

/* qgtm_mtree_init: the empty tree; no allocation. _release frees it. */
void qgtm_mtree_init(struct qgtm_mtree *t);
void qgtm_mtree_release(struct qgtm_mtree *t);
/* qgtm_mtree_add: add the leaf of n bytes at p; _add_hash: of leaf hash. */
void qgtm_mtree_add(struct qgtm_mtree *t, const void *p, size_t n);
void qgtm_mtree_add_hash(struct qgtm_mtree *t, const unsigned char leaf[32]);

/*
 * qgtm_mtree_root: MTH of the first size leaves (RFC 9162 2.1.1; the empty
 * tree's root for 0). qgtm_mtree_prove: PATH(index, D[0:size]) of 2.1.3.1,
 * leaf-level sibling first. qgtm_mtree_consistency: PROOF(from, D[0:to])
 * of 2.1.4.1; from = to gives the empty proof, from = 0 is refused (the
 * policy of transparency-dev/merkle, see qgtm-audit(1)). Proofs go to
 * proof (room for QGTM_MERKLE_MAX_PROOF hashes), their length to *len.
 * Each returns 0, or -1 (QGTM_EX_USAGE) when a size exceeds the tree or
 * the index or sizes are out of range.
 */
int qgtm_mtree_root(const struct qgtm_mtree *t, uint64_t size,
    unsigned char root[32]);
int qgtm_mtree_prove(const struct qgtm_mtree *t, uint64_t index,
    uint64_t size, unsigned char (*proof)[32], size_t *len);
int qgtm_mtree_consistency(const struct qgtm_mtree *t, uint64_t from,
    uint64_t to, unsigned char (*proof)[32], size_t *len);

/*
 * qgtm_merkle_check_inclusion: the verification of RFC 9162 2.1.3.2 of an
 * inclusion proof of len hashes for the leaf hash leaf at index in a tree
 * of size leaves with root. qgtm_merkle_check_consistency: that of 2.1.4.2
 * between trees of first and second leaves with roots r1 and r2; equal
 * sizes need an empty proof and equal roots, first = 0 fails. Return 0
 * if the proof holds, else -1 (QGTM_EX_NO) saying why.
 */
int qgtm_merkle_check_inclusion(const unsigned char leaf[32], uint64_t index,
    uint64_t size, const unsigned char (*proof)[32], size_t len,
    const unsigned char root[32]);
int qgtm_merkle_check_consistency(uint64_t first, uint64_t second,
    const unsigned char r1[32], const unsigned char r2[32],
    const unsigned char (*proof)[32], size_t len);

/* ---------------------------------------------------------------- pit -- */

/*
 * The point-in-time store: data/<source>/<series>.jsonl under the state
 * directory, one record per observation in date order, each with the
 * moment it became known ("available_at"). Readers see only what was
 * available at their as-of moment.
 */

/* One daily bar as read back from the store. Prices in QGTM_PRICE_SCALE. */
struct qgtm_bar {
	char date[11];          /* session date, YYYY-MM-DD */
	time_t available_at;    /* the session close */
	int64_t open, high, low, close;
	long long volume;
};

/* A symbol's bars, oldest first. bars is the series' own array when block
 * is NULL, else n bars lent by the store's cache (lib/pit.c), which block
 * keeps alive until qgtm_series_release(); either way, read only. */
struct qgtm_series {
	char symbol[16];
	struct qgtm_bar *bars;
	size_t n;
	struct qgtm_bar_block *block;
};

/*
 * One observation as read back from the store (an "obs" record): the value
 * in QGTM_PRICE_SCALE units, or missing when the source published none
 * (FRED's "."), as known at its available_at.
 */
struct qgtm_obs {
	char date[11];          /* the date the value is for, YYYY-MM-DD */
	time_t available_at;    /* when this value (vintage) became known */
	int64_t value;
	int missing;
};

/* A series of observations, one per date, oldest first. Owns obs. */
struct qgtm_obs_series {
	char series[32];
	struct qgtm_obs *obs;
	size_t n;
};

/*
 * qgtm_pit_store: append to data/<source>/<series>.jsonl the records of
 * recs (an array of objects with "date" and "available_at" strings, each
 * date's vintages oldest first) that are news: a date not stored yet, or
 * a later available_at with another "value" than the newest stored for
 * that date (a revision). One durable append under the series' lock, so a
 * rerun adds nothing. Sets *added to their number. Returns 0 or -1; on -1
 * nothing was appended.
 */
int qgtm_pit_store(const char *source, const char *series, json_t *recs,
    size_t *added);

/*
 * qgtm_bar_line: append to buf the stored line (newline included) of the
 * bar record of symbol from source: type "bar", v, ts (its available_at),
 * src (qgtm_progname), source, symbol, date, open, high, low, close
 * (decimal strings of QGTM_PRICE_SCALE), volume and available_at. The one
 * definition of a bar record: qgtm_bar_record() parses this line.
 * Returns 0, or -1 past buf's cap.
 *
 * qgtm_bar_record: that record as JSON (new reference), or NULL
 * (QGTM_EX_SOFTWARE).
 */
int qgtm_bar_line(struct qgtm_buf *buf, const char *source,
    const char *symbol, const struct qgtm_bar *bar);
json_t *qgtm_bar_record(const char *source, const char *symbol,
    const struct qgtm_bar *bar);

/*
 * qgtm_pit_create_bars: store the bars of s (oldest first, dates
 * increasing, positive prices) as the new series s->symbol of source, one
 * line each (qgtm_bar_line), in one durable append under the series' lock,
 * and cache them as that file's bars so that reading them back parses
 * nothing (a backtest stores a whole history and then reads it every
 * session). Returns 0, or -1: QGTM_EX_CANTCREAT when the series already
 * has records, QGTM_EX_DATAERR for a bar out of order or not positive,
 * or the append's error; on -1 nothing was written.
 */
int qgtm_pit_create_bars(const char *source, const struct qgtm_series *s);

/*
 * qgtm_pit_last_date: the newest date of a stored record of a series into
 * out (11 bytes), or "" when there is none. Returns 0 or -1.
 */
int qgtm_pit_last_date(const char *source, const char *series, char out[11]);

/*
 * qgtm_pit_bars: the bars of symbol from source whose available_at is at or
 * before as_of (the as-of join; nothing later is ever returned). A series
 * with no file gives n = 0. A malformed store line is an error naming the
 * file and line (QGTM_EX_DATAERR). Returns 0 or -1; release with
 * qgtm_series_release().
 */
int qgtm_pit_bars(const char *source, const char *symbol, time_t as_of,
    struct qgtm_series *out);
void qgtm_series_release(struct qgtm_series *s);

/*
 * qgtm_series_causal: the value at bar i (< s->n) of a causal derived
 * series of s. fill(bars, n, out, arg) writes out[0..n-1], out[k]
 * depending on bars[0..k] and arg only, so that a prefix of a file's bars
 * gives the values the whole file gives. A series lent by the store's cache
 * runs fill once per file and key, over the whole file, and answers later
 * calls from that memo (a backtest asks at every session); any other series
 * runs it afresh. key must name fill and every argument that changes its
 * values (at most 63 bytes). Never fails.
 */
typedef void qgtm_causal_fill(const struct qgtm_bar *bars, size_t n,
    double *out, const void *arg);
double qgtm_series_causal(const struct qgtm_series *s, size_t i,
    const char *key, qgtm_causal_fill *fill, const void *arg);

/*
 * qgtm_pit_last_close: the last close of symbol available at as_of
 * (QGTM_PRICE_SCALE units), and its date into date (11 bytes, may be NULL).
 * Returns 0, or -1 (QGTM_EX_DATAERR "no price for SYM as of T") when none.
 */
int qgtm_pit_last_close(const char *source, const char *symbol, time_t as_of,
    int64_t *close, char *date);

/*
 * qgtm_pit_obs: the as-of join of observations: for each date of series,
 * the newest vintage whose available_at is at or before as_of, oldest date
 * first; nothing known later is ever returned. No file gives n = 0; a
 * malformed line is QGTM_EX_DATAERR naming file and line. Returns 0 or -1;
 * release with qgtm_obs_series_release().
 */
int qgtm_pit_obs(const char *source, const char *series, time_t as_of,
    struct qgtm_obs_series *out);
void qgtm_obs_series_release(struct qgtm_obs_series *s);

/* ---------------------------------------------------------------- sim -- */

/*
 * The sim market: deterministic synthetic daily bars. The nine built-in
 * symbols (GLD SLV GDX TLT IEF UUP USO SPY DBC) move together through a
 * fixed correlation matrix, with drifts that wander in slow trends and
 * volatility in persistent regimes; any other symbol gets an independent
 * path of its own seeded by its name. The history always starts at
 * start_day, so a bar is the same whatever range is asked for.
 */
struct qgtm_sim {
	uint64_t seed;
	long start_day;         /* days since 1970-01-01 of the first session */
};

/* Called with each bar record (borrowed); return 0 to go on or -1. */
typedef int (*qgtm_sim_fn)(json_t *bar, void *arg);

/*
 * qgtm_sim_run: generate the sessions from sim->start_day to to_day
 * (inclusive) and call fn, in date order and then in the order of
 * universe (a JSON array of symbol strings), for every bar dated on or after
 * from_day whose close (available_at) is at or before as_of. Bar records
 * carry type "bar", source "sim", symbol, date, open, high, low, close
 * (decimal strings), volume and available_at; ts is the available_at.
 * Returns 0, or -1 (fn's error, or QGTM_EX_USAGE for a bad universe).
 */
int qgtm_sim_run(const struct qgtm_sim *sim, json_t *universe, long from_day,
    long to_day, time_t as_of, qgtm_sim_fn fn, void *arg);

/*
 * qgtm_sim_normal: the next standard normal of the splitmix64 stream
 * *state (Box-Muller; two draws of the stream), as the sim market draws
 * them.
 */
double qgtm_sim_normal(uint64_t *state);

/*
 * qgtm_sim_bars: the same bars as qgtm_sim_run, as each universe symbol's
 * series: out[k] (an array of json_array_size(universe), filled here, each
 * with an array of its own; release each with qgtm_series_release()) holds
 * the bars of the k-th symbol in date order. Returns 0 or -1 as
 * qgtm_sim_run; the series are to be released either way.
 */
int qgtm_sim_bars(const struct qgtm_sim *sim, json_t *universe, long from_day,
    long to_day, time_t as_of, struct qgtm_series *out);

/* ----------------------------------------------------------- strategy -- */

/*
 * A strategy turns the point-in-time store, as of a moment, into target
 * weights. The same function serves live signals and backtests.
 */
struct qgtm_strategy {
	const char *name;
	/* params: the strategy's parameters from cfg (new reference). */
	json_t *(*params)(const struct qgtm_cfg *cfg);
	/*
	 * targets: append to targets (a JSON array) one object per symbol
	 * {"symbol", "weight" (decimal string, QGTM_WEIGHT_SCALE), "reason"}
	 * from the data available at as_of, and set *data_as_of to the
	 * available_at of the newest input used. Returns 0 or -1.
	 */
	int (*targets)(const struct qgtm_cfg *cfg, json_t *params, time_t as_of,
	    json_t *targets, time_t *data_as_of);
};

/* qgtm_strategy_find: the strategy called name, or NULL. */
const struct qgtm_strategy *qgtm_strategy_find(const char *name);

/* qgtm_strategy_names: the registered names, space-separated. Borrowed. */
const char *qgtm_strategy_names(void);

/*
 * qgtm_strategy_signal: run st as of as_of and build its signal record
 * (new reference): strategy, params, params_hash (16 hex of the SHA-256 of
 * the canonical params), as_of, data_as_of, targets and a trace_id (fresh;
 * derived from the strategy, the moment and the params when the clock is
 * pinned). Returns NULL on error.
 */
json_t *qgtm_strategy_signal(const struct qgtm_strategy *st,
    const struct qgtm_cfg *cfg, time_t as_of);

/*
 * qgtm_tsmom_sigma: the annualized ex-ante volatility of Moskowitz, Ooi and
 * Pedersen (2012) Eq. 1 over daily returns r[0..n-1] (oldest first):
 * exponential weights w_i = (1-d) d^i on r[n-1-i] with d = com/(1+com),
 * normalized by their sum (finite sample), about the equally weighted
 * exponential mean; times annualization. Returns NAN when n < 2.
 */
double qgtm_tsmom_sigma(const double *r, size_t n, double com,
    double annualization);

/*
 * The strategies, one file each, documented in qgtm-strategies(7):
 * lib/tsmom.c, xsmom.c, riskparity.c, gsr.c, realrate.c, cot.c and
 * inventory.c; and the combination of their targets by the budgets of
 * signal.combined.budgets ("NAME=BUDGET" items), in lib/strategy.c. A
 * combined target's weight is the exact sum (QGTM_WEIGHT_SCALE) of its
 * "contributions", one per strategy: budget times that strategy's weight,
 * rounded half to even; with signal.combined.target_vol > 0 the budget is
 * first scaled by target_vol over the strategy's ex-ante volatility. Strategies that read observations (fred, eia,
 * cftc) give weight 0 with a reason {"no_data", "hint"} when the store
 * has none; those that read bars fail with QGTM_EX_NOINPUT.
 */
extern const struct qgtm_strategy qgtm_strategy_tsmom, qgtm_strategy_xsmom,
    qgtm_strategy_vol_risk_parity, qgtm_strategy_gold_silver_ratio,
    qgtm_strategy_real_rate_gold, qgtm_strategy_cot_positioning,
    qgtm_strategy_inventory_surprise, qgtm_strategy_combined;

/* Helpers shared by the strategies (lib/strategy.c). */

/*
 * qgtm_strategy_params: the parameters of strategy name: every key
 * signal.NAME.KEY of the schema as "KEY" with its typed value, in schema
 * order, then, when prices is set, "universe" (common.universe) and
 * "source" (common.price_source). Returns a new reference.
 */
json_t *qgtm_strategy_params(const struct qgtm_cfg *cfg, const char *name,
    int prices);

/* qgtm_strategy_dec: x as a new JSON decimal string of QGTM_WEIGHT_SCALE
 * places, rounded half away from zero; "0.000000" for NaN or Inf. */
json_t *qgtm_strategy_dec(double x);

/* qgtm_strategy_target: append {"symbol", "weight": qgtm_strategy_dec(w),
 * "reason"} to targets; steals reason. */
void qgtm_strategy_target(json_t *targets, const char *symbol, double w,
    json_t *reason);

/* qgtm_strategy_no_data: the reason {"no_data": "SOURCE/SERIES", "hint":
 * "run qgtm-fetch SOURCE"} of a weight 0 (new reference). */
json_t *qgtm_strategy_no_data(const char *source, const char *series);

/* qgtm_strategy_formation: the index of the newest bar of s that is the
 * last NYSE session of its month, or -1. */
long qgtm_strategy_formation(const struct qgtm_series *s);

/* qgtm_strategy_months_back: the index of the last bar dated in or before
 * the calendar month `months` before that of bar f, or -1. */
long qgtm_strategy_months_back(const struct qgtm_series *s, long f,
    int months);

/* qgtm_strategy_returns: the to - from simple daily returns of the closes
 * of bars from..to (from < to): r[k] = close[from+k+1]/close[from+k] - 1.
 * Returns a new allocation (free()). */
double *qgtm_strategy_returns(const struct qgtm_series *s, size_t from,
    size_t to);

/*
 * qgtm_strategy_bars: the bars as of as_of of each symbol of the array
 * params.universe from params.source, *n of them in that order. Returns a
 * new array (qgtm_strategy_bars_free()), or NULL with the store's error,
 * or QGTM_EX_NOINPUT "no 'SRC' bars in the store as of T (run qgtm-fetch
 * SRC first)" when no symbol has a bar.
 */
struct qgtm_series *qgtm_strategy_bars(json_t *params, time_t as_of,
    size_t *n);
void qgtm_strategy_bars_free(struct qgtm_series *s, size_t n);

/*
 * qgtm_strategy_band: the state after z[0..n-1] (non-finite values
 * skipped) through entry and exit bands, from 0: +1 from a z >= entry
 * until a z <= exit, -1 from a z <= -entry until a z >= -exit.
 */
int qgtm_strategy_band(const double *z, size_t n, double entry, double exit);

/* qgtm_strategy_date_add: the date `days` after date (YYYY-MM-DD; days may
 * be negative) into out. Returns 0, or -1 (QGTM_EX_DATAERR) for a bad date. */
int qgtm_strategy_date_add(const char *date, long days, char out[11]);

/* --------------------------------------------------------------- risk -- */

/*
 * The pre-trade risk gate (lib/risk.c, qgtm-risk(1)): the target weights of
 * a signal are checked against the limits of the config's risk section,
 * with the equity and positions of the OMS book, and become a decision with
 * the approved weights and the reason code of every limit that bound.
 */

struct qgtm_book;

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

/* ---------------------------------------------------------------- oms -- */

/*
 * The order management system (lib/oms.c, qgtm-order(1)) and the sim paper
 * broker (lib/broker_sim.c). The truth is one journal under the state
 * directory, the order log oms/orders.jsonl: one line per placed order,
 *	{"order":{order record},"fill":{fill record}}
 * so an order and its fill are kept together or not at all; a broker that
 * fills later (alpaca) adds {"order":...} alone when the order goes out and
 * {"fill":{... "activity_id" ...}} when qgtm_oms_record() takes in its
 * fill (one line per activity id, never two; a resting sim order's later
 * fill likewise, activity id "sim-..."), and {"cancel":{order record}}
 * when an open order is canceled. The orders still working are those
 * whose status is open (qgtm_order_is_open) less their fills and
 * cancels (book->open). Lines are
 * appended with one durable write per run under the flock oms/lock. A last
 * line without its newline is a torn write that never reported success:
 * readers ignore it and the next writer cuts it off. The book (cash and
 * positions) is the fold of the fills over broker.sim.initial_cash;
 * oms/book.json is a snapshot of it for pages, replaced after each run
 * that placed orders.
 */

#define QGTM_OMS_JOURNAL "oms/orders.jsonl"
#define QGTM_OMS_LOCK "oms/lock"
#define QGTM_OMS_SNAPSHOT "oms/book.json"
/* The "recon" records of every qgtm-order reconcile, appended. */
#define QGTM_OMS_RECON "oms/recon.jsonl"
/* How long a writer waits for oms/lock before QGTM_EX_TEMPFAIL. */
#define QGTM_OMS_LOCK_MS 10000
/* "qgtm-" and 40 hex digits, with the NUL. */
#define QGTM_CLIENT_ORDER_ID_SIZE 46

enum { QGTM_SELL = -1, QGTM_BUY = 1 };

/* One open position. */
struct qgtm_position {
	char symbol[16];
	int64_t qty;            /* QGTM_QTY_SCALE; negative is short, never 0 */
	int64_t avg_price;      /* QGTM_PRICE_SCALE, average cost of qty */
};

/* One execution. */
struct qgtm_fill {
	char symbol[16];
	int side;               /* QGTM_BUY or QGTM_SELL */
	int64_t qty;            /* QGTM_QTY_SCALE, positive */
	int64_t price;          /* QGTM_PRICE_SCALE */
	int64_t commission;     /* QGTM_CENTS */
	int64_t notional;       /* QGTM_CENTS: qty * price, half to even */
};

/* The book. Owns pos; a book from qgtm_oms_book_load() shares its JSON
 * containers (journal, orders, activities) with the process's cached fold
 * of the journal, so treat them as read-only outside lib/oms.c. */
struct qgtm_book {
	int64_t cash;                   /* QGTM_CENTS */
	struct qgtm_position *pos;      /* sorted by symbol */
	size_t npos;
	json_t *journal;        /* array of the journal lines, oldest first */
	json_t *orders;         /* object: client_order_id -> order record */
	json_t *activities;     /* object: broker activity id -> fill record */
	json_t *open;           /* object: client_order_id -> the quantity
	                           (integer, QGTM_QTY_SCALE) still working of
	                           each order the journal holds open */
};

/* qgtm_book_init: an empty book holding cash (cents); allocates the two
 * JSON containers. qgtm_book_release: free what book owns. */
void qgtm_book_init(struct qgtm_book *book, int64_t cash);
void qgtm_book_release(struct qgtm_book *book);

/*
 * qgtm_book_apply: fold one fill into book. A buy pays notional plus
 * commission, a sell receives notional minus commission. A fill that adds
 * to a position moves its average price to the quantity-weighted mean
 * (half to even); one that reduces it keeps the average; one that crosses
 * zero opens the rest at the fill price. Returns 0, or -1
 * (QGTM_EX_DATAERR) on an overflow.
 */
int qgtm_book_apply(struct qgtm_book *book, const struct qgtm_fill *f);

/* qgtm_book_position: the position in symbol, or NULL when flat.
 * Borrowed: valid until the next change of book. */
const struct qgtm_position *qgtm_book_position(const struct qgtm_book *book,
    const char *symbol);

/*
 * qgtm_oms_book_load: fold the journal over broker.sim.initial_cash into
 * book (initialized here). A missing journal is an empty book. A malformed
 * line is "oms/orders.jsonl:LINE: reason" (QGTM_EX_DATAERR); an unreadable
 * journal QGTM_EX_IOERR. Takes no lock. The fold is cached in the process
 * (keyed by the journal's path, device and inode): a later load folds only
 * the lines appended since, and a journal replaced or shrunk is folded
 * afresh. Returns 0 or -1; on -1 book holds nothing to release.
 */
int qgtm_oms_book_load(const struct qgtm_cfg *cfg, struct qgtm_book *book);

/*
 * qgtm_oms_equity: cash plus every position marked at its last close
 * available at as_of from common.price_source (cents, each position
 * rounded half to even). Returns 0, or -1 (QGTM_EX_DATAERR "no price for
 * SYM as of T") when a position has no price.
 */
int qgtm_oms_equity(const struct qgtm_cfg *cfg, const struct qgtm_book *book,
    time_t as_of, int64_t *equity);

/*
 * qgtm_oms_positions: the book marked at as_of as records (a new array):
 * one "position" per position (symbol, qty, avg_price, price,
 * market_value) and a last "account" (broker, cash, market_value, equity,
 * positions), all with as_of. Returns NULL when a price is missing.
 */
json_t *qgtm_oms_positions(const struct qgtm_cfg *cfg,
    const struct qgtm_book *book, time_t as_of);

/*
 * qgtm_intent_order_id: the client order id of an intent: "qgtm-" and the
 * first 40 hex digits of the SHA-256 of
 * "intent|book|YYYY-MM-DD|symbol|weight", where the date is the New York
 * date at day_of (the session the decision is for) and weight the
 * approved weight (QGTM_WEIGHT_SCALE) as a decimal. Every run of the same
 * day's decision gives the same id, so the broker (which refuses a
 * client_order_id twice) and the journal hold at most one order per
 * intent. 45 characters, within Alpaca's 128.
 */
void qgtm_intent_order_id(const char *book, time_t day_of,
    const char *symbol, int64_t weight, char out[QGTM_CLIENT_ORDER_ID_SIZE]);

/* qgtm_order_is_open: 1 when status (an Alpaca or sim order status) is
 * one of a working order: new, accepted, pending_new,
 * accepted_for_bidding, partially_filled, pending_cancel,
 * pending_replace, held; else 0. */
int qgtm_order_is_open(const char *status);

/*
 * qgtm_client_order_id: "qgtm-" and the first 40 hex digits of the
 * SHA-256 of "strategy|trace_id|symbol" into out. No longer the OMS's
 * key (a new trace id each run made each run a new order); the OMS uses
 * qgtm_intent_order_id().
 */
void qgtm_client_order_id(const char *strategy, const char *trace_id,
    const char *symbol, char out[QGTM_CLIENT_ORDER_ID_SIZE]);

/* qgtm_qty_json: a quantity (QGTM_QTY_SCALE) as a new JSON string without
 * trailing zeros ("10", "0.5", "-20"), as order and position records
 * carry it. */
json_t *qgtm_qty_json(int64_t qty);

/* qgtm_symbol_ok: 1 for a ticker usable as a file name: 1-15 characters
 * of A-Z a-z 0-9 . - starting with a letter or digit; else 0. */
int qgtm_symbol_ok(const char *s);

/* qgtm_json_symbol: the string of v (borrowed) when v is a JSON string
 * without NUL that qgtm_symbol_ok() accepts; else NULL. */
const char *qgtm_json_symbol(json_t *v);

/* How the sim broker fills (broker.sim.fills). */
enum {
	QGTM_SIM_IMMEDIATE,     /* every order fills in full when placed */
	QGTM_SIM_RESTING,       /* accepted; fills in full fill_delay_s later */
	QGTM_SIM_PARTIAL,       /* half fills at once, the rest as RESTING */
	QGTM_SIM_NEVER          /* accepted; never fills until canceled */
};

/* The sim broker's terms, from the config's broker.sim section. */
struct qgtm_broker_sim {
	int64_t slippage;       /* QGTM_WEIGHT_SCALE fraction of the price */
	int64_t per_share;      /* commission per share, QGTM_PRICE_SCALE */
	int64_t commission_min; /* QGTM_CENTS */
	int fills;              /* QGTM_SIM_* */
	long fill_delay_s;      /* RESTING and PARTIAL: seconds to the fill */
};

/* qgtm_broker_sim_init: read the terms; a negative one is QGTM_EX_CONFIG.
 * Returns 0 or -1. */
int qgtm_broker_sim_init(struct qgtm_broker_sim *b,
    const struct qgtm_cfg *cfg);

/*
 * qgtm_broker_sim_fill: fill a market order of qty (QGTM_QTY_SCALE,
 * positive) on side at close (QGTM_PRICE_SCALE): the price moves against
 * the order by the slippage (up for a buy, down for a sell) and is rounded
 * half to even to 4 decimals; commission is max(commission_min, per_share *
 * shares) rounded half to even to cents; notional is qty * price in cents.
 * Fills out (symbol included). Returns 0, or -1 (QGTM_EX_DATAERR) on an
 * overflow.
 */
int qgtm_broker_sim_fill(const struct qgtm_broker_sim *b, const char *symbol,
    int side, int64_t qty, int64_t close, struct qgtm_fill *out);

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
void qgtm_decision_release(struct qgtm_decision *d);

/*
 * One qgtm-order submit run. Orders are placed against the book in memory
 * and become real only with qgtm_oms_run_commit(), so a run that fails
 * half way places nothing.
 */
struct qgtm_oms_run {
	const struct qgtm_cfg *cfg;     /* borrowed */
	struct qgtm_book book;
	struct qgtm_broker_sim sim;
	time_t as_of;           /* prices are the last closes at as_of */
	int64_t equity;         /* QGTM_CENTS, the book at the start */
	int64_t band;           /* order.no_trade_band * equity, QGTM_CENTS */
	int64_t min_notional;   /* order.min_notional, QGTM_CENTS */
	int dry_run;
	int tier;               /* the kill switch's effective QGTM_TIER_* */
	int closing;            /* 1: place only orders that reduce risk */
	struct qgtm_broker *broker;     /* borrowed; NULL: the sim */
	int lockfd;             /* oms/lock, or -1 for a dry run */
	size_t journal_len;     /* bytes of whole lines in the journal */
	json_t *placed;         /* journal lines not yet written */
	json_t *at_broker;      /* alpaca: the broker's open order records */
	json_t *fills;          /* the sim's fills of resting orders that came
	                           due at this run (for the audit chain) */
};

/* qgtm_oms_tier: the kill switch's effective tier (QGTM_TIER_*), read
 * through qgtm_ks_read(); FLATTEN when it cannot be opened (fail closed). */
int qgtm_oms_tier(const struct qgtm_cfg *cfg);

/*
 * qgtm_oms_run_begin: take oms/lock (not for a dry run; busy after
 * QGTM_OMS_LOCK_MS is QGTM_EX_TEMPFAIL), load the book and its equity at
 * as_of and the broker's terms. The tier starts NORMAL (a backtest obeys
 * no live switch); a live submit sets run->tier from qgtm_oms_tier().
 * Returns 0 or -1; on -1 nothing is held.
 */
int qgtm_oms_run_begin(struct qgtm_oms_run *run, const struct qgtm_cfg *cfg,
    time_t as_of, int dry_run);

/*
 * qgtm_oms_run_decision: turn the approved targets of d into orders. For
 * each: target = trunc(weight * equity / close) whole shares; the order is
 * the difference from the position held and the quantity still working,
 * skipped when it is zero, or its notional is below no_trade_band *
 * equity or min_notional (unless it closes the position), or when its
 * client order id (qgtm_intent_order_id: the strategy, the New York date
 * of run->as_of, the symbol, the weight) is already in the book. An open
 * order of an older intent in the symbol is canceled first (journaled
 * {"cancel":...}, an order record with status "canceled" in out). Each
 * order is filled by the sim broker (broker.sim.fills: at once; or
 * accepted, status "accepted" or "partially_filled", and filled by a
 * later run's qgtm_oms_run_begin(), whose fills go to run->fills) and
 * applied to the book in memory; its order record (status "filled") and
 * fill record are appended to out. A dry run appends the order records only, status "dry_run", and
 * changes nothing. Nothing is placed for a decision that fails (a missing
 * price: QGTM_EX_DATAERR). The kill switch refuses every order under
 * FLATTEN and, under NO_NEW, each that adds risk (opens, grows or flips a
 * position), whatever the decision says: a refused order is appended to
 * out as an order record with status "refused" and a reason, and is
 * neither filled nor journaled. A closing run (run->closing) places only
 * orders that reduce risk, whatever the tier. Returns the number of
 * orders placed, or -1.
 */
int qgtm_oms_run_decision(struct qgtm_oms_run *run,
    const struct qgtm_decision *d, json_t *out);

/*
 * qgtm_oms_run_commit: append the placed orders to the journal in one
 * durable write (cutting off a torn last line first) and replace the
 * snapshot oms/book.json. Does nothing for a dry run, or when nothing was
 * placed and the snapshot is not older than the journal. Returns 0 or -1
 * (QGTM_EX_IOERR); after a failed snapshot the orders are placed all the
 * same, and the next commit replaces the snapshot.
 */
int qgtm_oms_run_commit(struct qgtm_oms_run *run);

/* qgtm_oms_run_release: unlock and free what run owns. */
void qgtm_oms_run_release(struct qgtm_oms_run *run);

/*
 * qgtm_oms_run_broker: send the run's orders to b (alpaca) instead of the
 * sim: the equity and positions sizing them become the broker's (its
 * account "equity" and positions), and its open orders are read
 * (run->at_broker). An intent the broker holds already (open, or found by
 * qgtm_alpaca_lookup) is journaled as the broker has it and not sent; the
 * journal's own open orders in the symbol are canceled first
 * (qgtm_alpaca_cancel; one that does not cancel in time makes the intent
 * a "failed" order record), open orders the journal lacks count as
 * working; each order goes out through qgtm_alpaca_submit() with its
 * client order id, and the journal gets the order alone, as the broker
 * answered it (the broker fills it later; no snapshot is written). An
 * order the broker did not take is an order record with status "failed"
 * and a reason, not journaled, so a rerun sends it again. Call after
 * qgtm_oms_run_begin(). Returns 0 or -1.
 */
int qgtm_oms_run_broker(struct qgtm_oms_run *run, struct qgtm_broker *b);

/*
 * qgtm_oms_close_all: close every position of the sim book at its last
 * close at as_of in one closing run under oms/lock (strategy "flatten",
 * trace_id "flatten-T-N" with N the journal's length, so a later close
 * gets new client order ids); the order and fill records are appended to
 * out. Returns the number of orders placed, or -1.
 */
int qgtm_oms_close_all(const struct qgtm_cfg *cfg, time_t as_of,
    json_t *out);

/*
 * qgtm_oms_record: make what a broker did part of the order log, under
 * oms/lock, in one durable append: each "order" record of recs (an array,
 * borrowed) with a client_order_id the log lacks becomes the line
 * {"order":rec}, and each "fill" record with an activity_id the log lacks
 * becomes {"fill":rec}, given the client_order_id of the logged order
 * with its broker_order_id. Anything else, and what the log holds
 * already, is skipped, so recording twice changes nothing. Folding such a
 * fill moves the book like any other. Returns the number of lines
 * appended, or -1.
 */
int qgtm_oms_record(const struct qgtm_cfg *cfg, json_t *recs);

/* qgtm_oms_record_new: qgtm_oms_record(), and each record that became a
 * journal line is appended to added (an array; a fill as it was
 * journaled: with the client_order_id and trace_id of its order when the
 * log holds that order). Returns the number of lines appended, or -1. */
int qgtm_oms_record_new(const struct qgtm_cfg *cfg, json_t *recs,
    json_t *added);

/* qgtm_oms_fills_new: the "fill" records of recs (an array, borrowed)
 * whose activity ids book lacks, each once, as qgtm_oms_record() would
 * journal them (copies linked to their orders), in a new array; nothing
 * is written. */
json_t *qgtm_oms_fills_new(const struct qgtm_book *book, json_t *recs);

/* qgtm_oms_cancel_sim: cancel every open order of the sim in the journal
 * (one {"cancel":rec} line each, under oms/lock), appending an "order"
 * record with status "canceled" per order to out. Returns the number
 * canceled, or -1. */
int qgtm_oms_cancel_sim(const struct qgtm_cfg *cfg, json_t *out);

/* qgtm_oms_open_sim: the "order" records (a new array) of the sim's
 * orders the journal holds open, each with "left" (the quantity still
 * working), or NULL. */
json_t *qgtm_oms_open_sim(const struct qgtm_cfg *cfg);

/* qgtm_oms_last_activity: the greatest broker activity id in book
 * (borrowed), or NULL when it holds none. Ids begin with their time, so
 * this is the latest fill the book folded from a broker. */
const char *qgtm_oms_last_activity(const struct qgtm_book *book);

/*
 * qgtm_oms_last_equity: the equity (cents) the book had at the close of
 * the UTC day before as_of's: the journal lines stamped before that day
 * folded over broker.sim.initial_cash, marked at the last closes
 * available then. Returns 0, or -1 (a missing price, QGTM_EX_DATAERR).
 */
int qgtm_oms_last_equity(const struct qgtm_cfg *cfg,
    const struct qgtm_book *book, time_t as_of, int64_t *out);

/* qgtm_records_append: append records (an array) as JSON Lines to the
 * state file rel in one durable write. Returns 0 or -1 (QGTM_EX_IOERR). */
int qgtm_records_append(const char *rel, json_t *recs);

/* -------------------------------------------------------------- stats -- */

/*
 * Statistics of per-period returns (decimal fractions), lib/stats.c; the
 * conventions are those of qgtm-stats(1). Functions of a series return NAN
 * when it is too short (n < 1 for the mean, n < 2 for the others).
 */

/* qgtm_stats_mean: the arithmetic mean. qgtm_stats_sd: the sample
 * standard deviation (n - 1 denominator). */
double qgtm_stats_mean(const double *r, size_t n);
double qgtm_stats_sd(const double *r, size_t n);

/* qgtm_stats_sharpe: mean / sample sd, per period (not annualized). */
double qgtm_stats_sharpe(const double *r, size_t n);

/* qgtm_stats_downside: sqrt(mean over all n of min(r, 0)^2), per period. */
double qgtm_stats_downside(const double *r, size_t n);

/*
 * qgtm_stats_max_drawdown: min over t of W_t / max(1, W_1..W_t) - 1 with
 * W_t the compounded wealth from 1: the starting capital counts as a peak.
 * 0 or negative; 0 for an empty series.
 */
double qgtm_stats_max_drawdown(const double *r, size_t n);

/* qgtm_stats_moments: skewness m3/m2^1.5 and non-excess kurtosis m4/m2^2
 * from the biased central moments (NAN when m2 is 0). */
void qgtm_stats_moments(const double *r, size_t n, double *skew,
    double *kurt);

/* The summary of one series, annualized with ppy periods a year. */
struct qgtm_stats_summary {
	size_t n;
	double mean;            /* per period */
	double vol;             /* sd * sqrt(ppy) */
	double sharpe;          /* mean / sd * sqrt(ppy) */
	double sortino;         /* mean * ppy / (downside * sqrt(ppy)) */
	double max_drawdown;
	double annual_return;   /* W_n^(ppy / n) - 1 */
	double calmar;          /* annual_return / -max_drawdown, NAN at 0 */
	double skew, kurtosis;  /* kurtosis non-excess */
	double hit_rate;        /* #(r > 0) / #(r != 0), NAN when all are 0 */
};

/* qgtm_stats_summary: fill out from r[0..n-1]. Returns 0, or -1
 * (QGTM_EX_DATAERR) when n < 2. */
int qgtm_stats_summary(const double *r, size_t n, double ppy,
    struct qgtm_stats_summary *out);

/* qgtm_norm_cdf: the standard Normal CDF. qgtm_norm_ppf: its inverse to
 * full double precision (-INFINITY at 0, INFINITY at 1, NAN outside). */
double qgtm_norm_cdf(double x);
double qgtm_norm_ppf(double p);

/*
 * qgtm_stats_psr: the probabilistic Sharpe ratio Z[(sr - sr_star)
 * sqrt(t - 1) / sqrt(1 - skew sr + (kurt - 1)/4 sr^2)] of a per-period
 * Sharpe sr over t observations, kurt non-excess. NAN when t <= 1 or the
 * variance factor is not positive.
 */
double qgtm_stats_psr(double sr, double sr_star, double t, double skew,
    double kurt);

/* qgtm_stats_expected_max: the expected maximum of `trials` independent
 * standard Normals, (1 - g) Z^-1(1 - 1/N) + g Z^-1(1 - 1/(N e)), g the
 * Euler-Mascheroni constant; NAN when trials <= 1. */
double qgtm_stats_expected_max(double trials);

/*
 * qgtm_stats_dsr: the deflated Sharpe ratio PSR(sr0) with sr0 =
 * sqrt(trials_var) * expected_max(trials), trials_var the variance of the
 * trials' per-period Sharpe ratios; sr0 is stored in *sr0.
 */
double qgtm_stats_dsr(double sr, double t, double trials, double trials_var,
    double skew, double kurt, double *sr0);

/* qgtm_stats_mintrl: the minimum track record length 1 + v (Z^-1(prob) /
 * (sr - sr_star))^2 in observations; INFINITY when sr <= sr_star. */
double qgtm_stats_mintrl(double sr, double sr_star, double skew, double kurt,
    double prob);

/* The per-split performance measure of PBO. */
enum qgtm_pbo_metric { QGTM_PBO_SHARPE, QGTM_PBO_MEAN };

/* The outcome of qgtm_stats_pbo(). Owns logits. */
struct qgtm_pbo {
	double pbo;             /* share of splits with logit <= 0 */
	double *logits;         /* one per split, in mask order */
	size_t nsplits;         /* C(S, S/2) */
	size_t rows_used;       /* T - T mod S: the first T mod S rows dropped */
};

/*
 * qgtm_stats_pbo: the probability of backtest overfitting by CSCV of the
 * t x n row-major matrix m (rows are periods, columns configurations) cut
 * into s contiguous blocks: for every choice of s/2 blocks as in-sample,
 * the first column with the best in-sample metric is ranked out of sample
 * (ascending, ties by average rank), w = rank / (n + 1), logit =
 * ln(w / (1 - w)). Errors: s odd, below 2 or above 24 (QGTM_EX_USAGE);
 * n < 2 or fewer than 2 rows a block (QGTM_EX_DATAERR). Returns 0 or -1;
 * release out with qgtm_pbo_release().
 */
int qgtm_stats_pbo(const double *m, size_t t, size_t n, size_t s,
    enum qgtm_pbo_metric metric, struct qgtm_pbo *out);
void qgtm_pbo_release(struct qgtm_pbo *p);

/* qgtm_pbo_logit_quantiles: min, 25%, median, 75% and max of the logits
 * (linear interpolation between order statistics, as numpy's default). */
void qgtm_pbo_logit_quantiles(const struct qgtm_pbo *p, double q[5]);

/* --------------------------------------------------------- killswitch -- */

/*
 * The kill switch (lib/killswitch.c, qgtm-risk(1)). Five ordered tiers;
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
/* The disk reserve and the intent slot (lib/ksdisk.c). */
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
	char detail[256];       /* why health is not OK */
};

struct qgtm_ks;

/*
 * A state backend. Objects are flat JSON objects of strings by name
 * ("state", "marker", "requests/ID"); streams are append-only lists of
 * records ("history", "heartbeat"). load returns 1 found, 0 absent or -1
 * (QGTM_EX_DATAERR corrupt, QGTM_EX_IOERR unreadable, other codes
 * unreachable); commit writes the state, appends the event (may be NULL)
 * to "history" and sets the marker, returning 1, 0 when another writer
 * changed the state since begin (try again), or -1; beat makes rec the
 * object "heartbeat" (and, where streams are bounded, adds it to the
 * stream "heartbeat"), returning 0 or -1.
 */
struct qgtm_ks_backend {
	const char *name;
	int (*open)(struct qgtm_ks *ks);
	void (*close)(struct qgtm_ks *ks);
	int (*begin)(struct qgtm_ks *ks);
	int (*commit)(struct qgtm_ks *ks, json_t *state, json_t *event);
	void (*end)(struct qgtm_ks *ks);
	int (*load)(struct qgtm_ks *ks, const char *name, json_t **out);
	int (*store)(struct qgtm_ks *ks, const char *name, json_t *obj);
	int (*append)(struct qgtm_ks *ks, const char *stream, json_t *rec);
	json_t *(*range)(struct qgtm_ks *ks, const char *stream);
	int (*beat)(struct qgtm_ks *ks, json_t *rec);
};

/* The Redis backend (lib/redis.c): hashes qgtm:killswitch (the tier),
 * qgtm:killswitch:init (the marker), qgtm:eval, qgtm:heartbeat and
 * qgtm:request:ID; streams qgtm:killswitch:events (the history) and
 * qgtm:heartbeats (XADD MAXLEN ~ 10000), each entry one field "data"
 * holding the record. */
extern const struct qgtm_ks_backend qgtm_redis_backend;

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
 * The kill switch in the audit chain (lib/kschain.c). Every change is a
 * "tier" record appended to audit.chain by the program that made it
 * (the first one records that the switch left its fresh NORMAL); each
 * carries "signer" (an operator of
 * risk.operators, or "program" for the key of risk.program_key) and its
 * Ed25519 "sig" (see lib/sign.c); a record made under a pinned clock also
 * carries "clock":"pinned" and the system clock's "real_ts". A record
 * that lowers the tier counts only with the two-person reset in it.
 */
struct qgtm_ks_chain {
	int tier;               /* the tier the valid records put in force */
	long long seq;          /* seq of the last valid tier record, or 0 */
	unsigned long records;  /* valid tier records */
	unsigned long entries;  /* entries of the chain */
	long long published;    /* entries of the newest published
	                           checkpoint, or -1 when none is known */
	char since[21];         /* ts of the last valid tier record */
	char bad[256];          /* why the chain cannot be trusted, or "" */
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
 * Safety acts on a full disk (lib/ksdisk.c). qgtm_ks_prepare: make the
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

/* --------------------------------------------------------------- feed -- */

/*
 * The data feeds of qgtm-fetch(1): lib/feed.c drives a fetch, each
 * lib/feed_<source>.c speaks one provider's API. A fetch asks its source
 * for the request units (series, symbol lists, files), fetches each unit
 * page by page and parses every page into "obs" or "bar" records by
 * series. Only when every page of every unit parsed are the series stored
 * (qgtm_pit_store(), one durable append each), so a malformed or surprising
 * response never leaves part of itself in the store. Every fetch ends with
 * a "feed" health record appended to feeds.jsonl.
 */

struct qgtm_feed;

/* Paging state of one unit; all zero for its first page. */
struct qgtm_feed_page {
	int n;                  /* pages parsed before this one */
	long offset;            /* rows parsed before this one */
	char token[512];        /* the provider's next-page token, or "" */
};

/* One source: its name and the steps of its protocol. */
struct qgtm_feed_src {
	const char *name;
	/* units: the request units, a new array of strings; NULL on error.
	 * NULL when the units are the config list units_key. */
	json_t *(*units)(struct qgtm_feed *f);
	/* request: append the URL of page pg of unit to url and set any
	 * headers with qgtm_feed_header(). Returns 0 or -1. */
	int (*request)(struct qgtm_feed *f, const char *unit,
	    const struct qgtm_feed_page *pg, struct qgtm_buf *url);
	/* parse: check one page (borrowed) and add its records with
	 * qgtm_feed_obs() or qgtm_feed_bar(). Returns 1 with pg moved on
	 * when another page follows, 0 when the unit is done, or -1 with
	 * QGTM_EX_PROTOCOL for a surprising response. */
	int (*parse)(struct qgtm_feed *f, const char *unit, json_t *page,
	    struct qgtm_feed_page *pg);
	/* fresh: the newest observation date that the source's schedule
	 * has published by now, YYYY-MM-DD into out. */
	void (*fresh)(time_t now, char out[11]);
	const char *units_key;
};

/* One fetch of one source. Owns what qgtm_feed_release() frees. */
struct qgtm_feed {
	const struct qgtm_feed_src *src;
	const struct qgtm_cfg *cfg;     /* borrowed */
	time_t now;
	int dry_run;            /* fetch and parse, store nothing */
	char *hdr[4];           /* request headers, NULL-terminated */
	json_t *series;         /* series name -> array of new records */
	json_t *keys;           /* secrets loaded, by environment name */
	size_t fetched;         /* records parsed */
	char last_obs[11];      /* newest date parsed, or "" */
	double latency_ms;
	int progress;           /* show a progress line on stderr */
	json_t *health;         /* the feed record of the run, or NULL */
};

/* The six real sources in health order, and the names of all of them
 * ("fred alpaca cftc lbma eia openbb"). */
extern const struct qgtm_feed_src qgtm_feed_fred, qgtm_feed_alpaca,
    qgtm_feed_cftc, qgtm_feed_lbma, qgtm_feed_eia, qgtm_feed_openbb;
extern const char qgtm_feed_names[];

/*
 * qgtm_feed_is_sim: 1 when fetch.sim.feeds lists f's source: the sim world
 * (lib/feed_sim.c) answers its requests instead of the provider.
 * qgtm_feed_sim_page: page pg of unit as the provider would send it, from
 * the sim world of fetch.sim.* as of f->now (a new reference), or NULL
 * with the error set. Deterministic from fetch.sim.seed: a value depends
 * on the seed and its date, never on when or how often it is fetched.
 */
int qgtm_feed_is_sim(const struct qgtm_feed *f);
json_t *qgtm_feed_sim_page(struct qgtm_feed *f, const char *unit,
    const struct qgtm_feed_page *pg);

/* qgtm_feed_find: the source called name, or NULL. */
const struct qgtm_feed_src *qgtm_feed_find(const char *name);

/*
 * qgtm_feed_init: a fetch of src with cfg at qgtm_now(). No request is
 * made. qgtm_feed_release: free what f owns.
 */
void qgtm_feed_init(struct qgtm_feed *f, const struct qgtm_feed_src *src,
    const struct qgtm_cfg *cfg, int dry_run);
void qgtm_feed_release(struct qgtm_feed *f);

/*
 * qgtm_feed_run: fetch every unit of f's source, store the new records
 * (not for a dry run) and append the feed health record to feeds.jsonl
 * (status ok or error with the reason, rows stored, records fetched,
 * latency_ms, last_obs, expected_obs from the schedule and stale). The
 * records stored are appended to out (an array, may be NULL). Returns
 * 0, or -1 with the error set; the store then holds nothing of this fetch.
 */
int qgtm_feed_run(struct qgtm_feed *f, json_t *out);

/*
 * qgtm_feed_parse: parse the len bytes of body, a 2xx answer for page pg
 * of unit, with f's source (its parse step), adding the records to f.
 * Pure but for what the source reads of the config and the store (lbma:
 * the newest stored date), so a fuzz harness can feed it any bytes.
 * Returns as the source's parse: 1 with pg moved on when another page
 * follows, 0 when the unit is done, -1 with QGTM_EX_PROTOCOL for a body
 * that is not JSON (duplicate keys refused) or surprises the source.
 */
int qgtm_feed_parse(struct qgtm_feed *f, const char *unit, const char *body,
    size_t len, struct qgtm_feed_page *pg);

/*
 * qgtm_feed_run_all: run the sources named in names (an array of
 * strings) at once, each in a process of its own that is stopped after
 * timeout_ms (then recorded as an error "timed out"); one failing feed
 * stops none of the others. Appends each feed's health record to out in
 * the order of names. Returns the number of feeds that failed.
 */
int qgtm_feed_run_all(const struct qgtm_cfg *cfg, json_t *names,
    long timeout_ms, json_t *out);

/*
 * qgtm_feed_health: the health of the sources named in names as of now,
 * from feeds.jsonl: one "feed_health" record each (feed, healthy,
 * reason, last_ok, last_obs, expected_obs). A feed is healthy when its
 * last good fetch is under 24 hours old and its newest observation is as
 * fresh as its schedule allows. Returns a new array, or NULL on error.
 */
json_t *qgtm_feed_health(json_t *names, time_t now);

/*
 * Helpers for the sources. qgtm_feed_key: the secret of env or file_key
 * (qgtm_cfg_secret(), registered so it is never shown), loaded once per
 * fetch; borrowed from f, NULL with the error set. qgtm_feed_header: set
 * request header i (0-2) to "name: value". qgtm_url_param: append
 * "name=value" with both percent-encoded (RFC 3986 unreserved kept),
 * preceded by '&' unless url is empty or ends in '?'.
 */
const char *qgtm_feed_key(struct qgtm_feed *f, const char *env,
    const char *file_key);
void qgtm_feed_header(struct qgtm_feed *f, int i, const char *name,
    const char *value);
void qgtm_url_param(struct qgtm_buf *url, const char *name,
    const char *value);

/*
 * qgtm_feed_since: the first date a fetch of series asks for into out:
 * back_days before the newest stored date (to catch revisions; 0 for the
 * day after it), or fetch.lookback_days before now when none is stored.
 * Returns 0 or -1.
 */
int qgtm_feed_since(struct qgtm_feed *f, const char *series, int back_days,
    char out[11]);

/*
 * qgtm_feed_dec: the decimal string (at most QGTM_PRICE_SCALE digits) of
 * v, a JSON number or a string holding one, into out (32 bytes); JSON null
 * and "." (FRED's missing value) give "" for a missing value. Returns 0,
 * or -1 (QGTM_EX_PROTOCOL "field 'what': ...") for anything else.
 */
int qgtm_feed_dec(struct qgtm_feed *f, json_t *v, const char *what,
    char out[32]);

/*
 * qgtm_feed_obs: add an "obs" record of series (source, series, date,
 * value: a decimal string or null when dec is "", available_at) to the
 * fetch. qgtm_feed_bar: add a "bar" record of symbol (date, open, high,
 * low, close, volume, available_at = the session close) from the members
 * of obj (borrowed) named by keys: open, high, low, close (numbers or
 * numeric strings) and volume (an integral number; absent is 0); a bar
 * whose session has not closed at f->now is left out. Both return 0, or
 * -1 (QGTM_EX_PROTOCOL) for a bad date or value or a day without a session.
 */
int qgtm_feed_obs(struct qgtm_feed *f, const char *series, const char *date,
    const char *dec, time_t available_at);
/*
 * qgtm_feed_bar_intraday: add the bar of symbol that starts at start and
 * lasts seconds to series (SYMBOL@TIMEFRAME), keyed by its start time in
 * RFC 3339 and available when it ends; left out while it has not ended at
 * f->now. Returns 0 or -1 as qgtm_feed_bar.
 */
int qgtm_feed_bar_intraday(struct qgtm_feed *f, const char *symbol,
    const char *series, time_t start, long seconds, json_t *obj,
    const char *const keys[5]);
int qgtm_feed_bar(struct qgtm_feed *f, const char *symbol, const char *date,
    json_t *obj, const char *const keys[5]);

/* qgtm_feed_fresh_session: the date of the last NYSE session closed at
 * now, the freshness rule of daily bars. */
void qgtm_feed_fresh_session(time_t now, char out[11]);

/*
 * qgtm_feed_fail: set the error "SOURCE: unexpected response: what" with
 * QGTM_EX_PROTOCOL; returns -1.
 */
int qgtm_feed_fail(struct qgtm_feed *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ----------------------------------------------------------- calendar -- */

/*
 * Release rules and the week-ahead calendar (lib/calendar.c).
 * qgtm_federal_holiday: 1 when y-m-d is a US federal holiday as observed
 * (New Year's, MLK, Washington's Birthday, Memorial, Juneteenth from 2021,
 * Independence, Labor, Columbus, Veterans, Thanksgiving, Christmas; a
 * Saturday holiday on the Friday before, a Sunday one on the Monday after).
 */
int qgtm_federal_holiday(int y, int m, int d);

/*
 * qgtm_cot_release: when the Commitments of Traders report of the week
 * holding y-m-d (its Tuesday, or the Monday when the Tuesday is a
 * holiday) is published: CFTC's actual release date at 15:30 New York
 * where CFTC deviated from its rule (the 2025 shutdown backlog), else
 * that week's Friday 15:30, or the next business day after the Friday
 * when a federal holiday falls on the Wednesday to Friday.
 */
time_t qgtm_cot_release(int y, int m, int d);

/*
 * qgtm_eia_release: when EIA's Weekly Petroleum Status Report for the
 * week ending Friday y-m-d is published: the following Wednesday 10:30
 * New York, or Thursday 11:00 when a federal holiday falls on the Monday
 * to Wednesday of that week.
 */
time_t qgtm_eia_release(int y, int m, int d);

/*
 * qgtm_calendar_week: the events of the New York week (Monday 00:00 to the
 * next Monday 00:00) holding the day y-m-d, sorted by time, as a new JSON
 * array of objects {id, name, at (RFC 3339 UTC), at_ny ("YYYY-MM-DD HH:MM"
 * New York), touches (the strategies it moves, space-separated), pause,
 * and pause_from / pause_to when calendar.pause gives the event a window}.
 * Events: EIA petroleum (Wednesday 10:30, holiday shifts), EIA natural gas
 * (Thursday 10:30), COT (Friday 15:30, holiday shifts), FOMC decisions
 * (14:00) and minutes (three weeks later), quarterly options expiration,
 * NYSE holidays and early closes.
 */
json_t *qgtm_calendar_week(const struct qgtm_cfg *cfg, int y, int m, int d);

/*
 * qgtm_calendar_releases: add to events (sorted again) the CPI and
 * Employment Situation releases (08:30 New York) of the week of y-m-d,
 * from FRED's fred/release/dates with include_release_dates_with_no_data.
 * Returns 1 without asking when no FRED key is configured (FRED_API_KEY
 * or fetch.fred.api_key_file), 0 when added, -1 with the error set.
 */
int qgtm_calendar_releases(const struct qgtm_cfg *cfg, json_t *events, int y,
    int m, int d);

/* qgtm_calendar_fomc_days: the built-in FOMC decision days (YYYY-MM-DD),
 * borrowed, *n of them. */
const char *const *qgtm_calendar_fomc_days(size_t *n);

/*
 * Ed25519 signatures of JSON objects (lib/sign.c, OpenSSL EVP). A
 * signature covers the canonical JSON (compact, sorted keys) of the object
 * without "sig", stored base64 in "sig"; a public key is the base64 of its
 * 32 raw bytes (44 characters). Keys are struct evp_pkey_st (EVP_PKEY).
 */
#define QGTM_KEY_RAWLEN 32
struct evp_pkey_st;
/* qgtm_key_raw: decode the base64 public key b64 into raw; 0 or -1. */
int qgtm_key_raw(const char *b64, unsigned char raw[QGTM_KEY_RAWLEN]);
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

/*
 * The two-person reset (lib/reset.c). Operators are the items NAME:PUBKEY
 * of risk.operators, PUBKEY the base64 of the raw 32-byte Ed25519 public
 * key; each signs with the PEM private key in a mode 0600 file. A signature
 * covers the canonical JSON (compact, sorted keys) of the object without
 * its "sig", and is base64 in "sig". A refusal returns NULL with
 * QGTM_EX_NOPERM and *why one of
 * UNKNOWN_OPERATOR, SAME_OPERATOR, EXPIRED, TIER_CHANGED, BAD_SIGNATURE,
 * NOT_LOWER, STATE_UNTRUSTED, NO_REQUEST; other errors leave *why NULL.
 */
struct qgtm_reset {
	int to;                 /* the tier asked for */
	const char *reason;
	const char *by;         /* the requesting operator */
	const char *keypath;    /* its private key */
};

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

/*
 * The automatic rules of qgtm-risk evaluate (lib/rules.c), from the risk
 * section: fractions in QGTM_WEIGHT_SCALE units, tiers as QGTM_TIER_*.
 */
struct qgtm_rules {
	int64_t max_daily_loss;
	int64_t max_drawdown;
	int64_t warn_at;
	long long breaches_to_trip;
	int loss_tier;
	json_t *required_feeds;         /* borrowed from cfg */
	int stale_feed_tier;
	long long max_heartbeat_gap_s;  /* 0: off */
	int heartbeat_tier;
	long long max_rejects_in_a_row; /* 0: off */
	int reject_tier;
};

/* qgtm_rules_load: the rules of cfg (in lib/risk.c, beside the limits);
 * a fraction outside 0-1 or a negative count is QGTM_EX_CONFIG. Returns
 * 0 or -1. */
int qgtm_rules_load(const struct qgtm_cfg *cfg, struct qgtm_rules *ru);

/* qgtm_rules_limits_json: add the rules to a limits record, as enforced. */
void qgtm_rules_limits_json(const struct qgtm_rules *ru, json_t *rec);

/* What evaluate keeps between runs: the backend object "eval". */
struct qgtm_eval {
	char day[11];           /* the day of day_start, YYYY-MM-DD */
	long long day_start;    /* QGTM_CENTS: the day's first equity */
	long long peak;         /* QGTM_CENTS: the highest equity seen */
	long long loss_breaches, dd_breaches;   /* in a row */
	long long rejects;      /* broker rejects in a row */
	int64_t daily_loss;     /* set by qgtm_rules_equity(), not kept */
	int64_t drawdown;       /* likewise */
};

/* qgtm_eval_load: ev from the backend (all zero when absent). Returns 0,
 * or -1 (QGTM_EX_DATAERR when malformed). qgtm_eval_store: write it back;
 * 0 or -1. */
int qgtm_eval_load(struct qgtm_ks *ks, struct qgtm_eval *ev);
int qgtm_eval_store(struct qgtm_ks *ks, const struct qgtm_eval *ev);

/* qgtm_eval_order: count an "order" record (borrowed): status "rejected"
 * adds a reject in a row, "filled" ends the run. Others are ignored. */
void qgtm_eval_order(struct qgtm_eval *ev, json_t *rec);

/* A verdict: the highest tier a rule asked for and why. */
struct qgtm_verdict {
	int tier;               /* NORMAL when no rule asks for anything */
	char why[256];
};

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

/* ---------------------------------------------------------- heartbeat -- */

/*
 * qgtm_heartbeat_beat: record a heartbeat of name (lib/heartbeat.c) in
 * the backend: a "heartbeat" record (name, host, pid) made the newest
 * beat. Returns the record (new reference) or NULL.
 */
json_t *qgtm_heartbeat_beat(struct qgtm_ks *ks, const char *name);

/* qgtm_heartbeat_last: the time of the newest heartbeat, 0 when none or
 * it cannot be read. */
time_t qgtm_heartbeat_last(struct qgtm_ks *ks);

/* --------------------------------------------------------------- text -- */

/*
 * qgtm_utf8_prefix: the length in bytes of the longest prefix of s that
 * holds at most max_chars characters and ends between two (lib/text.c).
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

/* -------------------------------------------------------------- alert -- */

/*
 * qgtm_alert_send: post text (cut to Discord's 2000 characters by
 * qgtm_utf8_cut, so any bytes are sent as valid UTF-8) as the content of
 * a message, with mentions disabled (qgtm_discord_body), to the Discord
 * webhook whose URL is in $QGTM_DISCORD_WEBHOOK_URL or the key file
 * alert.discord_webhook_file (lib/alert.c). Not retried. Returns 0 when it was delivered or when no
 * webhook is configured, or -1: the key file cannot be read, the request
 * failed, or the webhook answered other than 2xx. Callers treat -1 as a
 * warning: an alert never stops the act it reports.
 */
int qgtm_alert_send(const struct qgtm_cfg *cfg, const char *text);

/*
 * qgtm_discord_webhook: the Discord webhook URL from
 * $QGTM_DISCORD_WEBHOOK_URL or the key file alert.discord_webhook_file
 * into *url (a new string the caller frees). Returns 1, 0 when none is
 * configured (*url NULL), or -1 when the key file cannot be read.
 */
int qgtm_discord_webhook(const struct qgtm_cfg *cfg, char **url);

/*
 * qgtm_discord_body: the JSON body of a webhook message with content:
 * {"content": content, "allowed_mentions": {"parse": []}}, so a mention
 * in the text (@everyone, @here, a role or a user) is shown and pings no
 * one. A new string, or NULL (QGTM_EX_DATAERR) when content is not valid
 * UTF-8 (qgtm_utf8_cut makes any text valid).
 */
char *qgtm_discord_body(const char *content);

/*
 * qgtm_discord_post: post content (at most 2000 characters, Discord's
 * limit) as one message to the webhook url, waiting out each 429 as long
 * as the waits add up to at most wait_max_s seconds (0: no wait). Returns
 * 0 on a 2xx, or -1 with an error that never names the URL (content
 * that is not valid UTF-8 is an error before any request).
 */
int qgtm_discord_post(const struct qgtm_cfg *cfg, const char *url,
    const char *content, double wait_max_s);

/* ----------------------------------------------------------- backtest -- */

/*
 * A backtest (lib/backtest.c, qgtm-backtest(1)): the sim market replayed
 * day by day through the live path, strategy signal -> qgtm_risk_decide()
 * -> qgtm_oms_run_decision() with the sim broker, in the state directory,
 * which must be a private, empty one.
 */

/* One session: the book marked at its close after the day's orders. */
struct qgtm_bt_day {
	char date[11];
	double equity;          /* dollars */
	double ret;             /* equity over the previous one (or the
	                           initial cash), minus 1 */
};

/* The outcome. Owns days and fills. */
struct qgtm_backtest {
	struct qgtm_bt_day *days;
	size_t ndays, cap;      /* days used and allocated */
	json_t *fills;          /* the fill records, each with its "date" */
	double traded;          /* sum of |notional| of the fills, dollars */
	double initial;         /* broker.sim.initial_cash, dollars */
};

/*
 * qgtm_backtest_param: apply "key=value" (--param) to cfg as the value of
 * signal.<strategy>.<key>, which must be an int or num key of the schema.
 * Returns 0, or -1 with QGTM_EX_USAGE "unknown parameter 'k' of strategy
 * s" or "--param k: expected an integer, got 'v'".
 */
int qgtm_backtest_param(struct qgtm_cfg *cfg, const char *strategy,
    const char *kv);

/*
 * qgtm_backtest_run: set common.price_source to "sim" in cfg, store the
 * sim history (fetch.sim.seed, from fetch.sim.start) of common.universe
 * up to to_day in the state directory, then run every session of the
 * first symbol from from_day to to_day (days since the epoch) with the
 * clock pinned to its close. Each session the strategy's signal goes
 * through the risk gate; then the decision goes through the OMS and the
 * sim broker (whole shares, costs, bt->fills), or, when frictionless is
 * set, its approved weights are held exactly (fractional, no costs, no
 * OMS, no fills): the session's return is the sum over symbols of the
 * weight held since the previous close times the close-to-close return.
 * Returns 0, or -1 with the failing call's error (QGTM_EX_USAGE when
 * fewer than 2 sessions ran); release bt with qgtm_backtest_release()
 * either way.
 */
int qgtm_backtest_run(struct qgtm_cfg *cfg, const struct qgtm_strategy *st,
    long from_day, long to_day, int frictionless, struct qgtm_backtest *bt);
void qgtm_backtest_release(struct qgtm_backtest *bt);

/*
 * qgtm_backtest_import: store (qgtm_pit_store()) into the state directory
 * every series of the observation sources fred, eia and cftc stored under
 * user_dir, the user's state directory (user_dir/data/<source>/<series>
 * .jsonl), so the data-driven strategies can be backtested; the point-in-time join
 * still shows a session only what was available at its close. A missing
 * source directory is skipped. Returns 0, or -1 (QGTM_EX_NOINPUT when a
 * directory or file cannot be read, else the store's error).
 */
int qgtm_backtest_import(const char *user_dir);

/* A decay measurement: the last `recent` sessions of a backtest against
 * the sessions before them (the in-sample history). */
struct qgtm_decay {
	double insample;        /* annualized (x sqrt 252) Sharpe, or NAN */
	double recent;          /* the same over the recent window, or NAN */
	double ratio;           /* recent / insample, or NAN */
	size_t ninsample, nrecent;
	const char *status;     /* "ok", "decayed" (recent < 50% of a
	                           positive in-sample) or "no_edge" */
	const char *basis;      /* the recent window's: "backtest" or "paper" */
	char recent_from[11];   /* the first and last date of the recent */
	char to[11];            /* window */
};

/*
 * qgtm_backtest_decay: split bt's daily returns into the last `recent`
 * sessions and the ones before and fill d (basis "backtest"). Returns 0,
 * or -1 with QGTM_EX_USAGE when either part has fewer than 2 sessions.
 */
int qgtm_backtest_decay(const struct qgtm_backtest *bt, size_t recent,
    struct qgtm_decay *d);

/*
 * qgtm_backtest_decay_paper: fill d (basis "paper") from the strategy's
 * paper record, its daily PnL pnl[0..n) over the sessions from
 * recent_from to to (the Sharpe ratio of a PnL series, as of a return
 * series on constant capital), against the sessions of bt before
 * recent_from. Returns 0, or -1 with QGTM_EX_USAGE when either part has
 * fewer than 2 sessions.
 */
int qgtm_backtest_decay_paper(const struct qgtm_backtest *bt,
    const double *pnl, size_t n, const char *recent_from, const char *to,
    struct qgtm_decay *d);

/* One walk-forward fold: row ranges [from, to) of the return matrix. */
struct qgtm_wf_fold {
	size_t train_from, train_to, test_from, test_to;
	size_t chosen;          /* the column picked on the training rows */
};

/* A walk-forward outcome. Owns folds, oos and chosen. */
struct qgtm_wf {
	struct qgtm_wf_fold *folds;
	size_t nfolds;
	double *oos;            /* t stitched test returns, NAN before first */
	size_t *chosen;         /* t: the column each test return came from */
	size_t first;           /* the first test row */
};

/*
 * qgtm_walk_forward: walk forward over the t x n row-major matrix m of
 * per-period returns (rows are sessions, columns configurations): the
 * test windows are rows [train, train + test), [train + test, ...), the
 * last one possibly shorter; each is preceded by its training window, the
 * train rows just before it, or every row from 0 when anchored. The
 * column with the best Sharpe ratio on the training rows (the first on a
 * tie) gives the test window's returns. Returns 0, or -1 (QGTM_EX_USAGE)
 * when train < 2, test < 1 or t <= train; release wf with
 * qgtm_wf_release() either way.
 */
int qgtm_walk_forward(const double *m, size_t t, size_t n, size_t train,
    size_t test, int anchored, struct qgtm_wf *wf);
void qgtm_wf_release(struct qgtm_wf *wf);

/* qgtm_svg_text: write s to out escaping & < > " and ' for XML text and
 * attribute values. */
void qgtm_svg_text(FILE *out, const char *s);

/*
 * qgtm_svg_equity: write a standalone SVG chart: title (escaped), the
 * equity curve above, the drawdown (fractions, 0 or negative) below, the
 * date labels first and last (escaped). Returns 0, or -1 (QGTM_EX_DATAERR
 * for n = 0, QGTM_EX_IOERR on a write error).
 */
int qgtm_svg_equity(FILE *out, const char *title, const char *first,
    const char *last, const double *equity, const double *drawdown,
    size_t n);

/* --------------------------------------------------------------- html -- */

/*
 * The only ways a string enters a page (lib/html.c, STYLE.md section 11).
 * Each appends to b and returns 0, or -1 past b's cap.
 * qgtm_html_raw: s as it is, for literals of the program only.
 * qgtm_html_text: element content, & < > escaped.
 * qgtm_html_attr: a quoted attribute value, & < > " ' escaped.
 * qgtm_html_url: an href or src: unreserved characters and / : ? = # , ;
 * @ + % kept, & as &amp;, anything else percent-encoded; a URL with a
 * scheme other than http or https becomes "#".
 */
int qgtm_html_raw(struct qgtm_buf *b, const char *s);
int qgtm_html_text(struct qgtm_buf *b, const char *s);
int qgtm_html_attr(struct qgtm_buf *b, const char *s);
int qgtm_html_url(struct qgtm_buf *b, const char *s);

/* ---------------------------------------------------------------- cgi -- */

/* The largest request body qgtm_cgi_parse accepts, in bytes. */
#define QGTM_CGI_BODY_MAX 4096

/*
 * One CGI request (RFC 3875, lib/cgi.c). Each string is NULL when its
 * variable is unset, except path (SCRIPT_NAME then PATH_INFO, "" when
 * both are unset) and query_raw (QUERY_STRING, ""). bearer is the token
 * of "Authorization: Bearer x" (NULL for another scheme), parsed exactly:
 * one space after the scheme, one RFC 6750 b64token, nothing after it (a
 * trailing space is no part of a token). query maps each
 * decoded key to its decoded string; body is the JSON object of the body,
 * NULL when there is none.
 */
struct qgtm_cgi_req {
	char *method, *path, *query_raw, *bearer, *origin, *host,
	    *remote_user, *content_type;
	json_t *query;
	json_t *body;
};

/*
 * qgtm_cgi_parse: fill req from envp (NULL-terminated "NAME=value"
 * strings: REQUEST_METHOD, SCRIPT_NAME, PATH_INFO, QUERY_STRING,
 * HTTP_AUTHORIZATION, HTTP_ORIGIN, HTTP_HOST, REMOTE_USER, CONTENT_TYPE)
 * and the len bytes of body (NULL or 0: no body), never reading beyond
 * len. QUERY_STRING pairs are split at & and ; and decoded (%XX, + as a
 * space); a later value of a key replaces an earlier one. Returns 0 with
 * req owning every string and JSON value it holds, or -1 with
 * QGTM_EX_DATAERR and req holding nothing: a malformed escape (or %00,
 * or bytes that are not UTF-8), a Bearer Authorization that is not
 * exactly one token, a body over QGTM_CGI_BODY_MAX bytes or a body that
 * is not one JSON object (duplicate keys refused).
 * qgtm_cgi_req_free: release what req holds (also after a failed parse).
 */
int qgtm_cgi_parse(char *const envp[], const char *body, size_t len,
    struct qgtm_cgi_req *req);
void qgtm_cgi_req_free(struct qgtm_cgi_req *req);

/* ------------------------------------------------------------- report -- */

/*
 * qgtm_report_money: cents as "$1,234.56" ("-$1,234.56" when negative),
 * or with sign set "+$1,234.56" for zero and above, into out (32 bytes).
 * Returns out.
 */
char *qgtm_report_money(int64_t cents, int sign, char out[32]);

/*
 * qgtm_report_status: the phone page's model at now (lib/report.c), a
 * "status" record (new reference): equity and equity_text, gain (today's:
 * the broker account's daily_pl when the broker gives it, gain_source
 * "broker"; else the book's own, gain_source "book": from the day's first
 * equity evaluate saw, else from the book marked at the last close before
 * today; gain_basis says which) and gain_text, tier
 * (effective) with tier_text, a plain sentence, positions (count),
 * heartbeat (RFC 3339 or null), heartbeat_age_s, heartbeat_colour (green
 * under 60 s, yellow under 120 s, red beyond or none), broker and
 * broker_reachable (the account could be read and marked; when not,
 * equity, gain and positions are null and error says why). Never fails.
 */
json_t *qgtm_report_status(const struct qgtm_cfg *cfg, time_t now);

/* The decay measurements qgtm-backtest decay appends ("decay" records),
 * relative to the state directory. */
#define QGTM_REPORT_DECAY "research/decay.jsonl"

/*
 * qgtm_report_readiness: the Sunday checklist at now, a "readiness" record
 * (new reference): result (the worst row) and rows, each with id, title,
 * result ("PASS", "WARN" or "FAIL"), reason (a sentence) and details (an
 * object of the figures behind it). A row whose data does not exist yet
 * says so in its reason. The decay row takes the newest record of each
 * strategy in QGTM_REPORT_DECAY: WARN naming each "decayed" one, PASS
 * when none is. Then week_ahead (the New York week of now, the next one
 * on a weekend: week, events of qgtm_calendar_week), last_week (the week
 * before it: week, pnl_cents and pnl_text, pnl_basis "broker" (the sum
 * of the broker's daily profit_loss) or "book" (the sum of the book's
 * daily PnL, always for the sim), days, fills, rejected_by_risk (targets
 * of the week's decisions in the audit chain risk rejected),
 * max_drawdown against max_drawdown_limit with drawdown_result, best and
 * worst strategy by attributed PnL; or error) and equity_curve (dates
 * and equity_cents: the book at each session close from its first fill,
 * the last 260; or error). Never fails.
 */
json_t *qgtm_report_readiness(const struct qgtm_cfg *cfg, time_t now);

/*
 * qgtm_report_strategy: the performance of strategy id at now, a
 * "performance" record (new reference): strategy, pnl_cents and pnl_text
 * (its fills alone over no cash, marked at now: the attribution of
 * qgtm_report_week), daily (dates and cumulative_pnl_cents: the same at
 * each session close, the last 260) and decay (its newest record in
 * QGTM_REPORT_DECAY, or null). The caller checks id against the registry.
 * Returns NULL with the error when the journal or a price cannot be read.
 */
json_t *qgtm_report_strategy(const struct qgtm_cfg *cfg, const char *id,
    time_t now);

/* Where qgtm-api looks for evidence packages (qgtm-audit evidence --out
 * <state>/evidence/NAME), relative to the state directory. */
#define QGTM_REPORT_EVIDENCE "evidence"

/*
 * qgtm_report_evidence: the newest evidence package under
 * QGTM_REPORT_EVIDENCE (the directory whose MANIFEST was written last),
 * an "evidence" record (new reference): package (its directory's name),
 * written (the MANIFEST's time) and manifest (file, sha256 of each part).
 * Returns NULL with QGTM_EX_NOINPUT when there is none.
 */
json_t *qgtm_report_evidence(void);

/*
 * qgtm_page_status, qgtm_page_readiness: the phone page and the
 * readiness page (lib/page.c) of a model above (borrowed), appended to b:
 * one self-contained HTML file with inline CSS and JS. Return 0 or -1
 * past b's cap. Stable selectors for tests: the phone page's numbers #e
 * #g #t #tt #p #h, #gs (the gain's source), #x (CONNECTION LOST), #f
 * (FLATTEN ALL), #o (its outcome); the readiness page's #d (the dark
 * mode toggle), #docs, #age (data age), #checklist with one
 * details[data-row=ID][data-result=RESULT] per row (its <b> holds the
 * result), #week-ahead tr[data-event=ID], #last-week details#lw-pnl,
 * #lw-trades, #lw-dd, #lw-best, #lw-worst (data-result PASS, WARN, FAIL
 * or INFO) and #chart (the SVG).
 */
int qgtm_page_status(struct qgtm_buf *b, json_t *status);
int qgtm_page_readiness(struct qgtm_buf *b, json_t *readiness);

/*
 * qgtm_page_publish: replace dir/name with the n bytes at p, mode 0644,
 * for a web root: written to "dir/name.tmp.PID" and renamed over it, so a
 * reader sees the old file or the new one, whole. No fsync of the file:
 * pages are rendered again on the next run, and a page a crash left empty
 * reads as CONNECTION LOST, never as stale numbers; qgtm_page_sync then
 * makes the renames of a set of pages durable with one fsync of dir.
 * Return 0 or -1 (CANTCREAT, IOERR; the temporary file removed).
 */
int qgtm_page_publish(const char *dir, const char *name, const void *p,
    size_t n);
int qgtm_page_sync(const char *dir);

/* ------------------------------------------------------------ metrics -- */

/*
 * qgtm_metrics_render: the figures of a status model and a readiness
 * model (qgtm_report_status / qgtm_report_readiness, borrowed) in the
 * Prometheus text exposition format 0.0.4, for node_exporter's textfile
 * collector (lib/metrics.c, qgtm-status(1) metrics): every metric named
 * qgtm_* with its # HELP and # TYPE lines. A figure the model does not
 * have (no heartbeat yet, broker unreachable) has no sample. Appends to
 * b; returns 0 or -1 past b's cap.
 */
int qgtm_metrics_render(struct qgtm_buf *b, json_t *status, json_t *readiness);

/* ------------------------------------------------------------- broker -- */

/*
 * The broker interface (lib/broker.c, qgtm-order(1)): one table of
 * operations per broker. Each returns records as the OMS writes them
 * (qgtm-records(7)). "sim" (lib/broker_sim.c) is the OMS journal itself;
 * "alpaca" (lib/broker_alpaca.c) is the Trading API v2 at
 * broker.alpaca.url.
 */
struct qgtm_broker;

struct qgtm_broker_ops {
	const char *name;
	/* the "account" record (new reference), or NULL */
	json_t *(*account)(struct qgtm_broker *b);
	/* the "position" records (a new array), or NULL */
	json_t *(*positions)(struct qgtm_broker *b);
	/* the open "order" records (a new array), or NULL */
	json_t *(*open_orders)(struct qgtm_broker *b);
	/* cancel every open order, appending what was canceled to out;
	 * the number canceled, or -1 */
	int (*cancel_all)(struct qgtm_broker *b, json_t *out);
	/* close every position, appending order and fill records to out;
	 * the number of closing orders, or -1 */
	int (*close_all)(struct qgtm_broker *b, json_t *out);
	/* the "fill" records (a new array, oldest first) of the broker's
	 * executions after activity id after (NULL: all), each with its
	 * activity_id and broker_order_id; the sim's are in the order log
	 * already, so it gives none. NULL on an error. */
	json_t *(*fills)(struct qgtm_broker *b, const char *after);
	/* the "clock" record (new reference): is_open, next_open,
	 * next_close (UTC), as_of the broker's time; or NULL */
	json_t *(*clock)(struct qgtm_broker *b);
	/* the sessions from start to end (YYYY-MM-DD, inclusive) as a new
	 * array of {date, open, close} (UTC instants), or NULL */
	json_t *(*calendar)(struct qgtm_broker *b, const char *start,
	    const char *end);
	/* the daily equity series of the last days days as a new array of
	 * {date (New York), equity, profit_loss (from the day before)}
	 * (alpaca: GET /v2/account/portfolio/history), or NULL */
	json_t *(*history)(struct qgtm_broker *b, int days);
};

/* An open broker. Owns url and the keys. */
struct qgtm_broker {
	const struct qgtm_broker_ops *ops;
	const struct qgtm_cfg *cfg;     /* borrowed */
	time_t as_of;           /* the sim marks and fills at this moment */
	char *url;              /* alpaca: base URL without a trailing / */
	int dry_run;            /* alpaca: print orders' requests, send none */
	char *key_id, *secret;  /* alpaca: the API keys */
};

extern const struct qgtm_broker_ops qgtm_broker_sim_ops;
extern const struct qgtm_broker_ops qgtm_broker_alpaca_ops;

/*
 * qgtm_broker_open: the broker named name (NULL: config key
 * order.broker) at as_of; for alpaca, read its URL and keys
 * (qgtm_cfg_secret: $APCA_API_KEY_ID or broker.alpaca.key_id_file,
 * $APCA_API_SECRET_KEY or broker.alpaca.secret_key_file). An unknown
 * name is QGTM_EX_USAGE. Returns 0 or -1; release with
 * qgtm_broker_close() after 0.
 */
int qgtm_broker_open(struct qgtm_broker *b, const struct qgtm_cfg *cfg,
    const char *name, time_t as_of);
void qgtm_broker_close(struct qgtm_broker *b);

/* qgtm_broker_daily_pl: set "daily_pl" of an account record (borrowed)
 * to its equity minus its last_equity (decimal strings, cents), or null
 * when either is missing or unreadable. Both brokers' accounts carry
 * equity, last_equity and daily_pl, Alpaca's as its dashboard shows them. */
void qgtm_broker_daily_pl(json_t *acct);

/* qgtm_broker_session: a new session object {date, open, close} (the
 * instants as RFC 3339 UTC). qgtm_broker_clock_new: a new "clock" record
 * of broker (broker, is_open, next_open, next_close, as_of now). */
json_t *qgtm_broker_session(const char *date, time_t open, time_t close);
/* qgtm_broker_day: a new day of a history: {date (New York date of t),
 * equity, profit_loss: equity - prev} (cents as decimal strings). */
json_t *qgtm_broker_day(time_t t, int64_t equity, int64_t prev);
json_t *qgtm_broker_clock_new(const char *broker, time_t now, int is_open,
    time_t next_open, time_t next_close);

/* The answers of the Alpaca Trading API that qgtm_alpaca_records reads. */
enum qgtm_alpaca_answer {
	QGTM_ALPACA_ACCOUNT,    /* an Account: the "account" record */
	QGTM_ALPACA_POSITIONS,  /* Positions: an array of "position" records */
	QGTM_ALPACA_ORDERS,     /* Orders: an array of "order" records */
	QGTM_ALPACA_ORDER,      /* one Order: its "order" record */
	QGTM_ALPACA_FILLS,      /* FILL activities: an array of "fill" records */
	QGTM_ALPACA_CLOCK,      /* the Clock: the "clock" record */
	QGTM_ALPACA_CALENDAR,   /* Calendar days: an array of sessions */
	QGTM_ALPACA_HISTORY     /* a PortfolioHistory: an array of days */
};

/*
 * qgtm_alpaca_records: what the body (borrowed; NULL for an empty one) of
 * a 2xx answer of kind holds, as the broker operations return it (the
 * account's as_of is as_of). Pure: no I/O, so a fuzz harness can feed it
 * any parsed bytes. Returns a new reference, or NULL with
 * QGTM_EX_PROTOCOL ("alpaca: WHAT: unexpected answer" for a body of the
 * wrong JSON type; a FILL activity without a readable qty, price or side
 * and a Clock or Calendar day without its times are unreadable).
 */
json_t *qgtm_alpaca_records(enum qgtm_alpaca_answer kind, json_t *body,
    time_t as_of);

/*
 * qgtm_alpaca_submit: place a market day order of qty (a decimal string)
 * on side ("buy" or "sell") with client_order_id id, and set *order to
 * its "order" record (new reference). Never sent twice blindly: a 429 is
 * sent again (4 sends at most) only after a wait until X-RateLimit-Reset,
 * or Retry-After when longer, 0.5 to 30 s; a timeout or lost connection,
 * and any 422 or 409, are resolved by GET
 * /v2/orders:by_client_order_id: found, it is the order (returns 0); not
 * found after a timeout, QGTM_EX_TEMPFAIL (nothing placed; a rerun with
 * the same id is safe). 403 is QGTM_EX_NOPERM, 422 QGTM_EX_UNAVAILABLE,
 * with Alpaca's message.
 * With b->dry_run, the request is printed to standard error (the secret
 * masked), nothing is sent and *order is NULL. Returns 1 when placed now,
 * 0 when it was already placed (or a dry run), or -1.
 */
int qgtm_alpaca_submit(struct qgtm_broker *b, const char *id,
    const char *symbol, const char *side, const char *qty, json_t **order);

/* qgtm_alpaca_lookup: GET /v2/orders:by_client_order_id for id; sets
 * *order to its "order" record (new reference). Returns 1 found, 0 not
 * (404), or -1. */
int qgtm_alpaca_lookup(struct qgtm_broker *b, const char *id,
    json_t **order);

/* qgtm_alpaca_order: GET /v2/orders/{broker_order_id}: its "order"
 * record with filled_qty (new reference), or NULL. */
json_t *qgtm_alpaca_order(struct qgtm_broker *b, const char *broker_order_id);

/*
 * qgtm_alpaca_cancel: DELETE /v2/orders/{broker_order_id} (204), then
 * GET /v2/orders/{broker_order_id} until the order is no longer working
 * (broker.alpaca.cancel_wait_ms at most); an order the broker will not
 * cancel (422: filled already) is read as it is. Sets *order to its last
 * "order" record (new reference, with filled_qty). Returns 0, or -1
 * (QGTM_EX_TEMPFAIL: still working after the wait).
 */
int qgtm_alpaca_cancel(struct qgtm_broker *b, const char *broker_order_id,
    json_t **order);

/* What qgtm_flatten() is asked. */
struct qgtm_flatten {
	const char *by;         /* the operator */
	const char *reason;
	const char *chain;      /* the audit chain each step is appended to */
};

/*
 * qgtm_flatten: the emergency flatten. Raises the kill switch to FLATTEN
 * (only up), cancels every open order, closes every position, confirms
 * that the broker shows no position and no open order, and alerts. Each
 * step gives a "flatten" record (step tier, cancel_all, close_all,
 * confirm, alert; ok, detail, by, reason), appended to out and, with the
 * step's order, fill and tier records, to the audit chain as it happens.
 * Returns 1 when the account is flat, 0 when it is not, or -1 on an
 * error (a step that failed has its record with ok false).
 */
int qgtm_flatten(struct qgtm_broker *b, const struct qgtm_flatten *f,
    json_t *out);

/*
 * qgtm_recon: reconcile the OMS book with broker b (lib/recon.c): the
 * broker's new fills are taken in first (qgtm_recon_fills), then every
 * symbol held by either is compared by quantity (a difference is a
 * "critical" break), and every open order at the broker whose client
 * order id the order log lacks is "critical" too (an order nobody here
 * placed); an order the journal holds working that the broker does not
 * list open is a "warn". Appends one "recon" record per break (severity,
 * check "position", "open_order", "working", "unknown_order", "overfill"
 * or "recovered", symbol or
 * client_order_id, detail) and a last "summary" with the worst severity
 * to out. Returns the worst severity (0 info, 1 warn, 2 critical) or -1.
 * qgtm_recon_run: the same, appending the fills it journaled to fills (an
 * array, or NULL).
 */
int qgtm_recon(struct qgtm_broker *b, json_t *out);
int qgtm_recon_run(struct qgtm_broker *b, json_t *out, json_t *fills);

/* qgtm_recon_compare: the comparison of qgtm_recon (positions, open and
 * working orders) without taking in fills, its summary at least as severe
 * as worst (what was found before it). Returns the worst severity or -1. */
int qgtm_recon_compare(struct qgtm_broker *b, json_t *out, int worst);

/*
 * qgtm_recon_fills: the broker's fills the order log lacks, as they will
 * be journaled (qgtm_oms_fills_new), appended to fills (an array); they
 * are not journaled here: the caller appends them to the audit chain
 * first and then journals them with qgtm_oms_record(), so a failure
 * between the two repeats a fill in the chain rather than lose it. Each
 * new fill is checked against the log and the fills before it: a fill of
 * an order the log does not hold ("unknown_order") and one that takes its
 * order's fills past the order's quantity ("overfill") are "critical"
 * recon records in out; the fill is journaled all the same (the journal
 * holds what the broker did). An order of this OMS's own (an intent's client order id,
 * qgtm_intent_order_id) that the broker holds but the journal lacks (its
 * run died after sending it) is journaled as the broker has it first, a
 * "warn" record "recovered". An info record counts the fills. Returns
 * the worst severity, or -1.
 */
int qgtm_recon_fills(struct qgtm_broker *b, json_t *out, json_t *fills);

/* ------------------------------------------------------------- daemon -- */

/* The directory of the shared files, config.mk's SHAREDIR: mk/sharedir.mk
 * compiles lib/cfgkeys.c with it, so daemon.cycle defaults to the
 * installed QGTM_SHAREDIR/cycle.sh; other builds get this fallback. */
#ifndef QGTM_SHAREDIR
#define QGTM_SHAREDIR "/usr/local/share/qgtm"
#endif

/*
 * qgtm_notify: send state ("READY=1", "WATCHDOG=1", "STOPPING=1") to the
 * service manager as one datagram on the AF_UNIX socket $NOTIFY_SOCKET
 * (a path, or '@' for the abstract namespace), as sd_notify(3) does.
 * Returns 0, also when NOTIFY_SOCKET is unset, or -1 (QGTM_EX_OSERR, or
 * QGTM_EX_CONFIG for a malformed address).
 */
int qgtm_notify(const char *state);

/*
 * qgtm_run_child: run argv (PATH searched) in its own process group with
 * stdin and stdout on /dev/null and stderr inherited; wait for it, calling
 * tick(arg) about once a second; when tick returns nonzero the group gets
 * SIGTERM. After timeout_s seconds the group gets SIGKILL. Returns the
 * child's status (exit code; 128+N for signal N; 127 not found), or -1:
 * QGTM_EX_TEMPFAIL timed out or stopped, QGTM_EX_OSERR fork failed.
 */
int qgtm_run_child(char *const argv[], int timeout_s, int (*tick)(void *),
    void *arg);

/* qgtm_daemon_cycle_at: the instant of the daily cycle on the New York
 * date of now: the NYSE close plus delay_s, or 0 when no trading day. */
time_t qgtm_daemon_cycle_at(time_t now, long long delay_s);

/* ------------------------------------------------------------- digest -- */

/*
 * qgtm_report_week: the figures of the New York week (Monday 00:00 to the
 * next) holding y-m-d, up to now when the week is not over (lib/report.c),
 * as a "week" record (new reference): week (its Monday), as_of, equity
 * and pnl (cents, with _text), pnl_cents, pnl_pct, days (day, pnl_cents:
 * the change of equity from each New York midnight to the next),
 * days_pnl_cents (their sum, equal to pnl_cents), max_drawdown (a
 * fraction: the largest fall of a day's close below the week's running
 * peak) and max_drawdown_day, strategies (strategy, pnl_cents, trades,
 * hits: each configured strategy and each that filled, largest
 * contribution first; a contribution is the strategy's fills of the week
 * alone marked at the end), carried_cents (the book held at the week's
 * start, marked over the week) and rounding_cents (what the marks'
 * rounding leaves), so the contributions, carried_cents and
 * rounding_cents sum exactly to pnl_cents; positions (open, long, short
 * at the end), tier and risk_events (the tier records of the week).
 * Returns NULL with the library error when the journal or a price
 * cannot be read.
 */
json_t *qgtm_report_week(const struct qgtm_cfg *cfg, int y, int m, int d,
    time_t now);

/*
 * qgtm_digest_model: the weekly digest's model (lib/digest.c), a "digest"
 * record (new reference): week (qgtm_report_week), readiness
 * (qgtm_report_readiness at the week's end: feeds, heartbeat, audit),
 * next_week (qgtm_calendar_week of the following week), dashboard
 * (digest.base_url, or null). Returns NULL with the library error.
 */
json_t *qgtm_digest_model(const struct qgtm_cfg *cfg, int y, int m, int d,
    time_t now);

/*
 * qgtm_digest_render: the digest of model (borrowed) appended to b as
 * plain text, or as Discord markdown with markdown set; lines within 78
 * characters. Returns 0 or -1 past b's cap.
 */
int qgtm_digest_render(struct qgtm_buf *b, json_t *model, int markdown);

/*
 * qgtm_digest_discord: post text to the Discord webhook of alert (the
 * URL from $QGTM_DISCORD_WEBHOOK_URL or alert.discord_webhook_file) in
 * messages of at most 2000 characters, each a code block of lines of text
 * (cut at line ends, so each message renders alone); a 429 is waited
 * out (retry_after, at most 30 s) and sent again. Returns 1 when no
 * webhook is configured, 0 when every part was delivered, or -1 with an
 * error that never names the URL's path.
 */
int qgtm_digest_discord(const struct qgtm_cfg *cfg, const char *text);

/*
 * qgtm_smtp_send: mail subject and body (UTF-8 text, lines folded at 998
 * octets) from digest.email.from to each of digest.email.to through the
 * SMTP server digest.email.url (smtp:// or smtps://; STARTTLS required
 * with digest.email.starttls), logging in as digest.email.user with the
 * password of $QGTM_SMTP_PASSWORD or digest.email.password_file when a
 * user is set (lib/smtp.c). Headers: From, To, Subject, Date, Message-ID,
 * MIME-Version, Content-Type text/plain; charset=UTF-8. Returns 1 when
 * no server or no recipient is configured, 0 when every recipient took
 * it, or -1 with an error that never holds the password.
 */
int qgtm_smtp_send(const struct qgtm_cfg *cfg, const char *subject,
    const char *body);

#include "banned.h"

#endif /* QGTM_H */
