/*
 * evidence.c: the auditor's evidence package, one directory of
 * files each an answer to one question of a pre-visit request list, with
 * a MANIFEST of their SHA-256 and a README on re-checking each (both the
 * README and the methodology's roff source come from share/qgtm/evidence).
 * A part whose data does not exist (no bucket configured, a state
 * backend that cannot be read) says so inside its file. Last, the model
 * of the newest package for qgtm-api (qgtm_report_evidence).
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/report.h"

#define PART_MAX (64L * 1024 * 1024)
#define YEAR_S (365L * 24 * 3600)

/* The package being written. */
struct pack {
	const struct qgtm_cfg *cfg;
	const char *dir;
	struct qgtm_buf manifest;
};

/* Write part name (n bytes at p) into the package and list it. */
static int
put(struct pack *k, const char *name, const void *p, size_t n)
{
	char *path = qgtm_xasprintf("%s/%s", k->dir, name), hex[65];
	int rc = qgtm_write_atomic(path, p, n);

	free(path);
	if (rc == 0) {
		qgtm_sha256_hex(p, n, hex);
		rc = qgtm_buf_addf(&k->manifest, "%s  %s\n", hex, name);
	}
	return rc;
}

/* Write the JSON v (stolen) as part name, indented, keys sorted. */
static int
put_json(struct pack *k, const char *name, json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_SORT_KEYS);
	int rc;

	json_decref(v);
	if (s == NULL)
		return qgtm_seterr(QGTM_EX_SOFTWARE, "%s: cannot serialize", name);
	rc = put(k, name, s, strlen(s));
	free(s);
	return rc;
}

/* What a part holds when its data does not exist: a new object. */
static json_t *
unavailable(const char *why)
{
	return json_pack("{s:b, s:s}", "available", 0, "reason", why);
}

/* audit_chain_verification.txt; *ok: whether the chain verified. */
static int
chain_part(struct pack *k, const char *chain, int *ok)
{
	struct qgtm_audit_summary sum;
	struct qgtm_buf b;
	char ts[21];
	int rc;

	*ok = qgtm_audit_verify_key(chain, qgtm_cfg_str(k->cfg,
	    "audit.checkpoint_pubkey"), &sum) == 0;
	qgtm_buf_init(&b, PART_MAX);
	qgtm_buf_addf(&b, "QGTM audit chain verification\n"
	    "chain: %s\nmade: %s\ncommand: qgtm-audit verify -f %s\n",
	    chain, qgtm_time_fmt(qgtm_now(), ts), chain);
	if (*ok)
		qgtm_buf_addf(&b, "result: ok entries=%lu head=%s root=%s\n",
		    sum.entries, sum.head, sum.root);
	else
		qgtm_buf_addf(&b, "result: FAILED: %s\nvalid prefix: "
		    "entries=%lu root=%s\n", qgtm_errmsg(), sum.entries,
		    sum.root);
	qgtm_buf_addf(&b, "checks: every line canonical JSON, every hash, "
	    "every prev link, seq from 0 without gaps, every checkpoint's "
	    "size, root and Ed25519 signature%s, the Merkle index when "
	    "present; see qgtm-audit(1)\n", *qgtm_cfg_str(k->cfg,
	    "audit.checkpoint_pubkey") != '\0' ? " (by audit.checkpoint_pubkey)"
	    : "");
	rc = put(k, "audit_chain_verification.txt", b.data, b.len);
	qgtm_buf_release(&b);
	return rc;
}

/* risk_limits_config.json: the limits record of the risk module. */
static int
limits_part(struct pack *k)
{
	struct qgtm_risk_limits lim;
	struct qgtm_rules ru;

	if (qgtm_risk_limits_load(k->cfg, &lim) == -1 ||
	    qgtm_rules_load(k->cfg, &ru) == -1)
		return put_json(k, "risk_limits_config.json",
		    unavailable(qgtm_errmsg()));
	return put_json(k, "risk_limits_config.json",
	    qgtm_risk_limits_record(k->cfg, &lim, &ru));
}

/* kill_switch_history.json: 12 months of tier changes, read only. */
static int
killswitch_part(struct pack *k)
{
	time_t now = qgtm_now();
	char since[21], until[21];
	struct qgtm_ks ks;
	json_t *hist = NULL, *v;

	if (qgtm_ks_open(&ks, k->cfg) == 0) {
		hist = qgtm_ks_history(&ks, now - YEAR_S);
		v = json_pack("{s:s, s:s, s:s}", "since", qgtm_time_fmt(now -
		    YEAR_S, since), "until", qgtm_time_fmt(now, until),
		    "backend", ks.url);
		qgtm_ks_close(&ks);
		if (hist != NULL) {
			json_object_set_new(v, "changes", hist);
			return put_json(k, "kill_switch_history.json", v);
		}
		json_decref(v);
	}
	return put_json(k, "kill_switch_history.json",
	    unavailable(qgtm_errmsg()));
}

/* The whole file path into b, with a NUL after it (not in b->len). */
static int
slurp(const char *path, struct qgtm_buf *b)
{
	FILE *f = fopen(path, "r");
	char chunk[65536];
	size_t r;
	int rc = 0;

	if (f == NULL)
		return qgtm_seterr_errno(QGTM_EX_NOINPUT, "cannot open '%s'",
		    path);
	while (rc == 0 && (r = fread(chunk, 1, sizeof chunk, f)) > 0)
		rc = qgtm_buf_add(b, chunk, r);
	if (rc == 0 && ferror(f))
		rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot read '%s'", path);
	fclose(f);
	if (rc == 0 && (rc = qgtm_buf_add(b, "", 1)) == 0)
		b->len--;
	return rc;
}

/* The CODEOWNERS file, in GitHub's places, or NULL. */
static const char *
codeowners_path(void)
{
	static const char *const where[] = { "CODEOWNERS",
	    ".github/CODEOWNERS", "docs/CODEOWNERS" };
	size_t i;

	for (i = 0; i < sizeof where / sizeof where[0]; i++)
		if (access(where[i], R_OK) == 0)
			return where[i];
	return NULL;
}

/* One rule of CODEOWNERS (pattern, owners) and the files it matches. */
static void
codeowners_rule(struct qgtm_buf *b, char *line)
{
	char *pattern = line + strspn(line, " \t"), *owners, *glob_pat;
	size_t i, n = strcspn(pattern, " \t");
	glob_t g;

	if (n == 0 || *pattern == '#' || (n == 1 && *pattern == '*'))
		return;
	owners = pattern + n;
	if (*owners != '\0')
		*owners++ = '\0';
	owners += strspn(owners, " \t");
	qgtm_buf_addf(b, "%s\t%s\n", pattern, owners);
	glob_pat = qgtm_xasprintf("%s%s", *pattern == '/' ? "." : "./",
	    pattern);
	if (glob(glob_pat, GLOB_MARK, NULL, &g) == 0) {
		for (i = 0; i < g.gl_pathc; i++)
			qgtm_buf_addf(b, "\tmatches %s\n", g.gl_pathv[i] + 2);
		globfree(&g);
	} else
		qgtm_buf_addf(b, "\tmatches no file\n");
	free(glob_pat);
}

/* codeowners_audit.txt: every rule but the catch-all, with its files. */
static int
codeowners_part(struct pack *k)
{
	const char *path = codeowners_path();
	struct qgtm_buf b, text;
	char *line, *save;
	int rc;

	qgtm_buf_init(&b, PART_MAX);
	qgtm_buf_init(&text, PART_MAX);
	if (path == NULL || slurp(path, &text) == -1)
		qgtm_buf_addf(&b, "No CODEOWNERS file (looked for CODEOWNERS, "
		    ".github/CODEOWNERS and docs/CODEOWNERS in the directory "
		    "qgtm-audit evidence ran in): the data does not exist.\n");
	else {
		qgtm_buf_addf(&b, "Risk-critical paths and their owners, from "
		    "%s (later rules win; the catch-all '*' left out; files "
		    "matched from the top of the tree).\n"
		    "rule\towners\n", path);
		for (line = strtok_r(text.data, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save))
			codeowners_rule(&b, line);
	}
	rc = put(k, "codeowners_audit.txt", b.data, b.len);
	qgtm_buf_release(&text);
	qgtm_buf_release(&b);
	return rc;
}

/* Run argv with its output into b; 0 when it exits 0. */
static int
run_into(char *const argv[], struct qgtm_buf *b)
{
	posix_spawn_file_actions_t fa;
	char chunk[65536];
	int fd[2], status, rc = 0;
	ssize_t r;
	pid_t pid;

	if (pipe(fd) == -1)
		return qgtm_seterr_errno(QGTM_EX_OSERR, "cannot make a pipe");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
	posix_spawn_file_actions_addclose(&fa, fd[0]);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	close(fd[1]);
	while ((r = read(fd[0], chunk, sizeof chunk)) > 0 && rc == 0)
		rc = qgtm_buf_add(b, chunk, (size_t)r);
	close(fd[0]);
	if (pid == -1)
		return qgtm_seterr(QGTM_EX_UNAVAILABLE, "cannot run %s", argv[0]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (rc == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
		rc = qgtm_seterr(QGTM_EX_UNAVAILABLE, "%s failed", argv[0]);
	return rc;
}

/* backtest_methodology.pdf, by mandoc -Tpdf from the roff source. */
static int
methodology_part(struct pack *k, const char *share)
{
	char *src = qgtm_xasprintf("%s/backtest_methodology.7", share);
	char *argv[] = { "mandoc", "-Tpdf", src, NULL };
	struct qgtm_buf b;
	int rc;

	qgtm_buf_init(&b, PART_MAX);
	rc = run_into(argv, &b);
	if (rc == 0)
		rc = put(k, "backtest_methodology.pdf", b.data, b.len);
	qgtm_buf_release(&b);
	free(src);
	return rc;
}

/* The policy statements for bucket (prefix) and days of retention. */
static json_t *
policy(const char *bucket, const char *prefix, long long days)
{
	char *all = qgtm_xasprintf("arn:aws:s3:::%s/*", bucket);
	char *mine = qgtm_xasprintf("arn:aws:s3:::%s/%s*", bucket, prefix);
	char *self = qgtm_xasprintf("arn:aws:s3:::%s", bucket);
	char *d = qgtm_xasprintf("%lld", days);
	json_t *p;

	p = json_pack("{s:s, s:[{s:s, s:s, s:s, s:s, s:[s,s], s:{s:{s:s}}},"
	    "{s:s, s:s, s:s, s:s, s:s, s:{s:{s:s}}},"
	    "{s:s, s:s, s:s, s:s, s:s, s:{s:{s:s}}},"
	    "{s:s, s:s, s:s, s:[s,s,s,s,s], s:[s,s]}]}",
	    "Version", "2012-10-17", "Statement",
	    "Sid", "DenyPlainHttp", "Effect", "Deny", "Principal", "*",
	    "Action", "s3:*", "Resource", self, all, "Condition", "Bool",
	    "aws:SecureTransport", "false",
	    "Sid", "DenyPutWithoutComplianceLock", "Effect", "Deny",
	    "Principal", "*", "Action", "s3:PutObject", "Resource", mine,
	    "Condition", "StringNotEquals", "s3:object-lock-mode", "COMPLIANCE",
	    "Sid", "DenyShortRetention", "Effect", "Deny", "Principal", "*",
	    "Action", "s3:PutObject", "Resource", mine, "Condition",
	    "NumericLessThan", "s3:object-lock-remaining-retention-days", d,
	    "Sid", "DenyDeletesAndUnlocking", "Effect", "Deny", "Principal",
	    "*", "Action", "s3:DeleteObject", "s3:DeleteObjectVersion",
	    "s3:BypassGovernanceRetention", "s3:PutObjectRetention",
	    "s3:PutBucketObjectLockConfiguration", "Resource", self, all);
	free(all);
	free(mine);
	free(self);
	free(d);
	return p;
}

/* s3_bucket_policy.json, for audit.export_to and audit.retain_days. */
static int
policy_part(struct pack *k)
{
	const char *to = qgtm_cfg_str(k->cfg, "audit.export_to");
	char *bucket, *slash;
	json_t *p;

	if (strncmp(to, "s3://", 5) != 0 || to[5] == '\0' || to[5] == '/')
		return put_json(k, "s3_bucket_policy.json", unavailable(
		    "audit.export_to names no s3://bucket/prefix: there is no "
		    "bucket yet to write a policy for"));
	bucket = qgtm_xstrdup(to + 5);
	if ((slash = strchr(bucket, '/')) != NULL)
		*slash++ = '\0';
	p = policy(bucket, slash != NULL ? slash : "",
	    qgtm_cfg_int(k->cfg, "audit.retain_days"));
	free(bucket);
	return put_json(k, "s3_bucket_policy.json", p);
}

/* README: copied from the share directory. */
static int
readme_part(struct pack *k, const char *share)
{
	char *path = qgtm_xasprintf("%s/README", share);
	struct qgtm_buf b;
	int rc;

	qgtm_buf_init(&b, PART_MAX);
	rc = slurp(path, &b);
	if (rc == 0)
		rc = put(k, "README", b.data, b.len);
	qgtm_buf_release(&b);
	free(path);
	return rc;
}

/* MANIFEST: the SHA-256 of every other part, in sha256sum -c form. */
static int
manifest_part(struct pack *k)
{
	char *path = qgtm_xasprintf("%s/MANIFEST", k->dir);
	int rc = qgtm_write_atomic(path, k->manifest.data, k->manifest.len);

	free(path);
	return rc;
}

int
qgtm_audit_evidence(const struct qgtm_cfg *cfg, const char *chain_path,
    const char *share_dir, const char *out_dir, int *chain_ok)
{
	struct pack k = { cfg, out_dir, { 0 } };
	int rc;

	if (mkdir(out_dir, 0750) == -1 && errno != EEXIST)
		return qgtm_seterr_errno(QGTM_EX_CANTCREAT, "cannot create "
		    "'%s'", out_dir);
	qgtm_buf_init(&k.manifest, PART_MAX);
	rc = chain_part(&k, chain_path, chain_ok);
	if (rc == 0)
		rc = limits_part(&k);
	if (rc == 0)
		rc = killswitch_part(&k);
	if (rc == 0)
		rc = codeowners_part(&k);
	if (rc == 0)
		rc = methodology_part(&k, share_dir);
	if (rc == 0)
		rc = policy_part(&k);
	if (rc == 0)
		rc = readme_part(&k, share_dir);
	if (rc == 0)
		rc = manifest_part(&k);
	qgtm_buf_release(&k.manifest);
	return rc;
}

/* The manifest of package dir (MANIFEST's "HASH  NAME" lines) as an
 * array of {file, sha256}, or NULL when it cannot be read. */
static json_t *
manifest_read(const char *dir)
{
	char *path = qgtm_xasprintf("%s/MANIFEST", dir);
	FILE *f = fopen(path, "r");
	char line[1024], hash[65], name[512];
	json_t *out;

	free(path);
	if (f == NULL)
		return NULL;
	out = json_array();
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "%64[0-9a-f]  %511[^\n]", hash, name) == 2)
			json_array_append_new(out, json_pack("{s:s, s:s}",
			    "file", name, "sha256", hash));
	fclose(f);
	return out;
}

json_t *
qgtm_report_evidence(void)
{
	char *root = qgtm_state_path(QGTM_REPORT_EVIDENCE, 0), *dir;
	char best[256] = "", ts[21];
	time_t newest = 0;
	struct dirent *e;
	struct stat st;
	json_t *rec, *files;
	DIR *d;

	if (root == NULL)
		return NULL;
	if ((d = opendir(root)) == NULL) {
		free(root);
		qgtm_seterr(QGTM_EX_NOINPUT, "no evidence package");
		return NULL;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof best)
			continue;
		dir = qgtm_xasprintf("%s/%s/MANIFEST", root, e->d_name);
		if (stat(dir, &st) == 0 && S_ISREG(st.st_mode) &&
		    (st.st_mtime > newest || (st.st_mtime == newest &&
		    strcmp(e->d_name, best) > 0))) {
			newest = st.st_mtime;
			snprintf(best, sizeof best, "%s", e->d_name);
		}
		free(dir);
	}
	closedir(d);
	dir = qgtm_xasprintf("%s/%s", root, best);
	free(root);
	files = best[0] != '\0' ? manifest_read(dir) : NULL;
	free(dir);
	if (files == NULL) {
		qgtm_seterr(QGTM_EX_NOINPUT, "no evidence package");
		return NULL;
	}
	rec = qgtm_record_new("evidence", NULL);
	json_object_set_new(rec, "package", json_string(best));
	json_object_set_new(rec, "written", json_string(qgtm_time_fmt(newest,
	    ts)));
	json_object_set_new(rec, "manifest", files);
	return rec;
}
