/*
 * research/research.h: the public header of lib/research/: backtests, statistics, walk-forward and decay.
 */
#ifndef QGTM_RESEARCH_H
#define QGTM_RESEARCH_H

#include "base/base.h"
#include "data/data.h"
#include "strategy/strategy.h"
#include "risk/risk.h"
#include "order/order.h"

/* ------------------------------------------------------------- stats -- */

/*
 * Statistics of per-period returns (decimal fractions), lib/research/stats.c; the
 * conventions are those of qgtm-stats(1). Functions of a series return NAN
 * when it is too short (n < 1 for the mean, n < 2 for the others).
 */

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
 * n < 2, or fewer than 2 rows a block for the Sharpe ratio (which needs a
 * variance) or none for the mean (QGTM_EX_DATAERR). Returns 0 or -1;
 * release out with qgtm_pbo_release().
 */
int qgtm_stats_pbo(const double *m, size_t t, size_t n, size_t s,
    enum qgtm_pbo_metric metric, struct qgtm_pbo *out);

/* The threads qgtm_stats_pbo() splits its work over. */
#define QGTM_PBO_THREADS 2

/*
 * qgtm_stats_pbo_threads: qgtm_stats_pbo() with the splits shared by
 * nthreads threads (0 counts as 1; a thread that cannot start leaves its
 * share to the caller's). The outcome is the same bit for bit for every
 * nthreads: each split's logit is computed alone, and summed in order.
 */
int qgtm_stats_pbo_threads(const double *m, size_t t, size_t n, size_t s,
    enum qgtm_pbo_metric metric, size_t nthreads, struct qgtm_pbo *out);
void qgtm_pbo_release(struct qgtm_pbo *p);

/* qgtm_pbo_logit_quantiles: min, 25%, median, 75% and max of the logits
 * (linear interpolation between order statistics, as numpy's default). */
void qgtm_pbo_logit_quantiles(const struct qgtm_pbo *p, double q[5]);

/* ------------------------------------------------------------ matrix -- */

/*
 * qgtm_matrix_decimal: the plain decimal at s, before end ("-0.0123": an
 * optional sign, digits with at most one point) into *out, when it is
 * provably the double strtod(3) gives: at most 19 digits making an integer
 * below 2^53, at most 22 of them after the point. Returns the first byte
 * not taken, or NULL for anything else (then ask strtod).
 */
const char *qgtm_matrix_decimal(const char *s, const char *end, double *out);

/*
 * qgtm_matrix_number: the whole of s (len bytes, blanks and a final CR
 * allowed around it) as a finite decimal number, as strtod(3) reads it;
 * no hex, inf or nan. Returns 0, or -1 (no error set).
 */
int qgtm_matrix_number(const char *s, size_t len, double *out);

/* A rows x cols row-major matrix of doubles. Owns x. */
struct qgtm_matrix {
	double *x;
	size_t rows, cols;
	size_t cap;             /* room in x */
};

/*
 * qgtm_matrix_read: file (NULL or "-": stdin) into m: a line a row, cells
 * split at commas, each qgtm_matrix_number(); every line as many cells as
 * the first. Returns 0, or -1 with the error set: cannot open
 * (QGTM_EX_NOINPUT) or read (QGTM_EX_IOERR); "FILE:LINE: cell C: not a
 * number" or "FILE:LINE: N cells, expected M as on line 1"
 * (QGTM_EX_DATAERR). Release m with qgtm_matrix_release().
 */
int qgtm_matrix_read(const char *file, struct qgtm_matrix *m);
void qgtm_matrix_release(struct qgtm_matrix *m);

/* ---------------------------------------------------------- backtest -- */

/*
 * A backtest (lib/research/backtest.c, qgtm-backtest(1)): the sim market replayed
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
 * The store is read with qgtm_pit_private() on for the run, the state
 * directory being the run's own. Returns 0, or -1 with the failing call's
 * error (QGTM_EX_USAGE when fewer than 2 sessions ran); release bt with
 * qgtm_backtest_release() either way.
 */
int qgtm_backtest_run(struct qgtm_cfg *cfg, const struct qgtm_strategy *st,
    long from_day, long to_day, int frictionless, struct qgtm_backtest *bt);
void qgtm_backtest_release(struct qgtm_backtest *bt);

/* The history of a backtest, read once and shared by its runs. */
struct qgtm_bt_data {
	struct qgtm_series *s;  /* each symbol's bars, common.universe order */
	size_t n;
	double initial;         /* broker.sim.initial_cash, dollars */
};

/*
 * qgtm_backtest_open: the first half of qgtm_backtest_run(): set
 * common.price_source to "sim", turn qgtm_pit_private() on, store the sim
 * history of common.universe up to to_day in the state directory and
 * read it back through the point-in-time store into data. Returns 0, or
 * -1 with the failing call's error; qgtm_backtest_close() either way.
 */
int qgtm_backtest_open(struct qgtm_cfg *cfg, long to_day,
    struct qgtm_bt_data *data);

/*
 * qgtm_backtest_sessions: the second half of qgtm_backtest_run(): every
 * session of data from from_day on through the strategy and the risk gate
 * as qgtm_backtest_run() describes, into bt. Neither data nor the store
 * changes when frictionless is set, so one qgtm_backtest_open() serves
 * any number of frictionless runs (a grid's configurations, which also
 * share the store's memos: a formation input computed for one is reused
 * by the next with the same parameters). Returns 0, or -1 as
 * qgtm_backtest_run(); release bt with qgtm_backtest_release() either way.
 */
int qgtm_backtest_sessions(const struct qgtm_cfg *cfg,
    const struct qgtm_strategy *st, const struct qgtm_bt_data *data,
    long from_day, int frictionless, struct qgtm_backtest *bt);

/* qgtm_backtest_close: free data and turn qgtm_pit_private() off. */
void qgtm_backtest_close(struct qgtm_bt_data *data);

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

/* ------------------------------------------------------------- decay -- */

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

/*
 * qgtm_decay_measure: the decay of the strategy backtested in bt: the
 * last `recent` daily PnL changes of its paper record daily (an object
 * with the arrays "dates" and "cumulative_pnl_cents", or NULL) against
 * the sessions of bt before them (qgtm_backtest_decay_paper) when the
 * record is longer than recent and bt has 2 sessions before them, else
 * the last `recent` sessions of bt against the ones before
 * (qgtm_backtest_decay). Returns 0, or -1 with qgtm_backtest_decay's
 * error.
 */
int qgtm_decay_measure(const struct qgtm_backtest *bt, json_t *daily,
    size_t recent, struct qgtm_decay *d);

/* ------------------------------------------------------ walk-forward -- */

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

/*
 * qgtm_wf_summary: the summary (252 periods a year) of the stitched
 * out-of-sample returns of wf over a matrix of t rows. Returns 0, or -1
 * (QGTM_EX_USAGE) when there are fewer than 2 of them.
 */
int qgtm_wf_summary(const struct qgtm_wf *wf, size_t t,
    struct qgtm_stats_summary *s);

/* -------------------------------------------------------------- grid -- */

/* One --grid key and its values (pointers into text, which it owns). */
struct qgtm_grid_dim {
	char *text;             /* "key=v1,v2": the copy, cut at '=' and ',' */
	const char *key;
	const char **vals;
	size_t n;
};

/* A parameter grid: its dimensions; configuration c (0 <= c < nconf)
 * takes value c % n of the first key, (c / n) % n' of the next, ... */
struct qgtm_grid {
	struct qgtm_grid_dim *dims;
	size_t ndims, nconf;
};

/*
 * qgtm_grid_parse: the grid of the n specs "key=v1,v2,..." (--grid) of
 * strategy, every value of every configuration checked by applying it to
 * cfg (qgtm_backtest_param) before any run. Returns 0, or -1 with
 * QGTM_EX_USAGE (a malformed spec or empty value, more than 1000 or fewer
 * than 2 configurations) or qgtm_backtest_param's error; release g with
 * qgtm_grid_release() either way.
 */
int qgtm_grid_parse(struct qgtm_grid *g, const char *const *specs, size_t n,
    struct qgtm_cfg *cfg, const char *strategy);

/*
 * qgtm_grid_apply: set cfg to configuration c of g for strategy. Returns
 * 0, or -1 with qgtm_backtest_param's error.
 */
int qgtm_grid_apply(struct qgtm_cfg *cfg, const char *strategy,
    const struct qgtm_grid *g, size_t c);

/* qgtm_grid_label: "key=v key=v" of configuration c (a new allocation). */
char *qgtm_grid_label(const struct qgtm_grid *g, size_t c);

/* qgtm_grid_release: free what g owns; g is then empty. */
void qgtm_grid_release(struct qgtm_grid *g);

/* The span of a grid's backtests and how each run starts afresh. */
struct qgtm_grid_span {
	long from, to;          /* days since the epoch, as qgtm_backtest_run */
	int frictionless;
	int (*fresh)(void *);   /* called before each run to empty the state
	                           directory; 0, or -1 with the error set */
	void *arg;
};

/* The daily returns of every configuration: a t x n row-major matrix
 * (rows are the sessions of the first run, by date). */
struct qgtm_grid_returns {
	double *m;
	size_t t, n;
	char (*dates)[11];
};

/*
 * qgtm_grid_run: one backtest of st over span per configuration of g
 * into mx: each after span->fresh(span->arg) through the OMS; or, when
 * span->frictionless is set, every one over the history of a single
 * span->fresh() and qgtm_backtest_open() (qgtm_backtest_sessions()), with
 * the same returns. Returns 0, or -1 with the error of qgtm_grid_apply,
 * fresh or the backtest; release mx with qgtm_grid_returns_release()
 * either way.
 */
int qgtm_grid_run(struct qgtm_cfg *cfg, const struct qgtm_strategy *st,
    const struct qgtm_grid *g, const struct qgtm_grid_span *span,
    struct qgtm_grid_returns *mx);

/* qgtm_grid_returns_release: free what mx owns; mx is then empty. */
void qgtm_grid_returns_release(struct qgtm_grid_returns *mx);

/* The selection statistics of a grid's returns. */
struct qgtm_grid_verdict {
	size_t best;            /* the configuration of the best Sharpe */
	double sharpe;          /* its per-period Sharpe */
	double trials_var;      /* sample variance of the per-period Sharpes */
	double dsr, sr0, skew, kurt;
	struct qgtm_pbo pbo;    /* CSCV with 16 partitions */
};

/*
 * qgtm_grid_judge: the verdict on mx: its best configuration (the first on
 * a tie) and that one's deflated Sharpe ratio among mx->n trials, and the
 * PBO of the grid. Returns 0 (release v->pbo with qgtm_pbo_release()), or
 * -1 (QGTM_EX_USAGE) when mx has fewer than 32 sessions or too few for
 * PBO; nothing to release then.
 */
int qgtm_grid_judge(const struct qgtm_grid_returns *mx,
    struct qgtm_grid_verdict *v);

/* ---------------------------------------------------------- rederive -- */

/*
 * The re-derivation of a traced cycle (lib/research/rederive.c,
 * qgtm-audit(1) rederive): the signal computed again from the
 * point-in-time store as of the signal's as_of with the parameters it
 * recorded, and its risk decision again by the gate (qgtm_risk_decide())
 * from the recorded signal, with the limits of cfg, the tier the decision
 * recorded, and the book folded from the chain's fills before the
 * decision over broker.sim.initial_cash (marked at as_of; orders counted
 * from the chain's order records).
 */

/*
 * qgtm_rederive: verify the chain (chain, or cfg's audit.chain when NULL;
 * qgtm_audit_walk()), then re-derive the cycle of the signal record whose
 * trace_id is trace_id. Returns a "rederive" record (new reference) with
 * trace_id, strategy, as_of, seq (the signal's), chain {entries, head,
 * root}, result ("match", or "differs" when any item differs), items and
 * lineage. items, in order: "signal params_hash" (of the recorded params),
 * "signal data_as_of", for combined "strategy NAME" (each component's
 * contributions and reasons by symbol) and "combined SYM", else "target
 * SYM" (each signal target), then, when the trace has a decision,
 * "decision equity", "decision status", "decision reasons" and "decision
 * SYM" (each target); each {item, result: "match"} or {item, result:
 * "differs", field (the path of the first difference, "" for the whole),
 * recorded, recomputed (null when absent)}. lineage: each series the
 * strategy (each component of combined) read, as qgtm_pit_lineage()
 * notes it, with "strategy". NULL on error: the chain's (as
 * qgtm_audit_verify), or QGTM_EX_NO "no signal of trace 'ID' in the
 * chain".
 */
json_t *qgtm_rederive(const struct qgtm_cfg *cfg, const char *chain,
    const char *trace_id);

/*
 * qgtm_rederive_sample: qgtm_rederive() of min(n, traced signals) signals
 * of the chain chosen from seed: the j-th pick is the first 8 bytes of
 * SHA-256("SEED:j"), big-endian, modulo the number of signals, repeats
 * skipped (as qgtm_audit_sample()). Returns a new array of their records
 * in chain order, or NULL on the chain's error.
 */
json_t *qgtm_rederive_sample(const struct qgtm_cfg *cfg, const char *chain,
    size_t n, const char *seed);

#include "banned.h"

#endif /* QGTM_RESEARCH_H */
