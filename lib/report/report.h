/*
 * report/report.h: the public header of lib/report/: the pages, HTML and SVG, metrics, the digest, the evidence package and the CGI request.
 */
#ifndef QGTM_REPORT_H
#define QGTM_REPORT_H

#include "base/base.h"
#include "net/net.h"
#include "audit/audit.h"
#include "data/data.h"
#include "risk/risk.h"
#include "order/order.h"

/* ------------------------------------------------------------- audit -- */

/*
 * qgtm_audit_evidence: write the auditor's evidence package into out_dir
 * (created 0750 with its missing parents; its files replaced atomically):
 * the parts audit_chain_verification.txt (qgtm_audit_verify_key with the
 * config's audit.checkpoint_pubkey; *chain_ok tells whether the chain
 * verified), risk_limits_config.json (qgtm_risk_limits_record),
 * kill_switch_history.json (qgtm_ks_history of the last 365 days; read
 * only), codeowners_audit.txt (the risk-critical rules of CODEOWNERS,
 * .github/CODEOWNERS or docs/CODEOWNERS under the current directory -
 * those whose owners are not the catch-all's - with the files they match,
 * then each risk-critical file with its owners), risk_changes.jsonl (git
 * log of the current directory over those files: each commit with its
 * author, date, subject and sign-off trailers, those of another person
 * apart), CHANGELOG.md (a copy of the current directory's),
 * backtest_methodology.pdf (mandoc -Tpdf of share_dir/
 * backtest_methodology.7), s3_bucket_policy.json (for audit.export_to
 * and audit.retain_days), the parts of extra (an object, borrowed, may
 * be NULL: part name -> JSON value, written indented; parts a program
 * above this layer makes, e.g. qgtm-audit's re-derived cycles), README
 * (share_dir/README) and MANIFEST (the SHA-256 of each, as sha256sum
 * prints them). A part whose data does not
 * exist says so inside its file. Returns 0, or -1 when a part cannot be
 * made or written (UNAVAILABLE without mandoc, CANTCREAT, IOERR).
 */
int qgtm_audit_evidence(const struct qgtm_cfg *cfg, const char *chain_path,
    const char *share_dir, const char *out_dir, json_t *extra, int *chain_ok);

/* ----------------------------------------------------------- auditor -- */

/*
 * The auditor's models (lib/report/auditor.c), served by qgtm-api to an
 * auditor or operator, read only. No string they hold names the state
 * directory (it reads "state"); the library error may.
 *
 * qgtm_auditor_limits: an "auditor_limits" record (new reference): config
 * ("file" or "built-in defaults"), limits (one row per risk.* key of the
 * schema: key, value as loaded, default as the schema documents it
 * (qgtm_cfg_key_default), differs (decs compared as numbers), doc),
 * differing (how many rows differ) and gate (qgtm_risk_limits_record: the
 * limits as the gate reads them). NULL with the error when the limits
 * cannot be loaded (QGTM_EX_CONFIG).
 *
 * qgtm_auditor_killswitch: an "auditor_killswitch" record (new
 * reference): history (every "tier" record of the audit chain, oldest
 * first: seq, verified (its signature and, for a lowering, the two-person
 * reset hold: qgtm_ks_chain_read counts it), two_person, record), tier
 * (the one the valid records put in force), records (valid ones),
 * unverified (rows that are not), problem (why the chain's kill-switch
 * records cannot be trusted, or null), state (qgtm_ks_state_record of the
 * backend) and verified (no problem, no unverified row, the state's
 * health ok). NULL with the error when the backend cannot be opened.
 *
 * qgtm_auditor_verify: what qgtm-audit verify checks, as an
 * "auditor_verify" record (new reference; never NULL): valid, entries,
 * head, root, checkpoints (in the chain), signatures_checked
 * (audit.checkpoint_pubkey set), published (the newest published
 * checkpoint: size, root, from ("s3://..." or "checkpoint file"), or
 * null), consistency ("verified", "no published checkpoint", "failed" or
 * "published checkpoints unreadable"), warnings (qgtm-audit verify's) and
 * bad_line (the first bad line, or null). *ok is 1 when valid; else the
 * library error says why.
 */
json_t *qgtm_auditor_limits(const struct qgtm_cfg *cfg);
json_t *qgtm_auditor_killswitch(const struct qgtm_cfg *cfg);
json_t *qgtm_auditor_verify(const struct qgtm_cfg *cfg, int *ok);

/*
 * qgtm_auditor_trace: qgtm_audit_trace of id (an order's or a trace's id)
 * followed to the broker's records, an "auditor_trace" record (new
 * reference): id, entries (the "audit_trace" records, each with its
 * checked inclusion proof), broker_records (the order journal's lines of
 * the orders the entries name), fills (each fill entry of the chain: seq,
 * client_order_id, at_broker: the journal holds a fill of that order with
 * the same qty, price and activity id), orders, fills_in_chain and
 * fills_at_broker (counts). An unknown id has no entries.
 * qgtm_auditor_sample: qgtm_audit_sample of n entries from seed, each
 * with "trace": qgtm_auditor_trace of its client_order_id, else its
 * trace_id, else null; an "auditor_sample" record (new reference) with
 * seed and samples. Both NULL with the error of the chain's verification
 * or of the journal's read.
 */
json_t *qgtm_auditor_trace(const struct qgtm_cfg *cfg, const char *id);
json_t *
qgtm_auditor_sample(const struct qgtm_cfg *cfg, size_t n, const char *seed);

/*
 * qgtm_auditor_journal: a page of the order journal's orders and cancels
 * (fills 0) or of its fills (fills 1), an "auditor_journal" record (new
 * reference): journal ("orders" or "fills"), total, after, limit, records
 * (at most limit of those numbered after after, from 1 in journal order:
 * n, line (of the journal), kind ("order", "cancel" or "fill"), record)
 * and next (the after of the next page, or null at the end). NULL with
 * the error when the journal cannot be read.
 */
json_t *qgtm_auditor_journal(const struct qgtm_cfg *cfg, int fills,
    long long after, long long limit);

/*
 * qgtm_auditor_archive: the newest evidence package (qgtm_report_evidence)
 * as a ustar archive appended to b: under the directory PACKAGE/, each
 * part its MANIFEST lists, then MANIFEST, so that `sha256sum -c
 * MANIFEST` in the unpacked directory checks them. *name: the package's
 * name (a new allocation) on success, else NULL. Returns 0, or -1:
 * QGTM_EX_NOINPUT when there is no package, DATAERR for a part its
 * MANIFEST lists that cannot be opened or lies outside the package, or
 * past b's cap, IOERR.
 */
int qgtm_auditor_archive(struct qgtm_buf *b, char **name);

/*
 * qgtm_tar_add: append to b the ustar header (POSIX.1-2017 pax, "ustar
 * Interchange Format") of a regular file name (1 to 99 bytes), mode
 * 0644, modified at mtime, then its n bytes at p padded to 512
 * (lib/report/tar.c). qgtm_tar_end: the two zero blocks that end an
 * archive. Return 0, or -1 (DATAERR: a longer name, past b's cap).
 */
int qgtm_tar_add(struct qgtm_buf *b, const char *name, const void *p, size_t n,
    time_t mtime);
int qgtm_tar_end(struct qgtm_buf *b);

/* ---------------------------------------------------------- backtest -- */

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

/* -------------------------------------------------------------- html -- */

/*
 * The only ways a string enters a page (lib/report/html.c; CONTRIBUTING.md
 * "HTML pages").
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

/* --------------------------------------------------------------- cgi -- */

/* The largest request body qgtm_cgi_parse accepts, in bytes. */
#define QGTM_CGI_BODY_MAX 4096

/*
 * One CGI request (RFC 3875, lib/report/cgi.c). Each string is NULL when its
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

/* ------------------------------------------------------------ report -- */

/*
 * qgtm_report_money: cents as "$1,234.56" ("-$1,234.56" when negative),
 * or with sign set "+$1,234.56" for zero and above, into out (32 bytes)
 * (lib/report/model.c). Returns out.
 */
char *qgtm_report_money(int64_t cents, int sign, char out[32]);

/*
 * qgtm_report_status: the phone page's model at now (lib/report/status.c), a
 * "status" record (new reference): equity and equity_text, gain (today's:
 * the broker account's daily_pl when the broker gives it, gain_source
 * "broker"; else the book's own, gain_source "book": from the day's first
 * equity evaluate saw, else from the book marked at the last close before
 * today; gain_basis says which) and gain_text, tier
 * (effective) with tier_meaning (a few words: "No new trades"),
 * tier_text (a plain sentence) and tier_reason (the kill switch's reason,
 * or why its state is not sound), positions (count), heartbeat (RFC 3339
 * or null), heartbeat_age_s, heartbeat_colour (green under 60 s, yellow
 * under 120 s, red beyond or none), heartbeat_text ("System checked in
 * 12 s ago", minutes from 120 s), as_of_text (New York time, "15:04:05
 * ET"), broker and broker_reachable (the account could be read and marked;
 * when not, equity, gain and positions are null and error says why), and
 * the verdict: verdict_ok true and verdict "All OK" when the tier is
 * NORMAL, the heartbeat under 60 s old and the broker readable, else
 * verdict "Needs attention: " with each reason, "; " between ("Safety
 * switch at WARN: REASON", "System last checked in 3 min ago", "Broker
 * cannot be read"). Never fails.
 */
json_t *qgtm_report_status(const struct qgtm_cfg *cfg, time_t now);

/*
 * qgtm_report_flat: whether the account is flat at now, as checked after a
 * flatten (lib/report/status.c): the book's positions (the order journal)
 * and the broker's open orders, a "flat" record (new reference): ok (both
 * none), positions, open_orders (counts) and message ("Flat: 0 positions,
 * 0 open orders", or "Not flat: 2 positions left (GLD 10, SLV 5), 0 open
 * orders"). Returns NULL with the error when the journal or the broker
 * cannot be read.
 */
json_t *qgtm_report_flat(const struct qgtm_cfg *cfg, time_t now);

/* The decay measurements qgtm-backtest decay appends ("decay" records),
 * relative to the state directory. */
#define QGTM_REPORT_DECAY "research/decay.jsonl"

/*
 * qgtm_report_readiness: the Sunday checklist at now (lib/report/
 * readiness.c; the sections after its rows in weeks.c), a "readiness"
 * record (new reference): result (the worst row) and rows, each with id,
 * title, result ("PASS", "WARN" or "FAIL"), reason (a sentence) and
 * details (an object of the figures behind it). A row whose data does not
 * exist yet says so in its reason. The decay row takes the newest record
 * of each strategy in QGTM_REPORT_DECAY: WARN naming each "decayed" one,
 * PASS when none is. Then week_ahead (the New York week of now, the next
 * one on a weekend: week, events of qgtm_calendar_week), last_week (the
 * week before it: week, pnl_cents and pnl_text, pnl_basis "broker" (the
 * sum of the broker's daily profit_loss) or "book" (the sum of the book's
 * daily PnL, always for the sim), days, fills, rejected_by_risk (targets
 * of the week's decisions in the audit chain risk rejected), max_drawdown
 * against max_drawdown_limit with drawdown_result, best and worst strategy
 * by attributed PnL; or error) and equity_curve (dates and equity_cents:
 * the book at each session close from its first fill, the last 260; or
 * error). Never fails.
 */
json_t *qgtm_report_readiness(const struct qgtm_cfg *cfg, time_t now);

/*
 * qgtm_report_pages: the models of both pages at now into *status and
 * *readiness (new references), the same as qgtm_report_status and
 * qgtm_report_readiness give, over one read of the kill switch for both
 * (lib/report/model.c): what qgtm-status render and metrics show. Never
 * fails.
 */
void qgtm_report_pages(const struct qgtm_cfg *cfg, time_t now, json_t **status,
    json_t **readiness);

/*
 * qgtm_report_strategy: the performance of strategy id at now
 * (lib/report/strategy.c), a "performance" record (new reference):
 * strategy, pnl_cents and pnl_text
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
 * qgtm_report_evidence (lib/report/evidence.c): the newest evidence
 * package under QGTM_REPORT_EVIDENCE (the directory whose MANIFEST was
 * written last), an "evidence" record (new reference): package (its
 * directory's name), written (the MANIFEST's time) and manifest (file,
 * sha256 of each part).
 * Returns NULL with QGTM_EX_NOINPUT when there is none.
 */
json_t *qgtm_report_evidence(void);

/*
 * qgtm_page_status, qgtm_page_readiness: the phone page and the
 * readiness page (lib/report/page_phone.c, page_ready.c) of a model
 * above (borrowed), appended to b: one self-contained HTML file with
 * inline CSS and JS. Return 0 or -1 past b's cap. The phone page's
 * numbers are hidden (body class "wait") until the browser finds the
 * model's as_of at most 15 s old or its first poll answers, unless fresh
 * is set (the model was computed for this very response: qgtm-api's
 * page), when they show in the HTML as it comes. Stable selectors for
 * tests: the phone page's #v (the verdict; data-ok "1" or "0"), numbers
 * #e #g #t (the tier's code) #tm (its meaning) #tt #p #h, #gs (the gain's
 * source), #x (CONNECTION LOST), #f (FLATTEN ALL), #fd (its dialog, with
 * #fq the question, #fc Cancel, #fy Confirm), #o (its outcome); the
 * readiness page's #d (the dark
 * mode toggle), #docs, #age (data age), #checklist with one
 * details[data-row=ID][data-result=RESULT] per row (its <b> holds the
 * result), #week-ahead tr[data-event=ID], #last-week details#lw-pnl,
 * #lw-trades, #lw-dd, #lw-best, #lw-worst (data-result PASS, WARN, FAIL
 * or INFO) and #chart (the SVG).
 */
int qgtm_page_status(struct qgtm_buf *b, json_t *status, int fresh);
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

/*
 * qgtm_page_favicon: the pages' icon, an SVG, which every page links as
 * "favicon.svg" beside it (qgtm-status render writes it there). Returns
 * static storage, never NULL; *n gets its length in bytes.
 */
const char *qgtm_page_favicon(size_t *n);

/* ----------------------------------------------------------- metrics -- */

/*
 * qgtm_metrics_render: the figures of a status model and a readiness
 * model (qgtm_report_status / qgtm_report_readiness, borrowed) in the
 * Prometheus text exposition format 0.0.4, for node_exporter's textfile
 * collector (lib/report/metrics.c, qgtm-status(1) metrics): every metric named
 * qgtm_* with its # HELP and # TYPE lines. A figure the model does not
 * have (no heartbeat yet, broker unreachable) has no sample. Appends to
 * b; returns 0 or -1 past b's cap.
 */
int qgtm_metrics_render(struct qgtm_buf *b, json_t *status, json_t *readiness);

/* ------------------------------------------------------------ digest -- */

/*
 * qgtm_report_week: the figures of the New York week (Monday 00:00 to the
 * next) holding y-m-d, up to now when the week is not over (lib/report/week.c),
 * as a "week" record (new reference): week (its Monday), as_of, equity
 * and pnl (cents, with _text), pnl_cents, pnl_pct, days (day, pnl_cents:
 * the change of equity from each New York midnight to the next),
 * days_pnl_cents (their sum, equal to pnl_cents), max_drawdown (a
 * fraction: the largest fall of a day's close below the week's running
 * peak) and max_drawdown_day, strategies (strategy, pnl_cents, trades,
 * hits, strategies_active, best, worst, fills and rounding_cents: the week's
 * PnL attributed to the strategies by their share of each position in
 * the combined book's weights (qgtm_attrib_week, lib/report/attrib.c),
 * the contributions summing exactly to pnl_cents, no remainder line;
 * positions (open, long, short
 * at the end), tier and risk_events (the tier records of the week).
 * Returns NULL with the library error when the journal or a price
 * cannot be read.
 */
json_t *qgtm_report_week(const struct qgtm_cfg *cfg, int y, int m, int d,
    time_t now);

/* The digest's delivery journal under the state directory. */
#define QGTM_DIGEST_DELIVERY "digest/delivery.jsonl"

/*
 * qgtm_digest_delivery_note: append to QGTM_DIGEST_DELIVERY one
 * "digest_delivery" record (qgtm-records(7)): week (the Monday of the
 * digest's week, "" when unknown), ok (the digest reached at least one
 * channel), channels (an object channel -> "sent", "not configured" or
 * why it failed; stolen) and, when not ok, reason (secrets redacted):
 * one line, appended and synced (qgtm_append_fsync). Returns 0, or -1
 * with the error.
 * qgtm_digest_delivery_pending: the records of the failed deliveries
 * after the newest that succeeded, oldest first (a new array, empty when
 * none or no journal), or NULL with the error when it cannot be read.
 * qgtm_digest_undelivered: append to b one line "The digest of week W was
 * not delivered: REASON" per record of pending, then a blank line when
 * any. Returns 0, or -1 when b cannot grow.
 */
int qgtm_digest_delivery_note(const char *week, int ok, json_t *channels,
    const char *reason);
json_t *qgtm_digest_delivery_pending(void);
int qgtm_digest_undelivered(struct qgtm_buf *b, json_t *pending);

/*
 * qgtm_digest_model: the weekly digest's model (lib/report/digest.c), a "digest"
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

#include "banned.h"

#endif /* QGTM_REPORT_H */
