/*
 * report/report_int.h: internal to lib/report/: what the files of the
 * report models share (model.c, journal.c) and what one model takes from
 * another (readiness.c, curve.c, weeks.c). Included only by lib/report/.
 */
#ifndef QGTM_REPORT_INT_H
#define QGTM_REPORT_INT_H

#include "report/report.h"

/* -------------------------------------------------------------- model -- */

/* The result of a readiness row, worst last. */
enum { QGTM_PASS, QGTM_WARN, QGTM_FAIL };

/* qgtm_model_result: the name of result ("PASS", "WARN" or "FAIL"). */
const char *qgtm_model_result(int result);

/*
 * qgtm_model_set_money: set key of rec to the cents v as a decimal string
 * (qgtm_dec_fmt) and key_text to qgtm_report_money(v, sign).
 */
void qgtm_model_set_money(json_t *rec, const char *key, int64_t v, int sign);

/*
 * qgtm_model_list_has: 1 if name is in list (an array of strings), else 0.
 * qgtm_model_list_add: append name to list unless it is there.
 */
int qgtm_model_list_has(json_t *list, const char *name);
void qgtm_model_list_add(json_t *list, const char *name);

/* qgtm_model_ny_midnight: the New York midnight days days after the
 * civil day day0. */
time_t qgtm_model_ny_midnight(long day0, long days);

/*
 * The kill switch as one render reads it: opened once and read once
 * (qgtm_ks_read replays and verifies the whole audit chain, the largest
 * cost of a render), then passed down to every section that shows it.
 * ok is 0 when it could not be opened, err then says why.
 */
struct qgtm_model_ks {
	struct qgtm_ks ks;
	struct qgtm_ks_state st;
	int ok;
	char err[256];
};

/* qgtm_model_ks_open: open and read the kill switch of cfg into mk; never
 * fails (see ok). qgtm_model_ks_close: close what it opened. */
void qgtm_model_ks_open(const struct qgtm_cfg *cfg, struct qgtm_model_ks *mk);
void qgtm_model_ks_close(struct qgtm_model_ks *mk);

/* A model of one page at now, built over the kill switch mk read once. */
typedef json_t *qgtm_model_fn(const struct qgtm_cfg *cfg, time_t now,
    struct qgtm_model_ks *mk);

/* qgtm_model_alone: model of cfg at now with a kill switch opened, read
 * and closed for it alone (a new reference, as model returns). */
json_t *qgtm_model_alone(const struct qgtm_cfg *cfg, time_t now,
    qgtm_model_fn *model);

/*
 * qgtm_status_model, qgtm_readiness_model: qgtm_report_status and
 * qgtm_report_readiness over the kill switch mk already read.
 * qgtm_week_model: qgtm_report_week over mk, or with mk NULL its own.
 */
json_t *qgtm_status_model(const struct qgtm_cfg *cfg, time_t now,
    struct qgtm_model_ks *mk);
json_t *qgtm_readiness_model(const struct qgtm_cfg *cfg, time_t now,
    struct qgtm_model_ks *mk);
json_t *qgtm_week_model(const struct qgtm_cfg *cfg, int y, int m, int d,
    time_t now, struct qgtm_model_ks *mk);

/* ------------------------------------------------------------ journal -- */

/*
 * qgtm_journal_account: load the book (qgtm_oms_book_load) and mark it at
 * now into *equity. Returns 0 with book to release, or -1 with the
 * library error and nothing in book to release.
 */
int qgtm_journal_account(const struct qgtm_cfg *cfg, time_t now,
    struct qgtm_book *book, int64_t *equity);

/*
 * qgtm_journal_fill: the fill record rec of the order journal as *f.
 * Returns 0, or -1 (DATAERR) when a member is missing or malformed.
 */
int qgtm_journal_fill(json_t *rec, struct qgtm_fill *f);

/*
 * qgtm_journal_line_fill: the fill of journal line (borrowed), or NULL
 * when it has none or its ts cannot be read; the order's strategy (or,
 * for a broker's fill on a line of its own, the fill's "strategy") into
 * *strat ("unknown" when neither has one) and the fill's moment into *t.
 */
json_t *qgtm_journal_line_fill(json_t *line, const char **strat, time_t *t);

/* qgtm_journal_cash0: the initial cash of the account in cents
 * (broker.sim.initial_cash; 0 when it cannot be read). */
int64_t qgtm_journal_cash0(const struct qgtm_cfg *cfg);

/*
 * qgtm_journal_book: fold into book (initialized here over cash) the
 * fills of journal in (from, to], of every strategy when strat is NULL.
 * Returns 0, or -1 with nothing in book to release.
 * qgtm_journal_equity: the equity at as_of (qgtm_oms_equity) of that
 * book into *out. Returns 0 or -1 with the library error.
 */
int qgtm_journal_book(json_t *journal, int64_t cash, const char *strat,
    time_t from, time_t to, struct qgtm_book *book);
int qgtm_journal_equity(const struct qgtm_cfg *cfg, json_t *journal,
    int64_t cash, const char *strat, time_t from, time_t to, time_t as_of,
    int64_t *out);

/* ------------------------------------------------------------- attrib -- */

/*
 * qgtm_attrib_split: split the units u[0..n-1] (their sum a multiple of
 * d > 0) into out[i] = floor(u[i] / d), then one more to each of the
 * (sum of the remainders) / d largest remainders, the first index on a
 * tie: largest remainder, so the out[] sum to sum(u) / d exactly. Returns
 * 0, or -1 when n is 0, d is not positive or the sum is not a multiple.
 */
int qgtm_attrib_split(const __int128 *u, size_t n, __int128 d,
    __int128 *out);

/*
 * qgtm_attrib_week: the PnL of the New York week of Monday mon (civil day)
 * up to end, from the fills of journal, attributed to the strategies by
 * their share of each position in the weights of the signals of the
 * audit chain (lib/report/attrib.c says how), into rec: strategies
 * (strategy, pnl_cents, trades, hits; the configured strategies, a
 * "combined" one as its budgets' strategies, and each one a weight or a
 * fill named; largest contribution first, then by name), whose pnl_cents
 * sum exactly to the week's change of equity; rounding_cents (what the
 * largest remainder moved against each share rounded half to even, shown
 * when not 0); strategies_active (how many traded or contributed); best
 * and worst (their names, the first and last of those; worst null when
 * fewer than two); fills: the number of fills of the week (a fill of a
 * combined book counts once here, and once for each strategy it serves
 * in trades). Returns 0, or -1 with the error when a price cannot be
 * read.
 */
int qgtm_attrib_week(const struct qgtm_cfg *cfg, json_t *journal, long mon,
    time_t end, json_t *rec);

/* ------------------------------------------------------------- digest -- */

/*
 * qgtm_digest_delivery_last: the newest record of the digest's delivery
 * journal (qgtm_digest_delivery_note; a new reference), JSON null when
 * there is none yet, or NULL with the error when it cannot be read.
 */
json_t *qgtm_digest_delivery_last(void);

/* ---------------------------------------------------------- readiness -- */

/*
 * qgtm_readiness_decay: the records of QGTM_REPORT_DECAY, the newest of
 * each strategy, as an object strategy -> record (new reference), or
 * NULL with the error when the file cannot be read.
 */
json_t *qgtm_readiness_decay(void);

/* ------------------------------------------------------------ figures -- */

/*
 * qgtm_figures_words: the members of det (borrowed) in plain words, as a
 * new array of {label, value} (value a string) or {label, figures} (a
 * group: an object, or an array of records, one group each): labels from
 * one table, money as money, fractions as percentages, times as
 * qgtm_figures_et; the record members type, v and src left out.
 */
json_t *qgtm_figures_words(json_t *det);

/* qgtm_figures_et: t in New York time as "Wed 10 Dec 08:30 ET" into out.
 * qgtm_figures_age: s seconds as "12 s", "6 min", "3 h" or "2 days".
 * qgtm_figures_count: n with thousands separators ("14,400").
 * Each returns out. */
char *qgtm_figures_et(time_t t, char out[32]);
char *qgtm_figures_age(long long s, char out[32]);
char *qgtm_figures_count(long long n, char out[32]);

/* -------------------------------------------------------------- curve -- */

/*
 * qgtm_curve_equity: the daily curve of the fills of strat in journal
 * (NULL: every one) over cash: the equity at each session close from the
 * one before the first fill up to now, the last 260, as {dates,
 * equity_cents} (new reference), or NULL with the error when a price
 * cannot be read.
 */
json_t *qgtm_curve_equity(const struct qgtm_cfg *cfg, json_t *journal,
    const char *strat, int64_t cash, time_t now);

/* -------------------------------------------------------------- weeks -- */

/* qgtm_weeks_monday: the Monday (a civil day) of the week ahead at now:
 * this New York week's, or on a weekend the next one's. */
long qgtm_weeks_monday(time_t now);

/*
 * qgtm_weeks_add: the sections of the readiness record rec after its
 * checklist: week_ahead (of Monday mon), last_week (the week before,
 * with rejected, its risk rejections, -1 when unknown; its tier from mk)
 * and equity_curve (the whole book's).
 */
void qgtm_weeks_add(const struct qgtm_cfg *cfg, time_t now, long mon,
    long long rejected, struct qgtm_model_ks *mk, json_t *rec);

/* --------------------------------------------------------------- page -- */

/*
 * qgtm_page_head: append the head of a page (doctype, title escaped, the
 * shared colours and css, the <body> tag with body_class as its class).
 * Returns 0, or -1 when b cannot grow. Shared by page_phone.c and
 * page_ready.c, as are the helpers below.
 */
int qgtm_page_head(struct qgtm_buf *b, const char *title, const char *css,
    const char *body_class);

/* qgtm_page_field_text: the text of a model field: a string as it is, a
 * number in decimal, null as the dash, anything else compact JSON. A new
 * allocation. */
char *qgtm_page_field_text(json_t *v);

/* qgtm_page_classed: append open, cls as an attribute value, "\">", text
 * as element content and close (open ends in class="). 0 or -1. */
int qgtm_page_classed(struct qgtm_buf *b, const char *open, const char *cls,
    const char *text, const char *close);

/* qgtm_page_str: the string member key of obj (borrowed), or "" when
 * absent or not a string. */
const char *qgtm_page_str(json_t *obj, const char *key);

/* qgtm_page_attr_pair: append open, the attribute value a, mid, then the
 * attribute value v. 0 or -1. */
int qgtm_page_attr_pair(struct qgtm_buf *b, const char *open, const char *a,
    const char *mid, const char *v);

#endif /* QGTM_REPORT_INT_H */
