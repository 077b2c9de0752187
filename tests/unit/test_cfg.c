/*
 * test_cfg.c: config lookup and precedence, the YAML checks with their
 * lines, typed getters, the -C printer's round trip, secrets, and the
 * agreement of the schema with the example file and qgtm.yaml(5).
 */
#include <sys/stat.h>

#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

#define EXAMPLE "../../etc/qgtm.yaml.example"
#define MANPAGE "../../man/man5/qgtm.yaml.5"
#define DEFAULTS_HEAD "# config: built-in defaults\ncommon:\n" \
	"  state_dir: \"/var/lib/qgtm\"\n"

static char *dir;       /* the test's tmp dir: HOME and XDG_CONFIG_HOME */
static char *sysfile;   /* stands for /etc/qgtm/qgtm.yaml; absent unless put */

/* No config file but those a test writes under home. */
static void
isolate(const char *home, const char *system_file)
{
	qgtm_cfg_system_file = system_file;
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", home, 1);
	unsetenv("QGTM_CONFIG");
	unsetenv("APCA_API_KEY_ID");
	unsetenv("APCA_API_SECRET_KEY");
}

static void
setup(void)
{
	dir = unit_tmpdir();
	sysfile = qgtm_xasprintf("%s/etc-qgtm.yaml", dir);
	isolate(dir, sysfile);
}

/* For the tests that abort, so never tear down: nothing to clean. */
static void
setup_nowhere(void)
{
	isolate("/nonexistent", "/nonexistent/qgtm.yaml");
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
teardown(void)
{
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(sysfile);
	free(dir);
}

/* Write text to dir/rel, creating directories; the path (free()). */
static char *
put(const char *rel, const char *text)
{
	char *path = qgtm_xasprintf("%s/%s", dir, rel);
	char *slash = strrchr(path, '/');

	*slash = '\0';
	ck_assert_int_eq(qgtm_mkdirs(path, 0700), 0);
	*slash = '/';
	unit_write_file(path, text);
	return path;
}

/* Load text as the -c file dir/t.yaml; its path into *pathp (free()). */
static int
load_text(struct qgtm_cfg *cfg, const char *text, char **pathp)
{
	*pathp = put("t.yaml", text);
	return qgtm_cfg_load(cfg, *pathp);
}

/* The root of the built-in defaults (new reference). */
static json_t *
defaults_root(void)
{
	struct qgtm_cfg cfg;
	json_t *root;

	ck_assert_int_eq(qgtm_cfg_load(&cfg, NULL), 0);
	ck_assert_str_eq(cfg.origin, "defaults");
	root = json_incref(cfg.root);
	qgtm_cfg_release(&cfg);
	return root;
}

static size_t
count_leaves(json_t *obj)
{
	const char *name;
	json_t *v;
	size_t n = 0;

	json_object_foreach(obj, name, v)
		n += json_is_object(v) ? count_leaves(v) : 1;
	return n;
}

/* Read every key with the getter of its type (a wrong one aborts). */
static void
read_every_key(const struct qgtm_cfg *cfg)
{
	const struct qgtm_cfg_key *k;
	size_t i;

	for (i = 0; i < qgtm_cfg_nkeys; i++) {
		k = &qgtm_cfg_keys[i];
		switch (k->type) {
		case QGTM_CFG_INT:
			qgtm_cfg_int(cfg, k->path);
			break;
		case QGTM_CFG_NUM:
			qgtm_cfg_num(cfg, k->path);
			break;
		case QGTM_CFG_BOOL:
			qgtm_cfg_bool(cfg, k->path);
			break;
		case QGTM_CFG_LIST:
			ck_assert(json_is_array(qgtm_cfg_list(cfg, k->path)));
			break;
		default:
			ck_assert_ptr_nonnull(qgtm_cfg_str(cfg, k->path));
			break;
		}
	}
}

START_TEST(defaults_without_any_file)
{
	struct qgtm_cfg cfg;
	json_t *u;

	ck_assert_int_eq(qgtm_cfg_load(&cfg, NULL), 0);
	ck_assert_str_eq(cfg.origin, "defaults");
	ck_assert_ptr_null(cfg.path);
	ck_assert_uint_eq(count_leaves(cfg.root), qgtm_cfg_nkeys);
	read_every_key(&cfg);
	ck_assert_str_eq(qgtm_cfg_str(&cfg, "common.state_dir"),
	    "/var/lib/qgtm");
	ck_assert_str_eq(qgtm_cfg_str(&cfg, "common.log_format"), "text");
	u = qgtm_cfg_list(&cfg, "common.universe");
	ck_assert_uint_eq(json_array_size(u), 9);
	ck_assert_str_eq(json_string_value(json_array_get(u, 0)), "GLD");
	ck_assert_str_eq(json_string_value(json_array_get(u, 8)), "DBC");
	ck_assert_int_eq(qgtm_cfg_int(&cfg, "http.max_response_bytes"),
	    16777216);
	ck_assert_int_eq(qgtm_cfg_int(&cfg, "signal.tsmom.annualization"), 261);
	ck_assert_double_eq(qgtm_cfg_num(&cfg, "signal.tsmom.target_vol"),
	    0.40);
	ck_assert_double_eq(qgtm_cfg_num(&cfg, "risk.max_gross_exposure"), 1.5);
	ck_assert_str_eq(qgtm_cfg_str(&cfg, "broker.sim.initial_cash"),
	    "100000.00");
	ck_assert_str_eq(qgtm_cfg_str(&cfg, "broker.sim.commission_per_share"),
	    "0.005");
	ck_assert_str_eq(qgtm_cfg_str(&cfg, "broker.alpaca.key_id_file"), "");
	ck_assert_str_eq(qgtm_cfg_str(&cfg, "audit.chain"),
	    "audit/chain.jsonl");
	ck_assert_str_eq(qgtm_cfg_str(&cfg, "order.broker"), "sim");
	qgtm_cfg_release(&cfg);
}
END_TEST

/* Load with explicit_path; check where it came from and http.retries. */
static void
expect_source(const char *explicit_path, const char *origin,
    const char *path, long long retries)
{
	struct qgtm_cfg cfg;

	ck_assert_int_eq(qgtm_cfg_load(&cfg, explicit_path), 0);
	ck_assert_str_eq(cfg.origin, origin);
	if (path == NULL)
		ck_assert_ptr_null(cfg.path);
	else
		ck_assert_str_eq(cfg.path, path);
	ck_assert_int_eq(qgtm_cfg_int(&cfg, "http.retries"), retries);
	/* Only the /etc file sets timeout_ms: files are never merged. */
	ck_assert_int_eq(qgtm_cfg_int(&cfg, "http.timeout_ms"),
	    strcmp(origin, "/etc") == 0 ? 1 : 30000);
	qgtm_cfg_release(&cfg);
}

START_TEST(lookup_order_first_found_wins)
{
	char *c = put("c.yaml", "http:\n  retries: 11\n");
	char *env = put("env.yaml", "http:\n  retries: 12\n");
	char *xdg = put("qgtm/qgtm.yaml", "http:\n  retries: 13\n");
	char *home = put(".config/qgtm/qgtm.yaml", "http:\n  retries: 14\n");

	unit_write_file(sysfile, "http:\n  retries: 15\n  timeout_ms: 1\n");
	setenv("QGTM_CONFIG", env, 1);
	expect_source(c, "-c", c, 11);
	expect_source(NULL, "QGTM_CONFIG", env, 12);
	setenv("QGTM_CONFIG", "", 1);           /* empty counts as unset */
	expect_source(NULL, "XDG_CONFIG_HOME", xdg, 13);
	setenv("XDG_CONFIG_HOME", "relative", 1);  /* ignored (XDG spec) */
	expect_source(NULL, "HOME", home, 14);
	unsetenv("XDG_CONFIG_HOME");
	expect_source(NULL, "HOME", home, 14);
	ck_assert_int_eq(unlink(home), 0);
	expect_source(NULL, "/etc", sysfile, 15);
	ck_assert_int_eq(unlink(sysfile), 0);
	expect_source(NULL, "defaults", NULL, 3);
	free(home);
	free(xdg);
	free(env);
	free(c);
}
END_TEST

START_TEST(xdg_config_home_replaces_home)
{
	char *home = put(".config/qgtm/qgtm.yaml", "http:\n  retries: 14\n");
	char *xdg = qgtm_xasprintf("%s/elsewhere", dir);

	/* XDG_CONFIG_HOME set: $HOME/.config is not looked at. */
	setenv("XDG_CONFIG_HOME", xdg, 1);
	expect_source(NULL, "defaults", NULL, 3);
	free(xdg);
	free(home);
}
END_TEST

/* A load that fails with QGTM_EX_CONFIG and exactly the message want. */
static void
expect_refused(const char *explicit_path, const char *want)
{
	struct qgtm_cfg cfg;

	ck_assert_int_eq(qgtm_cfg_load(&cfg, explicit_path), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_CONFIG);
	ck_assert_str_eq(qgtm_errmsg(), want);
	ck_assert_ptr_null(cfg.root);
	ck_assert_ptr_null(cfg.path);
	ck_assert_ptr_null(cfg.origin);
}

START_TEST(unreadable_named_file_is_an_error)
{
	char *missing = qgtm_xasprintf("%s/missing.yaml", dir);
	char *want = qgtm_xasprintf("cannot read config '%s': "
	    "No such file or directory", missing);
	char *isdir = qgtm_xasprintf("cannot read config '%s': "
	    "Is a directory", dir);

	expect_refused(missing, want);
	ck_assert_int_eq(qgtm_errcode(), 78);
	setenv("QGTM_CONFIG", missing, 1);
	expect_refused(NULL, want);
	expect_refused(dir, isdir);
	free(isdir);
	free(want);
	free(missing);
}
END_TEST

/* Files refused, with the message after "FILE:". */
static const struct {
	const char *yaml;
	const char *msg;
} refusals[] = {
	{ "# qgtm\nrisk:\n  max_gross_exposure: 2\n  foo: 1\n",
	  "4: unknown key 'risk.foo'" },
	{ "nosuch:\n  a: 1\n", "1: unknown key 'nosuch'" },
	{ "broker:\n  sim:\n    bogus: 1\n",
	  "3: unknown key 'broker.sim.bogus'" },
	{ "risk.max_gross_exposure: 2\n",
	  "1: invalid key name 'risk.max_gross_exposure'" },
	{ "# c\n\nrisk:\n  max_position_pct: 0.1\n  max_gross_exposure: abc\n",
	  "5: risk.max_gross_exposure: expected a number, got 'abc'" },
	{ "risk:\n  max_gross_exposure: .nan\n",
	  "2: risk.max_gross_exposure: expected a number, got '.nan'" },
	{ "risk:\n  max_gross_exposure: 1e999\n",
	  "2: risk.max_gross_exposure: expected a number, got '1e999'" },
	{ "http:\n  retries: 1.5\n",
	  "2: http.retries: expected an integer, got '1.5'" },
	{ "http:\n  retries: 99999999999999999999\n",
	  "2: http.retries: expected an integer, got '99999999999999999999'" },
	{ "http:\n  retries: ' 7'\n",
	  "2: http.retries: expected an integer, got ' 7'" },
	{ "http:\n  retries: [1]\n",
	  "2: http.retries: expected an integer, got a list" },
	{ "common:\n  log_format: xml\n",
	  "2: common.log_format: expected one of: text json, got 'xml'" },
	{ "order:\n  broker: ib\n",
	  "2: order.broker: expected one of: sim alpaca, got 'ib'" },
	{ "broker:\n  sim:\n    initial_cash: 12.3.4\n",
	  "3: broker.sim.initial_cash: expected a decimal with at most 6 "
	  "fractional digits, got '12.3.4'" },
	{ "order:\n  min_notional: 0.0000001\n",
	  "2: order.min_notional: expected a decimal with at most 6 "
	  "fractional digits, got '0.0000001'" },
	{ "common:\n  universe: SPY\n",
	  "2: common.universe: expected a list, got 'SPY'" },
	{ "common:\n  universe:\n    - SPY\n    - {a: 1}\n",
	  "4: expected a list of plain values" },
	{ "risk: 5\n", "1: risk: expected a mapping of keys" },
	{ "risk:\n\tmax_gross_exposure: 2\n",
	  "2: invalid YAML: found character that cannot start any token" },
	{ "common:\n  universe: [SPY, TLT\n",
	  "3: invalid YAML: did not find expected ',' or ']'" },
	{ "common:\n  state_dir: \"\xff\"\n",
	  "2: invalid YAML: invalid leading UTF-8 octet" },
	{ "common:\n  state_dir: \"a\\0b\"\n", "2: a NUL byte in a value" },
	{ "risk: &r\n  max_gross_exposure: 2\n",
	  "1: YAML anchors and aliases are not supported" },
	{ "fetch:\n  sim:\n    seed: 7\n    lookback_days: *s\n",
	  "4: YAML anchors and aliases are not supported" },
	{ "http:\n  retries: 1\n  timeout_ms: 2\n  retries: 3\n",
	  "4: duplicate key 'http.retries' (first at line 2)" },
	{ "http:\n  retries: 1\nhttp:\n  timeout_ms: 2\n",
	  "3: duplicate key 'http' (first at line 1)" },
	{ "http:\n  retries: 1\n---\nhttp:\n  retries: 2\n",
	  "3: only one YAML document is allowed" },
	{ "- a\n", "1: expected a mapping of sections" },
	{ "? [a]\n: 1\n", "1: expected a key name" },
};

START_TEST(bad_files_are_refused_with_their_line)
{
	char *path = put("t.yaml", refusals[_i].yaml);
	char *want = qgtm_xasprintf("%s:%s", path, refusals[_i].msg);

	expect_refused(path, want);
	free(want);
	free(path);
}
END_TEST

START_TEST(empty_and_comment_only_files_give_defaults)
{
	static const char *const texts[] = {
		"", "# nothing here\n\n   # at all\n", "---\n", "risk:\n",
		"broker:\n  sim: ~\n",
	};
	struct qgtm_cfg cfg;
	json_t *def = defaults_root();
	char *path;
	size_t i;

	for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		ck_assert_int_eq(load_text(&cfg, texts[i], &path), 0);
		ck_assert_str_eq(cfg.origin, "-c");
		ck_assert_msg(json_equal(cfg.root, def), "text %zu", i);
		qgtm_cfg_release(&cfg);
		free(path);
	}
	json_decref(def);
}
END_TEST

START_TEST(nested_section_overrides_only_its_key)
{
	struct qgtm_cfg cfg;
	char *path;
	int64_t v;

	ck_assert_int_eq(load_text(&cfg, "broker:\n  sim:\n"
	    "    initial_cash: 250000.50\n  alpaca:\n"
	    "    key_id_file: /k\n", &path), 0);
	ck_assert_str_eq(qgtm_cfg_str(&cfg, "broker.sim.initial_cash"),
	    "250000.50");
	ck_assert_int_eq(qgtm_cfg_dec(&cfg, "broker.sim.initial_cash",
	    QGTM_CENTS, &v), 0);
	ck_assert_int_eq(v, 25000050);
	ck_assert_str_eq(qgtm_cfg_str(&cfg, "broker.sim.commission_min"),
	    "1.00");
	ck_assert_double_eq(qgtm_cfg_num(&cfg, "broker.sim.slippage_bps"), 5);
	ck_assert_str_eq(qgtm_cfg_str(&cfg, "broker.alpaca.key_id_file"), "/k");
	ck_assert_str_eq(qgtm_cfg_str(&cfg, "broker.alpaca.secret_key_file"),
	    "");
	qgtm_cfg_release(&cfg);
	free(path);
}
END_TEST

START_TEST(values_as_written)
{
	struct qgtm_cfg cfg;
	char *path;

	ck_assert_int_eq(load_text(&cfg, "http:\n  retries: +7\n"
	    "  backoff_ms: -1\nrisk:\n  max_gross_exposure: 2\n"
	    "  max_order_notional: \"7.5\"\nbroker:\n  sim:\n"
	    "    initial_cash: 50000\ncommon:\n  log_format: 'json'\n",
	    &path), 0);
	ck_assert_int_eq(qgtm_cfg_int(&cfg, "http.retries"), 7);
	ck_assert_int_eq(qgtm_cfg_int(&cfg, "http.backoff_ms"), -1);
	/* A num written as an integer is still a num. */
	ck_assert_double_eq(qgtm_cfg_num(&cfg, "risk.max_gross_exposure"), 2.0);
	ck_assert_str_eq(qgtm_cfg_str(&cfg, "risk.max_order_notional"), "7.5");
	ck_assert_str_eq(qgtm_cfg_str(&cfg, "broker.sim.initial_cash"),
	    "50000");
	ck_assert_str_eq(qgtm_cfg_str(&cfg, "common.log_format"), "json");
	qgtm_cfg_release(&cfg);
	free(path);
}
END_TEST

START_TEST(list_overrides_in_both_styles)
{
	static const char *const texts[] = {
		"common:\n  universe: [SPY, TLT]\n",
		"common:\n  universe:\n    - SPY\n    - \"TLT\"\n",
	};
	struct qgtm_cfg cfg;
	json_t *want = json_pack("[ss]", "SPY", "TLT");
	char *path;
	size_t i;

	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(load_text(&cfg, texts[i], &path), 0);
		ck_assert(json_equal(qgtm_cfg_list(&cfg, "common.universe"),
		    want));
		ck_assert_uint_eq(json_array_size(qgtm_cfg_list(&cfg,
		    "signal.strategies")), 1);
		qgtm_cfg_release(&cfg);
		free(path);
	}
	ck_assert_int_eq(load_text(&cfg, "common:\n  universe: []\n", &path),
	    0);
	ck_assert_uint_eq(json_array_size(qgtm_cfg_list(&cfg,
	    "common.universe")), 0);
	qgtm_cfg_release(&cfg);
	free(path);
	json_decref(want);
}
END_TEST

START_TEST(dec_at_a_scale)
{
	struct qgtm_cfg cfg;
	int64_t v;

	ck_assert_int_eq(qgtm_cfg_load(&cfg, NULL), 0);
	ck_assert_int_eq(qgtm_cfg_dec(&cfg, "risk.max_order_notional",
	    QGTM_CENTS, &v), 0);
	ck_assert_int_eq(v, 2500000);
	ck_assert_int_eq(qgtm_cfg_dec(&cfg, "broker.sim.commission_per_share",
	    6, &v), 0);
	ck_assert_int_eq(v, 5000);
	/* 0.005 has no exact count of cents. */
	ck_assert_int_eq(qgtm_cfg_dec(&cfg, "broker.sim.commission_per_share",
	    QGTM_CENTS, &v), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_CONFIG);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(),
	    "config key broker.sim.commission_per_share: "));
	qgtm_cfg_release(&cfg);
}
END_TEST

/* Print cfg into dir/printed.yaml, load that, and compare the roots. */
static char *
round_trip(const struct qgtm_cfg *cfg)
{
	char *printed = qgtm_xasprintf("%s/printed.yaml", dir), *text;
	struct qgtm_cfg again;
	FILE *f = fopen(printed, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(qgtm_cfg_print(cfg, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_msg(qgtm_cfg_load(&again, printed) == 0, "%s", qgtm_errmsg());
	ck_assert(json_equal(again.root, cfg->root));
	qgtm_cfg_release(&again);
	text = unit_read_file(printed);
	free(printed);
	return text;
}

START_TEST(print_round_trips_defaults)
{
	struct qgtm_cfg cfg;
	char *text;

	ck_assert_int_eq(qgtm_cfg_load(&cfg, NULL), 0);
	text = round_trip(&cfg);
	ck_assert(strncmp(text, DEFAULTS_HEAD, strlen(DEFAULTS_HEAD)) == 0);
	ck_assert_ptr_nonnull(strstr(text, "\n  universe: [GLD, SLV, GDX, TLT, "
	    "IEF, UUP, USO, SPY, DBC]\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nbroker:\n  sim:\n"
	    "    initial_cash: \"100000.00\"\n"));
	ck_assert_ptr_nonnull(strstr(text, "\n    target_vol: 0.4\n"));
	ck_assert_ptr_nonnull(strstr(text,
	    "\n  max_response_bytes: 16777216\n"));
	free(text);
	qgtm_cfg_release(&cfg);
}
END_TEST

START_TEST(print_round_trips_awkward_values)
{
	struct qgtm_cfg cfg;
	char *path, *text, *head;

	ck_assert_int_eq(load_text(&cfg, "common:\n"
	    "  state_dir: \"a \\\"q\\\" \\\\ b: #c\\ttab \xc3\xa9\\nnl\\x01\"\n"
	    "  universe: [SPY, \"a b\", \"-x\", \"x,y\", \"[z]\", \"\", true]\n"
	    "risk:\n  max_gross_exposure: 0.1\n  max_position_pct: 1e-7\n"
	    "signal:\n  tsmom:\n    target_vol: 123456789.123456789\n",
	    &path), 0);
	text = round_trip(&cfg);
	head = qgtm_xasprintf("# config: %s (-c)\n", path);
	ck_assert(strncmp(text, head, strlen(head)) == 0);
	ck_assert_str_eq(qgtm_cfg_str(&cfg, "common.state_dir"),
	    "a \"q\" \\ b: #c\ttab \xc3\xa9\nnl\x01");
	free(head);
	free(text);
	qgtm_cfg_release(&cfg);
	free(path);
}
END_TEST

START_TEST(print_write_error_is_ioerr)
{
	struct qgtm_cfg cfg;
	FILE *f = fopen("/dev/full", "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(qgtm_cfg_load(&cfg, NULL), 0);
	ck_assert_int_eq(qgtm_cfg_print(&cfg, f), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_IOERR);
	fclose(f);
	qgtm_cfg_release(&cfg);
}
END_TEST

/* Load a config whose key_id_file is keyfile. */
static void
load_with_key_file(struct qgtm_cfg *cfg, const char *keyfile)
{
	char *text = qgtm_xasprintf("broker:\n  alpaca:\n"
	    "    key_id_file: \"%s\"\n", keyfile);
	char *path;

	ck_assert_int_eq(load_text(cfg, text, &path), 0);
	free(path);
	free(text);
}

START_TEST(secret_from_env_wins)
{
	struct qgtm_cfg cfg;
	char *key = qgtm_xasprintf("%s/no-such-key", dir), *s;

	load_with_key_file(&cfg, key);
	setenv("APCA_API_KEY_ID", "PKENV0123456789", 1);
	s = qgtm_cfg_secret(&cfg, "APCA_API_KEY_ID",
	    "broker.alpaca.key_id_file");
	ck_assert_str_eq(s, "PKENV0123456789");
	free(s);
	/* Set but empty: the file is used, and it is missing. */
	setenv("APCA_API_KEY_ID", "", 1);
	ck_assert_ptr_null(qgtm_cfg_secret(&cfg, "APCA_API_KEY_ID",
	    "broker.alpaca.key_id_file"));
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_CONFIG);
	qgtm_cfg_release(&cfg);
	free(key);
}
END_TEST

START_TEST(secret_from_0600_file)
{
	struct qgtm_cfg cfg;
	char *key = put("key", "PKFILE987654321 \n\n"), *s;
	char clean[64];

	ck_assert_int_eq(chmod(key, 0600), 0);
	load_with_key_file(&cfg, key);
	s = qgtm_cfg_secret(&cfg, "APCA_API_KEY_ID",
	    "broker.alpaca.key_id_file");
	ck_assert_str_eq(s, "PKFILE987654321");
	qgtm_redact("id=PKFILE987654321 ok", clean, sizeof clean);
	ck_assert_str_eq(clean, "id=[REDACTED] ok");
	free(s);
	qgtm_cfg_release(&cfg);
	free(key);
}
END_TEST

START_TEST(secret_file_readable_by_others_refused)
{
	struct qgtm_cfg cfg;
	char *key = put("key", "PKLOOSE13579246\n"), *want;

	ck_assert_int_eq(chmod(key, 0644), 0);
	load_with_key_file(&cfg, key);
	ck_assert_ptr_null(qgtm_cfg_secret(&cfg, "APCA_API_KEY_ID",
	    "broker.alpaca.key_id_file"));
	ck_assert_int_eq(qgtm_errcode(), 77);
	want = qgtm_xasprintf("key file '%s' has mode 0644; must be 0600", key);
	ck_assert_str_eq(qgtm_errmsg(), want);
	ck_assert_ptr_null(strstr(qgtm_errmsg(), "PKLOOSE"));
	ck_assert_int_eq(chmod(key, 0640), 0);
	ck_assert_ptr_null(qgtm_cfg_secret(&cfg, "APCA_API_KEY_ID",
	    "broker.alpaca.key_id_file"));
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_NOPERM);
	free(want);
	qgtm_cfg_release(&cfg);
	free(key);
}
END_TEST

START_TEST(secret_file_must_be_regular_and_not_empty)
{
	struct qgtm_cfg cfg;
	char *key = put("key", " \n");

	ck_assert_int_eq(chmod(key, 0600), 0);
	load_with_key_file(&cfg, key);
	ck_assert_ptr_null(qgtm_cfg_secret(&cfg, "APCA_API_KEY_ID",
	    "broker.alpaca.key_id_file"));
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_CONFIG);
	qgtm_cfg_release(&cfg);
	load_with_key_file(&cfg, dir);
	ck_assert_ptr_null(qgtm_cfg_secret(&cfg, "APCA_API_KEY_ID",
	    "broker.alpaca.key_id_file"));
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_NOPERM);
	qgtm_cfg_release(&cfg);
	free(key);
}
END_TEST

START_TEST(secret_not_configured)
{
	struct qgtm_cfg cfg;

	ck_assert_int_eq(qgtm_cfg_load(&cfg, NULL), 0);
	ck_assert_ptr_null(qgtm_cfg_secret(&cfg, "APCA_API_SECRET_KEY",
	    "broker.alpaca.secret_key_file"));
	ck_assert_int_eq(qgtm_errcode(), 78);
	ck_assert_str_eq(qgtm_errmsg(), "secret not configured: set "
	    "APCA_API_SECRET_KEY or broker.alpaca.secret_key_file");
	qgtm_cfg_release(&cfg);
}
END_TEST

START_TEST(example_file_is_the_defaults)
{
	struct qgtm_cfg cfg;
	json_t *def = defaults_root();
	char *text = unit_read_file(EXAMPLE), *line;
	const char *p, *dot;
	size_t i, depth;

	ck_assert_msg(qgtm_cfg_load(&cfg, EXAMPLE) == 0, "%s", qgtm_errmsg());
	ck_assert(json_equal(cfg.root, def));
	/* Every key is written out at the depth of its section, under its
	 * doc line. */
	for (i = 0; i < qgtm_cfg_nkeys; i++) {
		p = qgtm_cfg_keys[i].path;
		for (depth = 0; (dot = strchr(p, '.')) != NULL; p = dot + 1)
			depth++;
		line = qgtm_xasprintf("\n%*s# %s", (int)depth * 2, "",
		    qgtm_cfg_keys[i].doc);
		ck_assert_msg(strstr(text, line) != NULL, "example lacks %s",
		    line + 1);
		free(line);
		line = qgtm_xasprintf("\n%*s%s: ", (int)depth * 2, "", p);
		ck_assert_msg(strstr(text, line) != NULL, "example lacks %s",
		    qgtm_cfg_keys[i].path);
		free(line);
	}
	free(text);
	json_decref(def);
	qgtm_cfg_release(&cfg);
}
END_TEST

START_TEST(man_page_documents_every_key)
{
	static const char *const type[] = {
		[QGTM_CFG_STR] = "str", [QGTM_CFG_INT] = "int",
		[QGTM_CFG_NUM] = "num", [QGTM_CFG_BOOL] = "bool",
		[QGTM_CFG_DEC] = "dec", [QGTM_CFG_LIST] = "list",
	};
	char *text = unit_read_file(MANPAGE), *item;
	size_t i;

	ck_assert_ptr_nonnull(text);
	for (i = 0; i < qgtm_cfg_nkeys; i++) {
		item = qgtm_xasprintf("\n.It Ic %s Pq %s\n",
		    qgtm_cfg_keys[i].path, type[qgtm_cfg_keys[i].type]);
		ck_assert_msg(strstr(text, item) != NULL, "%s lacks %s",
		    MANPAGE, item + 1);
		free(item);
	}
	free(text);
}
END_TEST

/* The abort tests: load the defaults, silence the BUG line. */
static void
load_quietly(struct qgtm_cfg *cfg)
{
	ck_assert_int_eq(qgtm_cfg_load(cfg, NULL), 0);
	ck_assert_ptr_nonnull(freopen("/dev/null", "w", stderr));
}

START_TEST(unknown_key_is_a_bug)
{
	struct qgtm_cfg cfg;

	load_quietly(&cfg);
	qgtm_cfg_str(&cfg, "risk.nope");
}
END_TEST

START_TEST(wrong_getter_is_a_bug)
{
	struct qgtm_cfg cfg;

	load_quietly(&cfg);
	qgtm_cfg_int(&cfg, "common.state_dir");
}
END_TEST

START_TEST(dec_read_as_num_is_a_bug)
{
	struct qgtm_cfg cfg;

	load_quietly(&cfg);
	qgtm_cfg_num(&cfg, "broker.sim.initial_cash");
}
END_TEST

/* Each row's default, as qgtm_cfg_key_default gives it, is what a
 * config without a file holds at its path. */
START_TEST(key_default_is_the_loaded_default)
{
	struct qgtm_cfg cfg;
	json_t *v, *sec;
	char part[64];
	const char *p, *dot;
	size_t i;

	ck_assert_int_eq(qgtm_cfg_load(&cfg, NULL), 0);
	for (i = 0; i < qgtm_cfg_nkeys; i++) {
		sec = cfg.root;
		for (p = qgtm_cfg_keys[i].path; (dot = strchr(p, '.')) != NULL;
		     p = dot + 1) {
			snprintf(part, sizeof part, "%.*s", (int)(dot - p), p);
			sec = json_object_get(sec, part);
		}
		v = qgtm_cfg_key_default(&qgtm_cfg_keys[i]);
		ck_assert_msg(json_equal(v, json_object_get(sec, p)), "%s",
		    qgtm_cfg_keys[i].path);
		json_decref(v);
	}
	qgtm_cfg_release(&cfg);
}
END_TEST

Suite *
suite_cfg(void)
{
	Suite *s = suite_create("cfg");
	TCase *tc = tcase_create("cfg");
	TCase *tb = tcase_create("bugs");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, defaults_without_any_file);
	tcase_add_test(tc, key_default_is_the_loaded_default);
	tcase_add_test(tc, lookup_order_first_found_wins);
	tcase_add_test(tc, xdg_config_home_replaces_home);
	tcase_add_test(tc, unreadable_named_file_is_an_error);
	tcase_add_loop_test(tc, bad_files_are_refused_with_their_line, 0,
	    (int)(sizeof refusals / sizeof refusals[0]));
	tcase_add_test(tc, empty_and_comment_only_files_give_defaults);
	tcase_add_test(tc, nested_section_overrides_only_its_key);
	tcase_add_test(tc, values_as_written);
	tcase_add_test(tc, list_overrides_in_both_styles);
	tcase_add_test(tc, dec_at_a_scale);
	tcase_add_test(tc, print_round_trips_defaults);
	tcase_add_test(tc, print_round_trips_awkward_values);
	tcase_add_test(tc, print_write_error_is_ioerr);
	tcase_add_test(tc, secret_from_env_wins);
	tcase_add_test(tc, secret_from_0600_file);
	tcase_add_test(tc, secret_file_readable_by_others_refused);
	tcase_add_test(tc, secret_file_must_be_regular_and_not_empty);
	tcase_add_test(tc, secret_not_configured);
	tcase_add_test(tc, example_file_is_the_defaults);
	tcase_add_test(tc, man_page_documents_every_key);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tb, setup_nowhere, NULL);
	tcase_add_test_raise_signal(tb, unknown_key_is_a_bug, SIGABRT);
	tcase_add_test_raise_signal(tb, wrong_getter_is_a_bug, SIGABRT);
	tcase_add_test_raise_signal(tb, dec_read_as_num_is_a_bug, SIGABRT);
	suite_add_tcase(s, tb);
	return s;
}
