/*
 * sim.c: the sim market, a deterministic synthetic daily market for demos,
 * tests and the no-account default. Log returns are correlated across the
 * built-in symbols (a fixed correlation matrix through its Cholesky
 * factor), drifts wander as Ornstein-Uhlenbeck trends (so momentum has
 * something to find), volatility moves in persistent AR(1) log regimes, and
 * a weak pull toward each symbol's long-run growth path keeps prices at
 * plausible levels over decades.
 * Every session draws the same number of normals from one splitmix64
 * stream, so any bar depends only on the seed and its date.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/data.h"

#define NBUILTIN 9
#define DAYS_PER_YEAR 252.0
#define VOL_PERSISTENCE 0.98    /* AR(1) coefficient of log-volatility */
#define VOL_SHOCK 0.04          /* its daily shock; stationary sd ~0.2 */
#define DRIFT_HALF_LIFE 126.0   /* trading days for a trend to half-revert */
#define DRIFT_SD 0.15           /* stationary sd of the annual drift */
#define ANCHOR_HALF_LIFE 504.0  /* trading days for a price to half-revert
                                   toward its long-run path */
#define MAX_EXTRA 32

struct asset {
	const char *symbol;
	double price0;          /* first close */
	double mu;              /* long-run annual drift */
	double vol;             /* long-run annual volatility */
	double volume;          /* typical daily shares */
};

/* Plausible long-run figures for each ETF (not fitted; a synthetic market). */
static const struct asset builtin[NBUILTIN] = {
	{ "GLD", 120.0, 0.05, 0.15, 8e6 },
	{ "SLV", 15.0, 0.03, 0.28, 15e6 },
	{ "GDX", 30.0, 0.03, 0.35, 30e6 },
	{ "TLT", 90.0, 0.02, 0.14, 10e6 },
	{ "IEF", 85.0, 0.02, 0.07, 5e6 },
	{ "UUP", 24.0, 0.00, 0.07, 3e6 },
	{ "USO", 60.0, -0.02, 0.35, 10e6 },
	{ "SPY", 140.0, 0.07, 0.17, 70e6 },
	{ "DBC", 25.0, 0.01, 0.20, 2e6 },
};

/* Correlation of daily returns, in the order of builtin[]. */
static const double corr[NBUILTIN][NBUILTIN] = {
	{ 1.00, 0.80, 0.75, 0.25, 0.25, -0.40, 0.15, 0.05, 0.35 },
	{ 0.80, 1.00, 0.70, 0.10, 0.10, -0.35, 0.25, 0.20, 0.40 },
	{ 0.75, 0.70, 1.00, 0.10, 0.10, -0.30, 0.20, 0.40, 0.35 },
	{ 0.25, 0.10, 0.10, 1.00, 0.90, 0.05, -0.15, -0.20, -0.10 },
	{ 0.25, 0.10, 0.10, 0.90, 1.00, 0.05, -0.10, -0.15, -0.05 },
	{ -0.40, -0.35, -0.30, 0.05, 0.05, 1.00, -0.20, -0.10, -0.35 },
	{ 0.15, 0.25, 0.20, -0.15, -0.10, -0.20, 1.00, 0.35, 0.80 },
	{ 0.05, 0.20, 0.40, -0.20, -0.15, -0.10, 0.35, 1.00, 0.40 },
	{ 0.35, 0.40, 0.35, -0.10, -0.05, -0.35, 0.80, 0.40, 1.00 },
};

/* Parameters of a symbol outside the built-in set. */
static const struct asset generic = { NULL, 50.0, 0.03, 0.25, 1e6 };

/* One symbol's evolving state. */
struct path {
	const struct asset *a;
	double close, drift, logvol;
	double anchor;          /* log of the long-run price path */
	double open, high, low, volume;
};

struct market {
	uint64_t rng;                   /* stream of the built-in symbols */
	double chol[NBUILTIN][NBUILTIN];
	struct path paths[NBUILTIN];
	struct path extra[MAX_EXTRA];
	uint64_t extra_rng[MAX_EXTRA];
	const char *extra_sym[MAX_EXTRA];
	int nextra;
};

/* splitmix64 (Steele, Lea and Flood 2014), a fact: the published mixer. */
static uint64_t
splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A uniform in (0, 1). */
static double
uniform(uint64_t *s)
{
	return ((double)(splitmix64(s) >> 11) + 0.5) / 9007199254740992.0;
}

/* A standard normal by Box-Muller (one per two uniforms). */
static double
normal(uint64_t *s)
{
	double u1 = uniform(s), u2 = uniform(s);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

double
qgtm_sim_normal(uint64_t *state)
{
	return normal(state);
}

/* Lower Cholesky factor of corr; -1 if it is not positive definite. */
static int
cholesky(double l[NBUILTIN][NBUILTIN])
{
	int i, j, k;
	double sum;

	memset(l, 0, sizeof(double) * NBUILTIN * NBUILTIN);
	for (i = 0; i < NBUILTIN; i++)
		for (j = 0; j <= i; j++) {
			sum = corr[i][j];
			for (k = 0; k < j; k++)
				sum -= l[i][k] * l[j][k];
			if (i == j) {
				if (sum <= 0)
					return -1;
				l[i][i] = sqrt(sum);
			} else
				l[i][j] = sum / l[j][j];
		}
	return 0;
}

static void
path_init(struct path *p, const struct asset *a)
{
	memset(p, 0, sizeof *p);
	p->a = a;
	p->close = a->price0;
	p->drift = a->mu;
	p->anchor = log(a->price0);
}

/*
 * Advance one session: z is the correlated shock; the other four draws
 * come from s. Every call draws exactly four normals from s.
 */
static void
path_step(struct path *p, double z, uint64_t *s)
{
	double kappa = log(2.0) / DRIFT_HALF_LIFE;
	double theta = log(2.0) / ANCHOR_HALF_LIFE;
	double sd, r, prev = p->close;

	p->logvol = VOL_PERSISTENCE * p->logvol + VOL_SHOCK * normal(s);
	p->drift += kappa * (p->a->mu - p->drift) +
	    DRIFT_SD * sqrt(2.0 * kappa) * normal(s);
	sd = p->a->vol * exp(p->logvol) / sqrt(DAYS_PER_YEAR);
	p->anchor += p->a->mu / DAYS_PER_YEAR;
	r = p->drift / DAYS_PER_YEAR - sd * sd / 2.0 + sd * z -
	    theta * (log(prev) - p->anchor);
	p->close = prev * exp(r);
	p->open = prev * exp(0.25 * sd * normal(s));
	p->high = fmax(p->open, p->close) * exp(0.4 * sd * fabs(normal(s)));
	p->low = fmin(p->open, p->close) * exp(-0.4 * sd * fabs(z));
	p->volume = p->a->volume * (1.0 + 0.5 * fabs(z));
}

/* Advance every path by one session. */
static void
market_step(struct market *m)
{
	double eps[NBUILTIN], z;
	int i, k;

	for (i = 0; i < NBUILTIN; i++)
		eps[i] = normal(&m->rng);
	for (i = 0; i < NBUILTIN; i++) {
		for (z = 0, k = 0; k <= i; k++)
			z += m->chol[i][k] * eps[k];
		path_step(&m->paths[i], z, &m->rng);
	}
	for (i = 0; i < m->nextra; i++)
		path_step(&m->extra[i], normal(&m->extra_rng[i]),
		    &m->extra_rng[i]);
}

/* The path of symbol, adding an independent one for a new extra symbol. */
static struct path *
market_path(struct market *m, const char *symbol, uint64_t seed)
{
	uint64_t h = 1469598103934665603ULL;    /* FNV-1a offset basis */
	const char *c;
	int i;

	for (i = 0; i < NBUILTIN; i++)
		if (strcmp(builtin[i].symbol, symbol) == 0)
			return &m->paths[i];
	for (i = 0; i < m->nextra; i++)
		if (strcmp(m->extra_sym[i], symbol) == 0)
			return &m->extra[i];
	if (m->nextra == MAX_EXTRA)
		return NULL;
	for (c = symbol; *c != '\0'; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ULL;   /* FNV prime */
	m->extra_rng[m->nextra] = seed ^ h;
	m->extra_sym[m->nextra] = symbol;
	path_init(&m->extra[m->nextra], &generic);
	return &m->extra[m->nextra++];
}

/* A price rounded to the cent (at least one), in QGTM_PRICE_SCALE units. */
static int64_t
price_units(double x)
{
	int64_t cents;

	if (qgtm_dec_from_double(x, QGTM_CENTS, &cents) == -1 || cents < 1)
		cents = 1;
	return cents * 10000;
}

/* The bar of path p on the session of date, which closes at close_at. */
static void
path_bar(const struct path *p, const char *date, time_t close_at,
    struct qgtm_bar *bar)
{
	memcpy(bar->date, date, sizeof bar->date);
	bar->available_at = close_at;
	bar->open = price_units(p->open);
	bar->high = price_units(p->high);
	bar->low = price_units(p->low);
	bar->close = price_units(p->close);
	bar->volume = (long long)p->volume;
}

/* A symbol of 1 to 15 characters of A-Z, 0-9, '.' and '-'. */
static int
valid_symbol(const char *s)
{
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-");

	return n > 0 && n < 16 && s[n] == '\0';
}

/* Build the market and resolve every universe symbol to its path. */
static int
market_init(struct market *m, const struct qgtm_sim *sim, json_t *universe,
    struct path **sel)
{
	const char *sym;
	size_t i;
	json_t *v;

	memset(m, 0, sizeof *m);
	m->rng = sim->seed;
	if (cholesky(m->chol) == -1)
		return qgtm_seterr(QGTM_EX_SOFTWARE,
		    "sim correlation matrix is not positive definite");
	for (i = 0; i < NBUILTIN; i++)
		path_init(&m->paths[i], &builtin[i]);
	json_array_foreach(universe, i, v) {
		sym = json_string_value(v);
		if (sym == NULL || !valid_symbol(sym))
			return qgtm_seterr(QGTM_EX_USAGE,
			    "invalid symbol in universe: '%s'",
			    sym != NULL ? sym : "(not a string)");
		if ((sel[i] = market_path(m, sym, sim->seed)) == NULL)
			return qgtm_seterr(QGTM_EX_USAGE,
			    "sim supports at most %d symbols outside its own",
			    MAX_EXTRA);
	}
	return 0;
}

/* Called with the bar of the k-th universe symbol; 0 to go on, or -1. */
typedef int (*bar_fn)(size_t k, const char *symbol,
    const struct qgtm_bar *bar, void *arg);

/* Emit the bars of one session for every universe symbol. */
static int
emit_session(json_t *universe, struct path **sel, const char *date,
    time_t close_at, bar_fn fn, void *arg)
{
	struct qgtm_bar bar;
	json_t *v;
	size_t k;

	json_array_foreach(universe, k, v) {
		path_bar(sel[k], date, close_at, &bar);
		if (fn(k, json_string_value(v), &bar, arg) == -1)
			return -1;
	}
	return 0;
}

/* qgtm_sim_run's walk, calling fn with each bar. */
static int
sim_walk(const struct qgtm_sim *sim, json_t *universe, long from_day,
    long to_day, time_t as_of, bar_fn fn, void *arg)
{
	struct path **sel;
	struct market *m;
	struct qgtm_date d;
	char date[11];
	time_t close_at;
	long day;
	int rc;

	sel = qgtm_xcalloc(json_array_size(universe) + 1, sizeof *sel);
	m = qgtm_xmalloc(sizeof *m);
	rc = market_init(m, sim, universe, sel);
	for (day = sim->start_day; rc == 0 && day <= to_day; day++) {
		d = qgtm_civil_from_days(day);
		if (!qgtm_nyse_is_trading_day(d.year, d.month, d.day))
			continue;
		market_step(m);
		close_at = qgtm_nyse_close(d.year, d.month, d.day);
		if (close_at > as_of)
			break;
		if (day < from_day)
			continue;
		snprintf(date, sizeof date, "%04d-%02d-%02d", d.year, d.month,
		    d.day);
		rc = emit_session(universe, sel, date, close_at, fn, arg);
	}
	free(m);
	free(sel);
	return rc;
}

/* The caller's record callback of qgtm_sim_run. */
struct record_fn {
	qgtm_sim_fn fn;
	void *arg;
};

/* Hand the bar record of one bar to the caller's callback. */
static int
emit_record(size_t k, const char *symbol, const struct qgtm_bar *bar,
    void *arg)
{
	const struct record_fn *r = arg;
	json_t *rec = qgtm_bar_record("sim", symbol, bar);
	int rc;

	(void)k;
	rc = rec == NULL ? -1 : r->fn(rec, r->arg);
	json_decref(rec);
	return rc;
}

int
qgtm_sim_run(const struct qgtm_sim *sim, json_t *universe, long from_day,
    long to_day, time_t as_of, qgtm_sim_fn fn, void *arg)
{
	struct record_fn r = { fn, arg };

	return sim_walk(sim, universe, from_day, to_day, as_of, emit_record,
	    &r);
}

/* Append the bar to its symbol's series (capacity enough for the walk). */
static int
append_bar(size_t k, const char *symbol, const struct qgtm_bar *bar,
    void *arg)
{
	struct qgtm_series *s = (struct qgtm_series *)arg + k;

	snprintf(s->symbol, sizeof s->symbol, "%s", symbol);
	s->bars[s->n++] = *bar;
	return 0;
}

int
qgtm_sim_bars(const struct qgtm_sim *sim, json_t *universe, long from_day,
    long to_day, time_t as_of, struct qgtm_series *out)
{
	size_t k, days = to_day >= from_day ? (size_t)(to_day - from_day) + 1 : 1;

	for (k = 0; k < json_array_size(universe); k++) {
		memset(&out[k], 0, sizeof out[k]);
		out[k].bars = qgtm_xcalloc(days, sizeof *out[k].bars);
	}
	return sim_walk(sim, universe, from_day, to_day, as_of, append_bar,
	    out);
}
