/*
 * cfg.c: the configuration. The first file found wins, with no merging
 * (vnstat cfg.c, curl tool_findfile.c); it is read with libyaml's event
 * API so that every error names its line, checked against the schema in
 * cfgkeys.c and laid over the defaults. Also the typed getters, the -C
 * printer and secrets from the environment or a mode 0600 key file.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

#include "base/base.h"

/* Largest config file read; a full one is about 2 KB. */
#define MAX_CONFIG_BYTES (1024 * 1024)
/* Largest key file read. */
#define MAX_SECRET_BYTES (64 * 1024)
/* The scale a dec value is checked at when loaded. */
#define DEC_SCALE 6

const char *qgtm_cfg_system_file = "/etc/qgtm/qgtm.yaml";

static const char *const type_name[] = {
	[QGTM_CFG_STR] = "str",
	[QGTM_CFG_INT] = "int",
	[QGTM_CFG_NUM] = "num",
	[QGTM_CFG_BOOL] = "bool",
	[QGTM_CFG_DEC] = "dec",
	[QGTM_CFG_LIST] = "list",
};

/* What a value of each type must look like, for messages. */
static const char *const type_want[] = {
	[QGTM_CFG_STR] = "a string",
	[QGTM_CFG_INT] = "an integer",
	[QGTM_CFG_NUM] = "a number",
	[QGTM_CFG_BOOL] = "true, false, yes or no",
	[QGTM_CFG_DEC] = "a decimal with at most 6 fractional digits",
	[QGTM_CFG_LIST] = "a list",
};

/* A programming error: say so and abort (git BUG()). */
static void __attribute__((noreturn, format(printf, 1, 2)))
bug(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: BUG: ", qgtm_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* ------------------------------------------------------------ schema -- */

static const struct qgtm_cfg_key *
key_find(const char *path)
{
	size_t i;

	for (i = 0; i < qgtm_cfg_nkeys; i++)
		if (strcmp(qgtm_cfg_keys[i].path, path) == 0)
			return &qgtm_cfg_keys[i];
	return NULL;
}

/* Is path a section, that is some key's path up to a dot? */
static int
is_section(const char *path)
{
	size_t i, n = strlen(path);

	for (i = 0; i < qgtm_cfg_nkeys; i++)
		if (strncmp(qgtm_cfg_keys[i].path, path, n) == 0 &&
		    qgtm_cfg_keys[i].path[n] == '.')
			return 1;
	return 0;
}

/* Is s one of the space-separated words of set (NULL: anything)? */
static int
is_allowed(const char *set, const char *s)
{
	size_t n = strlen(s), w;

	if (set == NULL)
		return 1;
	for (; *set != '\0'; set += strspn(set, " ")) {
		w = strcspn(set, " ");
		if (w == n && strncmp(set, s, n) == 0)
			return 1;
		set += w;
	}
	return 0;
}

/* A whole decimal integer: no spaces, no base prefix, no overflow. */
static int
parse_int(const char *s, long long *out)
{
	char *end;

	if (*s == '\0' || s[strspn(s, "+-0123456789")] != '\0')
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno == 0 && *end == '\0' ? 0 : -1;
}

/* A whole finite number in decimal notation (no NaN, Inf or hex). */
static int
parse_num(const char *s, double *out)
{
	char *end;

	if (*s == '\0' || s[strspn(s, "+-.0123456789eE")] != '\0')
		return -1;
	*out = strtod(s, &end);
	return *end == '\0' && isfinite(*out) ? 0 : -1;
}

/* Is x within the range of a number key: its allowed, ">=0" or ">0"
 * (none: any)? */
static int
in_range(const struct qgtm_cfg_key *k, double x)
{
	if (k->allowed == NULL)
		return 1;
	return strcmp(k->allowed, ">0") == 0 ? x > 0 : x >= 0;
}

/*
 * The value of text for key k as a new reference, or NULL when text is
 * not a valid value of k's (scalar) type.
 */
static json_t *
scalar_value(const struct qgtm_cfg_key *k, const char *text)
{
	long long i;
	double d;
	int64_t dec;

	switch (k->type) {
	case QGTM_CFG_STR:
		return is_allowed(k->allowed, text) ? json_string(text) : NULL;
	case QGTM_CFG_INT:
		return parse_int(text, &i) == 0 && in_range(k, (double)i) ?
		    json_integer(i) : NULL;
	case QGTM_CFG_NUM:
		return parse_num(text, &d) == 0 && in_range(k, d) ?
		    json_real(d) : NULL;
	case QGTM_CFG_BOOL:
		if (strcmp(text, "true") == 0 || strcmp(text, "yes") == 0)
			return json_true();
		if (strcmp(text, "false") == 0 || strcmp(text, "no") == 0)
			return json_false();
		return NULL;
	case QGTM_CFG_DEC:
		return qgtm_dec_parse(text, DEC_SCALE, &dec) == 0 ?
		    json_string(text) : NULL;
	default:
		return NULL;
	}
}

/* A list default: its space-separated items (new reference). */
static json_t *
default_list(const char *items)
{
	json_t *arr = json_array();
	size_t n;

	for (items += strspn(items, " "); *items != '\0';
	    items += strspn(items, " ")) {
		n = strcspn(items, " ");
		json_array_append_new(arr, json_stringn(items, n));
		items += n;
	}
	return arr;
}

/*
 * The object holding the last component of a dotted path, and that
 * component in *leaf (borrowed from path). With create, missing sections
 * are added. NULL when a section is missing or not an object.
 */
static json_t *
parent_of(json_t *root, const char *path, int create, const char **leaf)
{
	const char *dot;
	json_t *obj = root, *next;
	size_t n;

	for (; (dot = strchr(path, '.')) != NULL; path = dot + 1) {
		n = (size_t)(dot - path);
		next = json_object_getn(obj, path, n);
		if (next == NULL && create) {
			next = json_object();
			json_object_setn_new(obj, path, n, next);
		}
		if (!json_is_object(next))
			return NULL;
		obj = next;
	}
	*leaf = path;
	return obj;
}

/* Set the value at a dotted path of the schema; steals v. */
static void
set_path(json_t *root, const char *path, json_t *v)
{
	const char *leaf;
	json_t *obj = parent_of(root, path, 1, &leaf);

	if (obj == NULL)
		bug("config key '%s' clashes with another in the schema", path);
	json_object_set_new(obj, leaf, v);
}

json_t *
qgtm_cfg_key_default(const struct qgtm_cfg_key *k)
{
	return k->type == QGTM_CFG_LIST ? default_list(k->def) :
					  scalar_value(k, k->def);
}

/* Every key with its default (new reference). */
static json_t *
defaults_root(void)
{
	const struct qgtm_cfg_key *k;
	json_t *root = json_object(), *v;
	size_t i;

	for (i = 0; i < qgtm_cfg_nkeys; i++) {
		k = &qgtm_cfg_keys[i];
		if ((v = qgtm_cfg_key_default(k)) == NULL)
			bug("config key '%s': bad default '%s'", k->path,
			    k->def);
		set_path(root, k->path, v);
	}
	return root;
}

/* -------------------------------------------------------------- YAML -- */

struct load {
	yaml_parser_t parser;
	const char *file;       /* for messages */
	const struct qgtm_buf *text;
	json_t *root;           /* borrowed: the config being built */
	json_t *seen;           /* owned: dotted path -> line of each key */
	const char *list_path;  /* the key of the list being read */
};

/* Handles one event of a collection; see each_event(). */
typedef int (*event_fn)(struct load *ld, const yaml_event_t *ev, void *arg);

/* Record "FILE:LINE: message" (line0 counts from 0) with QGTM_EX_CONFIG. */
static int __attribute__((format(printf, 3, 4)))
at(const struct load *ld, size_t line0, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return qgtm_seterr(QGTM_EX_CONFIG, "%s:%zu: %s", ld->file, line0 + 1,
	    msg);
}

static const char *
scalar_text(const yaml_event_t *ev)
{
	return (const char *)ev->data.scalar.value;
}

static const yaml_char_t *
anchor_of(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		return ev->data.alias.anchor;
	case YAML_SCALAR_EVENT:
		return ev->data.scalar.anchor;
	case YAML_SEQUENCE_START_EVENT:
		return ev->data.sequence_start.anchor;
	case YAML_MAPPING_START_EVENT:
		return ev->data.mapping_start.anchor;
	default:
		return NULL;
	}
}

/* The line (from 0) of the parser's error. */
static size_t
problem_line(const struct load *ld)
{
	const yaml_parser_t *p = &ld->parser;
	size_t i, line = 0;

	/* Reader errors (bad UTF-8) carry a byte offset, not a mark. */
	if (p->error != YAML_READER_ERROR)
		return p->problem_mark.line;
	for (i = 0; i < p->problem_offset && i < ld->text->len; i++)
		line += ld->text->data[i] == '\n';
	return line;
}

/*
 * The next event into ev (for yaml_event_delete()). Anchors and aliases
 * are refused: they would let one node stand for several keys. So are
 * scalars holding a NUL, which C strings would cut short.
 */
static int
next_event(struct load *ld, yaml_event_t *ev)
{
	const char *why = NULL;

	if (!yaml_parser_parse(&ld->parser, ev))
		return at(ld, problem_line(ld), "invalid YAML: %s",
		    ld->parser.problem != NULL ? ld->parser.problem : "error");
	if (anchor_of(ev) != NULL)
		why = "YAML anchors and aliases are not supported";
	else if (ev->type == YAML_SCALAR_EVENT &&
	    strlen(scalar_text(ev)) != ev->data.scalar.length)
		why = "a NUL byte in a value";
	if (why == NULL)
		return 0;
	at(ld, ev->start_mark.line, "%s", why);
	yaml_event_delete(ev);
	return -1;
}

/* Call fn on each event up to one of type end (consumed, not passed). */
static int
each_event(struct load *ld, yaml_event_type_t end, event_fn fn, void *arg)
{
	yaml_event_t ev;
	int rc, done;

	do {
		if (next_event(ld, &ev) == -1)
			return -1;
		done = ev.type == end;
		rc = done ? 0 : fn(ld, &ev, arg);
		yaml_event_delete(&ev);
	} while (rc == 0 && !done);
	return rc;
}

/* A plain empty, "~" or "null" scalar: an empty section. */
static int
is_null(const yaml_event_t *ev)
{
	return ev->type == YAML_SCALAR_EVENT &&
	    ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (*scalar_text(ev) == '\0' || strcmp(scalar_text(ev), "~") == 0 ||
	    strcmp(scalar_text(ev), "null") == 0);
}

/* "expected WANT, got ..." for a value of key k that does not fit. */
static int
type_error(const struct load *ld, const struct qgtm_cfg_key *k,
    const yaml_event_t *ev)
{
	char want[128];

	if (k->allowed != NULL && (k->type == QGTM_CFG_INT ||
	    k->type == QGTM_CFG_NUM))
		snprintf(want, sizeof want, "%s %s", type_want[k->type],
		    k->allowed);
	else if (k->allowed != NULL)
		snprintf(want, sizeof want, "one of: %s", k->allowed);
	else
		snprintf(want, sizeof want, "%s", type_want[k->type]);
	if (ev->type == YAML_SCALAR_EVENT)
		return at(ld, ev->start_mark.line,
		    "%s: expected %s, got '%.64s'", k->path, want,
		    scalar_text(ev));
	return at(ld, ev->start_mark.line, "%s: expected %s, got a %s",
	    k->path, want,
	    ev->type == YAML_MAPPING_START_EVENT ? "mapping" : "list");
}

/*
 * An operator NAME:PUBKEY of risk.operators: operators are their keys, so
 * a key may not be listed under two names (nor a name twice).
 */
static int
operator_item(struct load *ld, const yaml_event_t *ev, json_t *arr)
{
	unsigned char raw[QGTM_KEY_RAWLEN], other[QGTM_KEY_RAWLEN];
	const char *item = scalar_text(ev), *colon = strchr(item, ':'), *o, *oc;
	json_t *v;
	size_t i;

	if (colon == NULL || colon == item || qgtm_key_raw(colon + 1,
	    raw) == -1)
		return at(ld, ev->start_mark.line, "risk.operators: expected "
		    "NAME:PUBKEY (a base64 Ed25519 public key), not '%.64s'",
		    item);
	if (strncmp(item, "program:", 8) == 0)
		return at(ld, ev->start_mark.line, "risk.operators: 'program' "
		    "names the program key; choose another name");
	json_array_foreach(arr, i, v) {
		o = json_string_value(v);
		oc = strchr(o, ':');
		if ((size_t)(oc - o) == (size_t)(colon - item) &&
		    strncmp(o, item, (size_t)(colon - item)) == 0)
			return at(ld, ev->start_mark.line, "risk.operators: "
			    "'%.*s' is listed twice", (int)(colon - item),
			    item);
		if (qgtm_key_raw(oc + 1, other) == 0 &&
		    memcmp(raw, other, sizeof raw) == 0)
			return at(ld, ev->start_mark.line, "risk.operators: "
			    "'%.*s' has the key of '%.*s': one key is one "
			    "operator", (int)(colon - item), item,
			    (int)(oc - o), o);
	}
	return 0;
}

static int
list_item(struct load *ld, const yaml_event_t *ev, void *arg)
{
	json_t *arr = arg;

	if (ev->type != YAML_SCALAR_EVENT)
		return at(ld, ev->start_mark.line,
		    "expected a list of plain values");
	if (strcmp(ld->list_path, "risk.operators") == 0 &&
	    operator_item(ld, ev, arr) == -1)
		return -1;
	json_array_append_new(arr, json_string(scalar_text(ev)));
	return 0;
}

/* Read the value ev starts for key k into the config. */
static int
load_value(struct load *ld, const struct qgtm_cfg_key *k,
    const yaml_event_t *ev)
{
	json_t *v = NULL;

	if (k->type == QGTM_CFG_LIST && ev->type == YAML_SEQUENCE_START_EVENT) {
		v = json_array();
		ld->list_path = k->path;
		if (each_event(ld, YAML_SEQUENCE_END_EVENT, list_item,
		    v) == -1) {
			json_decref(v);
			return -1;
		}
	} else if (k->type != QGTM_CFG_LIST && ev->type == YAML_SCALAR_EVENT)
		v = scalar_value(k, scalar_text(ev));
	if (v == NULL)
		return type_error(ld, k, ev);
	set_path(ld->root, k->path, v);
	return 0;
}

static int load_entry(struct load *ld, const yaml_event_t *ev, void *arg);

/* Read the section at path, whose value ev starts. */
static int
load_section(struct load *ld, const char *path, const yaml_event_t *ev)
{
	if (ev->type == YAML_MAPPING_START_EVENT)
		return each_event(ld, YAML_MAPPING_END_EVENT, load_entry,
		    (void *)path);
	if (is_null(ev))
		return 0;
	return at(ld, ev->start_mark.line, "%s: expected a mapping of keys",
	    path);
}

/* Refuse a key seen before or not in the schema; else remember it. */
static int
check_key(struct load *ld, const char *name, const char *path, size_t line0)
{
	json_t *first = json_object_get(ld->seen, path);

	if (*name == '\0' || strchr(name, '.') != NULL)
		return at(ld, line0, "invalid key name '%s'", name);
	if (first != NULL)
		return at(ld, line0, "duplicate key '%s' (first at line %lld)",
		    path, (long long)json_integer_value(first));
	if (key_find(path) == NULL && !is_section(path))
		return at(ld, line0, "unknown key '%s'", path);
	json_object_set_new(ld->seen, path,
	    json_integer((json_int_t)line0 + 1));
	return 0;
}

/*
 * One entry of the mapping at arg (a dotted prefix, NULL at the top):
 * ev is its key; its value follows.
 */
static int
load_entry(struct load *ld, const yaml_event_t *ev, void *arg)
{
	const char *prefix = arg, *name;
	const struct qgtm_cfg_key *k;
	yaml_event_t val;
	char *path;
	int rc;

	if (ev->type != YAML_SCALAR_EVENT)
		return at(ld, ev->start_mark.line, "expected a key name");
	name = scalar_text(ev);
	path = prefix == NULL ? qgtm_xstrdup(name) :
	    qgtm_xasprintf("%s.%s", prefix, name);
	rc = check_key(ld, name, path, ev->start_mark.line);
	if (rc == 0 && (rc = next_event(ld, &val)) == 0) {
		k = key_find(path);
		rc = k != NULL ? load_value(ld, k, &val) :
		    load_section(ld, path, &val);
		yaml_event_delete(&val);
	}
	free(path);
	return rc;
}

/* One event of the stream: at most one document, a mapping of sections. */
static int
load_stream_event(struct load *ld, const yaml_event_t *ev, void *arg)
{
	int *docs = arg;

	if (ev->type == YAML_DOCUMENT_START_EVENT && ++*docs > 1)
		return at(ld, ev->start_mark.line,
		    "only one YAML document is allowed");
	if (ev->type == YAML_MAPPING_START_EVENT)
		return load_section(ld, NULL, ev);
	if ((ev->type == YAML_SCALAR_EVENT && !is_null(ev)) ||
	    ev->type == YAML_SEQUENCE_START_EVENT)
		return at(ld, ev->start_mark.line,
		    "expected a mapping of sections");
	return 0;
}

/* Lay the YAML text of file over root. Returns 0 or -1. */
static int
parse_config(json_t *root, const char *file, const struct qgtm_buf *text)
{
	struct load ld = { .file = file, .text = text, .root = root };
	int docs = 0, rc;

	if (!yaml_parser_initialize(&ld.parser))
		return qgtm_seterr(QGTM_EX_OSERR,
		    "cannot set up the YAML parser");
	yaml_parser_set_input_string(&ld.parser, (const unsigned char *)
	    (text->data != NULL ? text->data : ""), text->len);
	ld.seen = json_object();
	rc = each_event(&ld, YAML_STREAM_END_EVENT, load_stream_event, &docs);
	json_decref(ld.seen);
	yaml_parser_delete(&ld.parser);
	return rc;
}

/* ------------------------------------------------------------ lookup -- */

/* Read fd to its end into b; -1 with errno set (EFBIG past b's cap). */
static int
slurp(int fd, struct qgtm_buf *b)
{
	char chunk[4096];
	ssize_t n;
	int rc = 0;

	while (rc == 0 && (n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n == -1)
			rc = errno == EINTR ? 0 : -1;
		else if (qgtm_buf_add(b, chunk, (size_t)n) == -1) {
			errno = EFBIG;
			rc = -1;
		}
	}
	explicit_bzero(chunk, sizeof chunk);    /* it may hold a secret */
	return rc;
}

/*
 * Read the config file path into b: 1 when read, 0 when it is absent and
 * not required, -1 on error.
 */
static int
read_config(const char *path, int required, struct qgtm_buf *b)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 1;

	if (fd == -1 && !required && (errno == ENOENT || errno == ENOTDIR))
		return 0;
	if (fd == -1 || slurp(fd, b) == -1)
		rc = qgtm_seterr_errno(QGTM_EX_CONFIG,
		    "cannot read config '%s'", path);
	if (fd != -1)
		close(fd);
	return rc;
}

/* A place a config file may be. */
struct source {
	char *path;             /* owned */
	const char *origin;
	int required;           /* unreadable is an error, not skipped */
};

/* The candidate files in lookup order into src (4); their number. */
static size_t
find_sources(const char *explicit_path, struct source *src)
{
	const char *env = getenv("QGTM_CONFIG");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	size_t n = 0;

	if (explicit_path != NULL)
		src[n++] = (struct source){ qgtm_xstrdup(explicit_path), "-c",
		    1 };
	if (env != NULL && *env != '\0')
		src[n++] = (struct source){ qgtm_xstrdup(env), "QGTM_CONFIG",
		    1 };
	/* The XDG Base Directory spec ignores a relative XDG_CONFIG_HOME. */
	if (xdg != NULL && *xdg == '/')
		src[n++] = (struct source){ qgtm_xasprintf("%s/qgtm/qgtm.yaml",
		    xdg), "XDG_CONFIG_HOME", 0 };
	else if (home != NULL && *home != '\0')
		src[n++] = (struct source){ qgtm_xasprintf(
		    "%s/.config/qgtm/qgtm.yaml", home), "HOME", 0 };
	src[n++] = (struct source){ qgtm_xstrdup(qgtm_cfg_system_file),
	    "/etc", 0 };
	return n;
}

int
qgtm_cfg_load(struct qgtm_cfg *cfg, const char *explicit_path)
{
	struct source src[4];
	struct qgtm_buf text;
	size_t i, n = find_sources(explicit_path, src);
	int rc = 0;

	cfg->root = defaults_root();
	cfg->path = NULL;
	cfg->origin = qgtm_xstrdup("defaults");
	qgtm_buf_init(&text, MAX_CONFIG_BYTES);
	for (i = 0; i < n; i++)
		if ((rc = read_config(src[i].path, src[i].required, &text)) != 0)
			break;
	if (rc == 1 && (rc = parse_config(cfg->root, src[i].path,
	    &text)) == 0) {
		cfg->path = src[i].path;        /* taken over */
		src[i].path = NULL;
		free(cfg->origin);
		cfg->origin = qgtm_xstrdup(src[i].origin);
	}
	for (i = 0; i < n; i++)
		free(src[i].path);
	qgtm_buf_release(&text);
	if (rc == -1)
		qgtm_cfg_release(cfg);
	return rc;
}

void
qgtm_cfg_release(struct qgtm_cfg *cfg)
{
	json_decref(cfg->root);
	free(cfg->path);
	free(cfg->origin);
	cfg->root = NULL;
	cfg->path = NULL;
	cfg->origin = NULL;
}

/* ----------------------------------------------------------- getters -- */

/*
 * The value of the schema key path, which must be of type want (a dec
 * may be read as a str). Anything else is a bug.
 */
static json_t *
lookup(const struct qgtm_cfg *cfg, const char *path, enum qgtm_cfg_type want)
{
	const struct qgtm_cfg_key *k = key_find(path);
	const char *leaf;
	json_t *obj, *v = NULL;

	if (k == NULL)
		bug("config key '%s' is not in the schema", path);
	if (k->type != want &&
	    !(want == QGTM_CFG_STR && k->type == QGTM_CFG_DEC))
		bug("config key '%s' is a %s, read as a %s", path,
		    type_name[k->type], type_name[want]);
	if (cfg != NULL && (obj = parent_of(cfg->root, path, 0, &leaf)) != NULL)
		v = json_object_get(obj, leaf);
	if (v == NULL)
		bug("config key '%s' read from a config not loaded", path);
	return v;
}

const char *
qgtm_cfg_str(const struct qgtm_cfg *cfg, const char *path)
{
	return json_string_value(lookup(cfg, path, QGTM_CFG_STR));
}

long long
qgtm_cfg_int(const struct qgtm_cfg *cfg, const char *path)
{
	return json_integer_value(lookup(cfg, path, QGTM_CFG_INT));
}

double
qgtm_cfg_num(const struct qgtm_cfg *cfg, const char *path)
{
	return json_real_value(lookup(cfg, path, QGTM_CFG_NUM));
}

int
qgtm_cfg_bool(const struct qgtm_cfg *cfg, const char *path)
{
	return json_is_true(lookup(cfg, path, QGTM_CFG_BOOL));
}

json_t *
qgtm_cfg_list(const struct qgtm_cfg *cfg, const char *path)
{
	return lookup(cfg, path, QGTM_CFG_LIST);
}

int
qgtm_cfg_dec(const struct qgtm_cfg *cfg, const char *path, int scale,
    int64_t *out)
{
	const char *s = json_string_value(lookup(cfg, path, QGTM_CFG_DEC));
	char why[256];

	if (qgtm_dec_parse(s, scale, out) == 0)
		return 0;
	snprintf(why, sizeof why, "%s", qgtm_errmsg());
	return qgtm_seterr(QGTM_EX_CONFIG, "config key %s: %s", path, why);
}

/* ----------------------------------------------------------- printer -- */

/* A YAML double-quoted scalar. */
static void
print_quoted(FILE *out, const char *s)
{
	unsigned char c;

	fputc('"', out);
	for (; (c = (unsigned char)*s) != '\0'; s++) {
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* A list item: plain when it is a simple word, else quoted. */
static void
print_item(FILE *out, const char *s)
{
	static const char word[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/-";

	if (isalnum((unsigned char)*s) && s[strspn(s, word)] == '\0')
		fputs(s, out);
	else
		print_quoted(out, s);
}

/* The shortest %g text that reads back as exactly d. */
static void
print_num(FILE *out, double d)
{
	char buf[32];
	int prec;

	for (prec = 15; prec < 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	if (prec == 17)
		snprintf(buf, sizeof buf, "%.17g", d);
	fputs(buf, out);
}

static void
print_value(FILE *out, json_t *v)
{
	json_t *item;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_STRING:
		print_quoted(out, json_string_value(v));
		break;
	case JSON_INTEGER:
		fprintf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		print_num(out, json_real_value(v));
		break;
	case JSON_ARRAY:
		fputc('[', out);
		json_array_foreach(v, i, item) {
			fputs(i > 0 ? ", " : "", out);
			print_item(out, json_string_value(item));
		}
		fputc(']', out);
		break;
	default:
		fputs(json_is_true(v) ? "true" : "false", out);
		break;
	}
}

static void
print_section(FILE *out, json_t *obj, int indent)
{
	const char *name;
	json_t *v;

	json_object_foreach(obj, name, v) {
		fprintf(out, "%*s%s:", indent, "", name);
		if (json_is_object(v)) {
			fputc('\n', out);
			print_section(out, v, indent + 2);
		} else {
			fputc(' ', out);
			print_value(out, v);
			fputc('\n', out);
		}
	}
}

int
qgtm_cfg_print(const struct qgtm_cfg *cfg, FILE *out)
{
	if (cfg->path != NULL)
		fprintf(out, "# config: %s (%s)\n", cfg->path, cfg->origin);
	else
		fputs("# config: built-in defaults\n", out);
	print_section(out, cfg->root, 0);
	if (fflush(out) != 0 || ferror(out))
		return qgtm_seterr_errno(QGTM_EX_IOERR,
		    "cannot write the config");
	return 0;
}

/* ----------------------------------------------------------- secrets -- */

/* A key file must be a regular file that only its owner may use. */
static int
check_key_file(int fd, const char *path)
{
	struct stat st;

	if (fstat(fd, &st) == -1)
		return qgtm_seterr_errno(QGTM_EX_CONFIG,
		    "cannot read key file '%s'", path);
	if (!S_ISREG(st.st_mode))
		return qgtm_seterr(QGTM_EX_NOPERM,
		    "key file '%s' is not a regular file", path);
	if ((st.st_mode & 077) != 0)
		return qgtm_seterr(QGTM_EX_NOPERM,
		    "key file '%s' has mode %04o; must be 0600", path,
		    (unsigned)(st.st_mode & 07777));
	return 0;
}

/* The key file's content without trailing whitespace (a new allocation). */
static char *
read_key_file(const char *path)
{
	struct qgtm_buf b;
	int fd, rc;

	/* O_NONBLOCK: a FIFO in the key's place must not hang the open. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		qgtm_seterr_errno(errno == EACCES ? QGTM_EX_NOPERM :
		    QGTM_EX_CONFIG, "cannot open key file '%s'", path);
		return NULL;
	}
	qgtm_buf_init(&b, MAX_SECRET_BYTES);
	if ((rc = check_key_file(fd, path)) == 0 && slurp(fd, &b) == -1)
		rc = qgtm_seterr_errno(QGTM_EX_CONFIG,
		    "cannot read key file '%s'", path);
	close(fd);
	while (b.len > 0 && isspace((unsigned char)b.data[b.len - 1]))
		b.data[--b.len] = '\0';
	if (rc == 0 && b.len == 0)
		rc = qgtm_seterr(QGTM_EX_CONFIG, "key file '%s' is empty",
		    path);
	if (rc == 0)
		return qgtm_buf_detach(&b);
	if (b.data != NULL)
		explicit_bzero(b.data, b.cap);
	qgtm_buf_release(&b);
	return NULL;
}

char *
qgtm_cfg_secret(const struct qgtm_cfg *cfg, const char *env,
    const char *file_key)
{
	const char *path = qgtm_cfg_str(cfg, file_key);
	const char *val = getenv(env);
	char *secret;

	if (val != NULL && *val != '\0')
		secret = qgtm_xstrdup(val);
	else if (*path == '\0') {
		qgtm_seterr(QGTM_EX_CONFIG,
		    "secret not configured: set %s or %s", env, file_key);
		return NULL;
	} else if ((secret = read_key_file(path)) == NULL)
		return NULL;
	qgtm_secret_register(secret);
	return secret;
}
