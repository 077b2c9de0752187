/*
 * qgtm-stats: a Unix filter for performance numbers. summary reads one
 * return a line; psr, dsr and mintrl compute the probabilistic and deflated
 * Sharpe ratios and the minimum track record length from their options;
 * pbo reads a T x N CSV matrix of returns and prints the probability of
 * backtest overfitting. Output is key=value lines, or one JSON record (-j).
 * The conventions are those of qgtm-stats(1).
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "research/research.h"
#include "cli/cli.h"

static const char usage_str[] =
    "usage: qgtm-stats summary [-j] [--periods-per-year P] [file]\n"
    "       qgtm-stats psr [-j] --sr X --n T [--skew S] [--kurtosis K]"
    " [--sr-benchmark B] [--annualized P]\n"
    "       qgtm-stats dsr [-j] --sr X --n T --trials N --trials-var V"
    " [--skew S] [--kurtosis K] [--annualized P]\n"
    "       qgtm-stats mintrl [-j] --sr X --sr-benchmark B [--skew S]"
    " [--kurtosis K] [--prob P] [--annualized P]\n"
    "       qgtm-stats pbo [-j] [--partitions S] [--metric sharpe|mean]"
    " [file]";

enum verb { SUMMARY, PSR, DSR, MINTRL, PBO };

/* Long options; the value is the index into opt[] below. */
enum { O_SR, O_N, O_SKEW, O_KURT, O_BENCH, O_TRIALS, O_TVAR, O_PROB,
	O_ANN, O_PPY, O_PART, O_METRIC, NOPT };

static const struct option longopts[] = {
	{ "sr", required_argument, NULL, O_SR },
	{ "n", required_argument, NULL, O_N },
	{ "skew", required_argument, NULL, O_SKEW },
	{ "kurtosis", required_argument, NULL, O_KURT },
	{ "sr-benchmark", required_argument, NULL, O_BENCH },
	{ "trials", required_argument, NULL, O_TRIALS },
	{ "trials-var", required_argument, NULL, O_TVAR },
	{ "prob", required_argument, NULL, O_PROB },
	{ "annualized", required_argument, NULL, O_ANN },
	{ "periods-per-year", required_argument, NULL, O_PPY },
	{ "partitions", required_argument, NULL, O_PART },
	{ "metric", required_argument, NULL, O_METRIC },
	{ NULL, 0, NULL, 0 }
};

/* The options each verb takes, and those it requires (bit i = option i). */
#define B(o) (1u << (o))
static const unsigned allowed[PBO + 1] = {
	[SUMMARY] = B(O_PPY),
	[PSR] = B(O_SR) | B(O_N) | B(O_SKEW) | B(O_KURT) | B(O_BENCH) |
	    B(O_ANN),
	[DSR] = B(O_SR) | B(O_N) | B(O_TRIALS) | B(O_TVAR) | B(O_SKEW) |
	    B(O_KURT) | B(O_ANN),
	[MINTRL] = B(O_SR) | B(O_BENCH) | B(O_SKEW) | B(O_KURT) | B(O_PROB) |
	    B(O_ANN),
	[PBO] = B(O_PART) | B(O_METRIC),
};
static const unsigned required[PBO + 1] = {
	[PSR] = B(O_SR) | B(O_N),
	[DSR] = B(O_SR) | B(O_N) | B(O_TRIALS) | B(O_TVAR),
	[MINTRL] = B(O_SR) | B(O_BENCH),
};

/* The parsed command line. */
struct args {
	enum verb verb;
	int json;
	unsigned given;
	double v[NOPT];
	enum qgtm_pbo_metric metric;
};

static void __attribute__((noreturn))
usage(int ex)
{
	if (ex == 0)
		printf("%s\n", usage_str);
	else
		fprintf(stderr, "%s: try '%s -h'\n", qgtm_progname,
		    qgtm_progname);
	exit(ex == 0 ? qgtm_exit(0) : ex);
}

static void
set_option(struct args *a, int o, const char *arg)
{
	if (o == O_METRIC) {
		if (strcmp(arg, "sharpe") != 0 && strcmp(arg, "mean") != 0)
			qgtm_die(QGTM_EX_USAGE, "--metric: expected sharpe or "
			    "mean, got '%s'", arg);
		a->metric = arg[0] == 's' ? QGTM_PBO_SHARPE : QGTM_PBO_MEAN;
	} else if (qgtm_matrix_number(arg, strlen(arg), &a->v[o]) == -1)
		qgtm_die(QGTM_EX_USAGE, "--%s: not a number: '%s'",
		    longopts[o].name, arg);
	a->given |= B(o);
}

/* Defaults and the checks of option values that need no input. */
static void
check_args(struct args *a)
{
	static const double def[NOPT] = { [O_KURT] = 3, [O_PROB] = 0.95,
		[O_PPY] = 252, [O_PART] = 16 };
	int o;

	for (o = 0; o < NOPT; o++)
		if (!(a->given & B(o)))
			a->v[o] = def[o];
	for (o = 0; o < NOPT; o++)
		if ((required[a->verb] & B(o)) && !(a->given & B(o)))
			qgtm_die(QGTM_EX_USAGE, "missing --%s",
			    longopts[o].name);
	if ((a->given & B(O_ANN)) && !(a->v[O_ANN] > 0))
		qgtm_die(QGTM_EX_USAGE, "--annualized must be positive");
	if (!(a->v[O_PPY] > 0))
		qgtm_die(QGTM_EX_USAGE, "--periods-per-year must be positive");
	if (!(a->v[O_PROB] > 0 && a->v[O_PROB] < 1))
		qgtm_die(QGTM_EX_USAGE, "--prob must be between 0 and 1");
	if ((a->given & B(O_N)) && !(a->v[O_N] >= 2))
		qgtm_die(QGTM_EX_USAGE, "--n must be at least 2");
	if ((a->given & B(O_TRIALS)) && !(a->v[O_TRIALS] >= 2))
		qgtm_die(QGTM_EX_USAGE, "--trials must be at least 2");
	if ((a->given & B(O_TVAR)) && !(a->v[O_TVAR] >= 0))
		qgtm_die(QGTM_EX_USAGE, "--trials-var must not be negative");
	if (!(a->v[O_KURT] >= 1))
		qgtm_die(QGTM_EX_USAGE, "--kurtosis is non-excess and at "
		    "least 1");
	if (a->v[O_PART] != floor(a->v[O_PART]) || a->v[O_PART] < 2 ||
	    a->v[O_PART] > 24 || fmod(a->v[O_PART], 2) != 0)
		qgtm_die(QGTM_EX_USAGE, "--partitions must be even and 2-24");
}

static void
parse_args(int v, int argc, char **argv, struct args *a)
{
	int ch;

	memset(a, 0, sizeof *a);
	a->verb = (enum verb)v;
	while ((ch = getopt_long(argc, argv, "hjV", longopts, NULL)) != -1) {
		if (ch >= 0 && ch < NOPT && (allowed[a->verb] & B(ch))) {
			set_option(a, ch, optarg);
			continue;
		}
		switch (ch) {
		case 'h': usage(0);
		case 'j': a->json = 1; break;
		case 'V': qgtm_version(); exit(qgtm_exit(0));
		default:
			if (ch >= 0 && ch < NOPT)
				fprintf(stderr, "%s: %s takes no --%s\n",
				    qgtm_progname, qgtm_cmd_verb_name(),
				    longopts[ch].name);
			usage(QGTM_EX_USAGE);
		}
	}
	check_args(a);
}

/* ------------------------------------------------------------- input -- */

/* Read file (NULL or "-": stdin) into m, or die with the reason. */
static void
read_matrix(const char *file, struct qgtm_matrix *m)
{
	if (qgtm_matrix_read(file, m) == -1)
		qgtm_die(qgtm_errcode(), "%s", qgtm_errmsg());
}

/* ------------------------------------------------------------ output -- */

/* The output: key=value lines or one JSON record. */
struct out {
	int json;
	json_t *rec;
};

static void
out_begin(struct out *o, int json, const char *verb)
{
	o->json = json;
	o->rec = NULL;
	if (json) {
		o->rec = qgtm_record_new("stats", NULL);
		json_object_set_new(o->rec, "stat", json_string(verb));
	}
}

static void
put(struct out *o, const char *key, double x)
{
	if (o->json)
		json_object_set_new(o->rec, key, isfinite(x) ?
		    json_real(x) : json_null());
	else
		printf("%s=%.12g\n", key, x);
}

static void
put_int(struct out *o, const char *key, size_t n)
{
	if (o->json)
		json_object_set_new(o->rec, key, json_integer((json_int_t)n));
	else
		printf("%s=%zu\n", key, n);
}

static void
out_end(struct out *o)
{
	if (o->json) {
		qgtm_jsonl_emit(o->rec);
		json_decref(o->rec);
	}
}

/* ------------------------------------------------------------- verbs -- */

static void
do_summary(const struct args *a, const char *file, struct out *o)
{
	struct qgtm_stats_summary s;
	struct qgtm_matrix v;

	read_matrix(file, &v);
	if (v.cols > 1)
		qgtm_die(QGTM_EX_DATAERR, "%s:1: expected one return a line",
		    file ? file : "<stdin>");
	if (qgtm_stats_summary(v.x, v.rows * v.cols, a->v[O_PPY], &s) == -1)
		qgtm_die(QGTM_EX_DATAERR, "%s: %s", file ? file : "<stdin>",
		    qgtm_errmsg());
	put_int(o, "n", s.n);
	put(o, "mean", s.mean);
	put(o, "vol", s.vol);
	put(o, "sharpe", s.sharpe);
	put(o, "sortino", s.sortino);
	put(o, "max_drawdown", s.max_drawdown);
	put(o, "annual_return", s.annual_return);
	put(o, "calmar", s.calmar);
	put(o, "skew", s.skew);
	put(o, "kurtosis", s.kurtosis);
	put(o, "hit_rate", s.hit_rate);
	qgtm_matrix_release(&v);
}

static void
do_pbo(const struct args *a, const char *file, struct out *o)
{
	struct qgtm_matrix v;
	struct qgtm_pbo p;
	double q[5], mean = 0;
	size_t i;

	read_matrix(file, &v);
	if (qgtm_stats_pbo(v.x, v.rows, v.cols, (size_t)a->v[O_PART],
	    a->metric, &p) == -1)
		qgtm_die(qgtm_errcode(), "%s: %s", file ? file : "<stdin>",
		    qgtm_errmsg());
	for (i = 0; i < p.nsplits; i++)
		mean += p.logits[i] / (double)p.nsplits;
	qgtm_pbo_logit_quantiles(&p, q);
	put(o, "pbo", p.pbo);
	put_int(o, "splits", p.nsplits);
	put_int(o, "rows", p.rows_used);
	put_int(o, "columns", v.cols);
	put(o, "logit_mean", mean);
	put(o, "logit_min", q[0]);
	put(o, "logit_q25", q[1]);
	put(o, "logit_median", q[2]);
	put(o, "logit_q75", q[3]);
	put(o, "logit_max", q[4]);
	qgtm_pbo_release(&p);
	qgtm_matrix_release(&v);
}

/* Per-period Sharpe inputs: SR / sqrt(P) and V / P under --annualized. */
static void
deannualize(struct args *a)
{
	double p = a->v[O_ANN];

	if (!(a->given & B(O_ANN)))
		return;
	a->v[O_SR] /= sqrt(p);
	a->v[O_BENCH] /= sqrt(p);
	a->v[O_TVAR] /= p;
}

static void
do_sharpe_tests(struct args *a, struct out *o)
{
	double x, sr0;

	deannualize(a);
	switch (a->verb) {
	case PSR:
		put(o, "psr", qgtm_stats_psr(a->v[O_SR], a->v[O_BENCH],
		    a->v[O_N], a->v[O_SKEW], a->v[O_KURT]));
		break;
	case DSR:
		x = qgtm_stats_dsr(a->v[O_SR], a->v[O_N], a->v[O_TRIALS],
		    a->v[O_TVAR], a->v[O_SKEW], a->v[O_KURT], &sr0);
		put(o, "dsr", x);
		put(o, "sr0", sr0);
		put(o, "expected_max", qgtm_stats_expected_max(
		    a->v[O_TRIALS]));
		break;
	default:
		x = qgtm_stats_mintrl(a->v[O_SR], a->v[O_BENCH], a->v[O_SKEW],
		    a->v[O_KURT], a->v[O_PROB]);
		put(o, "mintrl", x);
		if (a->given & B(O_ANN))
			put(o, "years", x / a->v[O_ANN]);
	}
}

/* stats_run: the verb of main()'s table at index verb. */
static int
stats_run(int verb, int argc, char **argv)
{
	struct args a;
	struct out o;
	const char *file;

	parse_args(verb, argc, argv, &a);
	argc -= optind;
	argv += optind;
	if (argc > ((a.verb == SUMMARY || a.verb == PBO) ? 1 : 0))
		usage(QGTM_EX_USAGE);
	file = argc > 0 ? argv[0] : NULL;
	out_begin(&o, a.json, qgtm_cmd_verb_name());
	if (a.verb == SUMMARY)
		do_summary(&a, file, &o);
	else if (a.verb == PBO)
		do_pbo(&a, file, &o);
	else
		do_sharpe_tests(&a, &o);
	out_end(&o);
	return qgtm_exit(0);
}

int
main(int argc, char *argv[])
{
	static const struct qgtm_verb verbs[] = {
		{ "summary", stats_run },
		{ "psr", stats_run },
		{ "dsr", stats_run },
		{ "mintrl", stats_run },
		{ "pbo", stats_run },
		{ NULL, NULL }
	};

	qgtm_init(argv[0], 0);
	return qgtm_cmd_dispatch(argc, argv, verbs, usage,
	    QGTM_CMD_SAY_MISSING);
}
