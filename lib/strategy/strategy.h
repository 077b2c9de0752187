/*
 * strategy/strategy.h: the public header of lib/strategy/: the strategy registry and one file a strategy, named as the registry names it.
 */
#ifndef QGTM_STRATEGY_H
#define QGTM_STRATEGY_H

#include "base/base.h"
#include "data/data.h"

/* ---------------------------------------------------------- strategy -- */

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
 * qgtm_strategy_cache_drop: free the memo of qgtm_strategy_signal(): the
 * last parameters it hashed and their params_hash. The next signal hashes
 * its parameters afresh and keeps them; records do not change. Never
 * fails.
 */
void qgtm_strategy_cache_drop(void);

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
 * lib/strategy/tsmom.c, xsmom.c, riskparity.c, gsr.c, realrate.c, cot.c and
 * inventory.c; and the combination of their targets by the budgets of
 * signal.combined.budgets ("NAME=BUDGET" items), in lib/strategy/registry.c. A
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

/* Helpers shared by the strategies (lib/strategy/registry.c). */

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

#include "banned.h"

#endif /* QGTM_STRATEGY_H */
