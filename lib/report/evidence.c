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
#include <fcntl.h>
#include <fnmatch.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

/* A rule of CODEOWNERS: its pattern and its owners (in the text). */
struct rule {
	const char *pattern;
	const char *owners;
};

/* CODEOWNERS, cut into its rules. */
struct owners {
	const char *path; /* the file, NULL when there is none */
	struct qgtm_buf text; /* its text, cut in place */
	struct rule *rule;
	size_t n;
	const char *generic; /* the catch-all's owners, or "" */
};

/* Read and cut CODEOWNERS into o (o->path NULL when there is none). */
static void
owners_load(struct owners *o)
{
	char *line, *save, *p, *end;
	size_t n;

	memset(o, 0, sizeof *o);
	o->generic = "";
	qgtm_buf_init(&o->text, PART_MAX);
	if ((o->path = codeowners_path()) == NULL ||
	    slurp(o->path, &o->text) == -1) {
		o->path = NULL;
		return;
	}
	for (line = strtok_r(o->text.data, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		p = line + strspn(line, " \t");
		if ((n = strcspn(p, " \t\r")) == 0 || *p == '#')
			continue;
		end = p + n;
		if (*end != '\0')
			*end++ = '\0';
		end += strspn(end, " \t");
		for (n = strlen(end); n > 0 && strchr(" \t\r", end[n - 1]);)
			end[--n] = '\0';
		o->rule = qgtm_xrealloc(o->rule, (o->n + 1) * sizeof *o->rule);
		o->rule[o->n].pattern = p;
		o->rule[o->n++].owners = end;
		if (strcmp(p, "*") == 0)
			o->generic = end;
	}
}

static void
owners_free(struct owners *o)
{
	qgtm_buf_release(&o->text);
	free(o->rule);
}

/* Whether rule r marks a risk-critical path: owners not the catch-all's. */
static int
critical(const struct owners *o, const struct rule *r)
{
	return *r->owners != '\0' && strcmp(r->owners, o->generic) != 0;
}

/*
 * Whether CODEOWNERS pattern pat matches the file path (relative to the
 * top), by the rules of gitignore(5) that CODEOWNERS uses (GitHub's
 * "About code owners"), the subset without negation and escapes: a
 * leading or inner slash anchors the pattern at the top, a trailing one
 * matches directories only, and a directory matched matches every file
 * below it.
 */
static int
owners_match(const char *pat, const char *path)
{
	char p[1024], s[4096];
	int anchored = *pat == '/', dir;
	size_t n, i, j;

	if (snprintf(p, sizeof p, "%s", pat + anchored) >= (int)sizeof p ||
	    strlen(path) >= sizeof s)
		return 0;
	n = strlen(p);
	if ((dir = n > 0 && p[n - 1] == '/'))
		p[--n] = '\0';
	if (n == 0)
		return 0;
	if (strchr(p, '/') != NULL)
		anchored = 1;
	for (i = 0; path[i] != '\0'; i++) {
		if (i > 0 && (anchored || path[i - 1] != '/'))
			continue;
		for (j = i;; j++) {
			if (path[j] != '/' && path[j] != '\0')
				continue;
			memcpy(s, path + i, j - i);
			s[j - i] = '\0';
			if (fnmatch(p, s, FNM_PATHNAME) == 0 &&
			    (path[j] == '/' || !dir))
				return 1;
			if (path[j] == '\0')
				break;
		}
	}
	return 0;
}

/* The rule of o that gives path its owners (the last match), or NULL. */
static const struct rule *
owners_of(const struct owners *o, const char *path)
{
	size_t i;

	for (i = o->n; i > 0; i--)
		if (owners_match(o->rule[i - 1].pattern, path))
			return &o->rule[i - 1];
	return NULL;
}

/* Run argv with its output into b (its errors to /dev/null when quiet);
 * 0 when it exits 0. */
static int
run_into(char *const argv[], struct qgtm_buf *b, int quiet)
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
	if (quiet)
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY,
		    0);
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

/* Every file but hidden ones under dir, each with its NUL, into b. */
static void
walk(const char *dir, struct qgtm_buf *b)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;
	char *path;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		path = strcmp(dir, ".") == 0 ?
		    qgtm_xstrdup(e->d_name) :
		    qgtm_xasprintf("%s/%s", dir, e->d_name);
		if (lstat(path, &st) == -1)
			; /* gone meanwhile: not a file of the tree */
		else if (S_ISDIR(st.st_mode))
			walk(path, b);
		else if (S_ISREG(st.st_mode))
			qgtm_buf_add(b, path, strlen(path) + 1);
		free(path);
	}
	closedir(d);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The files of the tree under the current directory, sorted, as an array
 * of *n pointers into b: git's tracked files in a checkout, else every
 * file but the hidden ones; *how says which.
 */
static char **
tree_files(struct qgtm_buf *b, size_t *n, const char **how)
{
	char *argv[] = { "git", "ls-files", "-z", NULL }, **list, *p;
	size_t i;

	*how = "the files git tracks";
	if (run_into(argv, b, 1) == -1) {
		qgtm_buf_reset(b);
		walk(".", b);
		*how = "every file but hidden ones: not a git checkout";
	}
	for (*n = 0, p = b->data; p != NULL && p < b->data + b->len;
	     p += strlen(p) + 1)
		(*n)++;
	list = qgtm_xcalloc(*n + 1, sizeof *list);
	for (i = 0, p = b->data; i < *n; p += strlen(p) + 1)
		list[i++] = p;
	qsort(list, *n, sizeof *list, cmp_str);
	return list;
}

/*
 * codeowners_audit.txt: the risk-critical rules, each with the files it
 * matches, then each risk-critical file with the owners it gets.
 */
static int
codeowners_part(struct pack *k, const struct owners *o)
{
	const struct rule *r;
	struct qgtm_buf b, tree;
	const char *how;
	char **file;
	size_t i, j, n, hits;
	int rc;

	qgtm_buf_init(&b, PART_MAX);
	qgtm_buf_init(&tree, PART_MAX);
	if (o->path == NULL) {
		qgtm_buf_addf(&b,
		    "No CODEOWNERS file (looked for CODEOWNERS, "
		    ".github/CODEOWNERS and docs/CODEOWNERS in the directory "
		    "qgtm-audit evidence ran in): the data does not exist.\n");
		goto out;
	}
	file = tree_files(&tree, &n, &how);
	qgtm_buf_addf(&b,
	    "Risk-critical paths and their owners, from %s: "
	    "the rules whose owners are not the catch-all's; later rules "
	    "win; files: %s.\nrule\towners\n",
	    o->path, how);
	for (i = 0; i < o->n; i++) {
		if (!critical(o, r = &o->rule[i]))
			continue;
		qgtm_buf_addf(&b, "%s\t%s\n", r->pattern, r->owners);
		for (j = hits = 0; j < n; j++)
			if (owners_match(r->pattern, file[j]) && ++hits)
				qgtm_buf_addf(&b, "\tmatches %s\n", file[j]);
		if (hits == 0)
			qgtm_buf_addf(&b, "\tmatches no file\n");
	}
	qgtm_buf_addf(&b,
	    "\nRisk-critical files and their owners (the last "
	    "rule matching each file).\nfile\towners\n");
	for (j = 0; j < n; j++)
		if ((r = owners_of(o, file[j])) != NULL && critical(o, r))
			qgtm_buf_addf(&b, "%s\t%s\n", file[j], r->owners);
	free(file);
out:
	rc = put(k, "codeowners_audit.txt", b.data, b.len);
	qgtm_buf_release(&tree);
	qgtm_buf_release(&b);
	return rc;
}

/* The trailers that sign a change off (git-interpret-trailers(1)). */
static const char *const signoff_keys[] = { "Reviewed-by", "Signed-off-by",
	"Approved-by" };

/* Whether the trailer value "Name <email>" names the author (an, ae). */
static int
is_author(const char *value, const char *an, const char *ae)
{
	const char *lt = strchr(value, '<'), *gt;
	size_t n = lt != NULL ? (size_t)(lt - value) : strlen(value);

	while (n > 0 && value[n - 1] == ' ')
		n--;
	if (n == strlen(an) && strncmp(value, an, n) == 0)
		return 1;
	return lt != NULL && (gt = strchr(lt, '>')) != NULL &&
	    (size_t)(gt - lt - 1) == strlen(ae) &&
	    strncasecmp(lt + 1, ae, strlen(ae)) == 0;
}

/*
 * The record of one commit of git log's output c (fields split by 0x1f:
 * hash, author name, e-mail, date, subject, trailers, then the files),
 * or NULL when it is malformed or touched no file that o's rules leave
 * risk-critical (a later rule may give a file back to the catch-all's
 * owners); *second: whether someone other than the author signed it off.
 */
static json_t *
change_record(const struct owners *o, char *c, int *second)
{
	const struct rule *r;
	char *f[7], *line, *save, *colon;
	json_t *rec, *files, *signoffs, *others;
	size_t i;

	for (i = 0; i < 7; i++)
		if ((f[i] = strsep(&c, "\x1f")) == NULL)
			return NULL;
	files = json_array();
	for (line = strtok_r(f[6], "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save))
		if ((r = owners_of(o, line)) != NULL && critical(o, r))
			json_array_append_new(files, json_string(line));
	if (json_array_size(files) == 0) {
		json_decref(files);
		return NULL;
	}
	signoffs = json_array();
	others = json_array();
	for (line = strtok_r(f[5], "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if ((colon = strchr(line, ':')) == NULL)
			continue;
		for (i = 0; i < sizeof signoff_keys / sizeof signoff_keys[0];
		     i++)
			if ((size_t)(colon - line) == strlen(signoff_keys[i]) &&
			    strncasecmp(line, signoff_keys[i],
				strlen(signoff_keys[i])) == 0)
				break;
		if (i == sizeof signoff_keys / sizeof signoff_keys[0])
			continue;
		json_array_append_new(signoffs, json_string(line));
		if (!is_author(colon + 1 + strspn(colon + 1, " "), f[1], f[2]))
			json_array_append_new(others, json_string(line));
	}
	*second = json_array_size(others) > 0;
	rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "type",
	    "risk_change", "commit", f[0], "author", f[1], "email", f[2],
	    "date", f[3], "subject", f[4], "files", files, "signoffs", signoffs,
	    "second_signoff", others);
	return rec;
}

/* git log's arguments for the risk-critical paths of o (new; free the
 * strings from index first on, then the array); *specs: the pathspecs. */
static char **
log_argv(const struct owners *o, json_t *specs, size_t *first)
{
	char **argv = qgtm_xcalloc(2 * o->n + 8, sizeof *argv), p[1024];
	const char *top;
	size_t i, n = 0, len;

	argv[n++] = "git";
	argv[n++] = "log";
	argv[n++] = "--name-only";
	argv[n++] = "--format=%x1e%H%x1f%an%x1f%ae%x1f%aI%x1f%s%x1f"
		    "%(trailers:only,unfold)%x1f";
	argv[n++] = "--";
	*first = n;
	for (i = 0; i < o->n; i++) {
		if (!critical(o, &o->rule[i]))
			continue;
		top = o->rule[i].pattern;
		snprintf(p, sizeof p, "%s", top + (*top == '/'));
		len = strlen(p);
		top = *top == '/' ||
			(len > 1 && memchr(p, '/', len - 1) != NULL) ?
		    "" :
		    "**/";
		if (len > 0 && p[len - 1] == '/')
			p[len - 1] = '\0';
		else
			argv[n++] = qgtm_xasprintf(":(top,glob)%s%s", top, p);
		argv[n++] = qgtm_xasprintf(":(top,glob)%s%s/**", top, p);
	}
	for (i = *first; i < n; i++)
		json_array_append_new(specs, json_string(argv[i]));
	return argv;
}

/*
 * risk_changes.jsonl: a "risk_changes" record (the pathspecs, the count
 * of commits and of those without a second sign-off), then a
 * "risk_change" record for each commit of the history of the tree that
 * touched a risk-critical path of CODEOWNERS, newest first.
 */
static int
risk_changes_part(struct pack *k, const struct owners *o)
{
	struct qgtm_buf out, log;
	json_t *head, *specs = json_array(), *rec;
	size_t first, i, commits = 0, alone = 0;
	char **argv, *c, *save, *s;
	int second, rc;

	qgtm_buf_init(&out, PART_MAX);
	qgtm_buf_init(&log, PART_MAX);
	argv = log_argv(o, specs, &first);
	if (o->path == NULL)
		head = unavailable("no CODEOWNERS file: no risk-critical path");
	else if (json_array_size(specs) == 0)
		head = unavailable("CODEOWNERS names no risk-critical path");
	else if (run_into(argv, &log, 1) == -1) {
		s = qgtm_xasprintf(
		    "the directory qgtm-audit evidence ran in "
		    "is not a git checkout, or git log failed (%s): the data "
		    "does not exist",
		    qgtm_errmsg());
		head = unavailable(s);
		free(s);
	} else
		head = json_pack("{s:b, s:O}", "available", 1, "paths", specs);
	if (!json_is_true(json_object_get(head, "available")))
		qgtm_buf_reset(&log);
	else if (qgtm_buf_add(&log, "", 1) == 0)
		for (c = strtok_r(log.data, "\x1e", &save); c != NULL;
		     c = strtok_r(NULL, "\x1e", &save)) {
			if ((rec = change_record(o, c, &second)) == NULL)
				continue;
			commits++;
			alone += !second;
			s = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
			qgtm_buf_addf(&out, "%s\n", s);
			free(s);
			json_decref(rec);
		}
	json_object_set_new(head, "type", json_string("risk_changes"));
	if (json_is_true(json_object_get(head, "available"))) {
		json_object_set_new(head, "commits", json_integer(commits));
		json_object_set_new(head, "without_second_signoff",
		    json_integer(alone));
	}
	s = json_dumps(head, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(head);
	json_decref(specs);
	qgtm_buf_reset(&log);
	qgtm_buf_addf(&log, "%s\n", s);
	free(s);
	qgtm_buf_add(&log, out.data, out.len);
	rc = put(k, "risk_changes.jsonl", log.data, log.len);
	for (i = first; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
	qgtm_buf_release(&log);
	qgtm_buf_release(&out);
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
	rc = run_into(argv, &b, 0);
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

/* s3_lock_status.json: lock-status's proof, read from the bucket (the
 * record with why it fails, if it does). */
static int
lock_part(struct pack *k)
{
	const char *to = qgtm_cfg_str(k->cfg, "audit.export_to");
	json_t *rec, *u;

	if (strncmp(to, "s3://", 5) != 0)
		return put_json(k, "s3_lock_status.json", unavailable(
		    "audit.export_to names no s3://bucket/prefix: no bucket "
		    "is configured to read the lock of"));
	if (qgtm_audit_lock_status(k->cfg, NULL, 0, &rec) == 0)
		return put_json(k, "s3_lock_status.json", rec);
	u = unavailable(qgtm_errmsg());
	if (rec != NULL)
		json_object_set_new(u, "read", rec);
	return put_json(k, "s3_lock_status.json", u);
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

/*
 * The file src copied into the package as name. When it cannot be read
 * the package fails, or when optional, the part says so inside.
 */
static int
copy_part(struct pack *k, const char *src, const char *name, int optional)
{
	struct qgtm_buf b;
	int rc;

	qgtm_buf_init(&b, PART_MAX);
	rc = slurp(src, &b);
	if (rc == -1 && optional) {
		qgtm_buf_reset(&b);
		rc = qgtm_buf_addf(&b,
		    "No %s in the directory qgtm-audit "
		    "evidence ran in (%s): the data does not exist.\n",
		    src, qgtm_errmsg());
	}
	if (rc == 0)
		rc = put(k, name, b.data, b.len);
	qgtm_buf_release(&b);
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
    const char *share_dir, const char *out_dir, json_t *extra, int *chain_ok)
{
	const char *name;
	json_t *v;
	struct pack k = { cfg, out_dir, { 0 } };
	struct owners own;
	char *readme;
	int rc;

	if (qgtm_mkdirs(out_dir, 0750) == -1)
		return -1;
	qgtm_buf_init(&k.manifest, PART_MAX);
	owners_load(&own);
	readme = qgtm_xasprintf("%s/README", share_dir);
	rc = chain_part(&k, chain_path, chain_ok);
	if (rc == 0)
		rc = limits_part(&k);
	if (rc == 0)
		rc = killswitch_part(&k);
	if (rc == 0)
		rc = codeowners_part(&k, &own);
	if (rc == 0)
		rc = risk_changes_part(&k, &own);
	if (rc == 0)
		rc = copy_part(&k, "CHANGELOG.md", "CHANGELOG.md", 1);
	if (rc == 0)
		rc = methodology_part(&k, share_dir);
	if (rc == 0)
		rc = policy_part(&k);
	json_object_foreach(extra, name, v)
		if (rc == 0)
			rc = put_json(&k, name, json_incref(v));
	if (rc == 0)
		rc = lock_part(&k);
	if (rc == 0)
		rc = copy_part(&k, readme, "README", 0);
	if (rc == 0)
		rc = manifest_part(&k);
	free(readme);
	owners_free(&own);
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
