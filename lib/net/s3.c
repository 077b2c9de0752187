/*
 * s3.c: the S3 calls of the audit export and the published checkpoints,
 * through libcurl with its own SigV4 signing (CURLOPT_AWS_SIGV4): PUT of
 * an object under Object Lock in COMPLIANCE mode, with Content-MD5 (S3
 * answers 400 MissingUploadObjectWithObjectLockHeaders to an Object Lock
 * upload without Content-MD5 or an SDK checksum: moto's
 * s3/responses.py, and AWS's PutObject page) and x-amz-checksum-sha256,
 * then GetObjectRetention to read the lock back; GET of the bucket's
 * Object Lock configuration; ListObjectVersions and GetObject for the
 * newest checkpoint; and the probe of lock-status --probe (DeleteObject
 * and PutObjectRetention on its own object, which S3 must refuse).
 * Queries are written in SigV4's canonical form (sorted, URI-encoded,
 * "k=v"), which libcurl 7.x signs as it is; so are object keys in the
 * path (see qgtm_s3_url). A 500 or 503 (SlowDown) is retried under the
 * shared policy, qgtm_http_retry_wait.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "net/curl_int.h"
#include <openssl/evp.h>

#include "net/net.h"

#define RESP_MAX (1024 * 1024)
/* SHA-256 of the empty payload, signed for a GET. */
#define EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

int
qgtm_s3_open(struct qgtm_s3 *s3, const struct qgtm_cfg *cfg, const char *url)
{
	const char *slash;

	memset(s3, 0, sizeof *s3);
	if (qgtm_curl_load() == -1)
		return -1;
	if (url == NULL || *url == '\0')
		url = qgtm_cfg_str(cfg, "audit.export_to");
	if (strncmp(url, "s3://", 5) != 0 || url[5] == '\0' || url[5] == '/')
		return qgtm_seterr(QGTM_EX_USAGE, "'%s': not s3://bucket/prefix "
		    "(set audit.export_to or give --to)", url);
	slash = strchr(url + 5, '/');
	s3->bucket = slash == NULL ? qgtm_xstrdup(url + 5) :
	    qgtm_xasprintf("%.*s", (int)(slash - url - 5), url + 5);
	s3->prefix = qgtm_xstrdup(slash == NULL ? "" : slash + 1);
	s3->endpoint = qgtm_xstrdup(qgtm_cfg_str(cfg, "audit.s3_endpoint"));
	s3->region = qgtm_xstrdup(qgtm_cfg_str(cfg, "audit.s3_region"));
	qgtm_http_req_init(&s3->retry, cfg);
	s3->access_key = qgtm_cfg_secret(cfg, "AWS_ACCESS_KEY_ID",
	    "audit.s3_access_key_file");
	s3->secret_key = s3->access_key == NULL ? NULL : qgtm_cfg_secret(cfg,
	    "AWS_SECRET_ACCESS_KEY", "audit.s3_secret_key_file");
	if (s3->secret_key != NULL)
		return 0;
	qgtm_s3_release(s3);
	return -1;
}

void
qgtm_s3_release(struct qgtm_s3 *s3)
{
	free(s3->bucket);
	free(s3->prefix);
	free(s3->endpoint);
	free(s3->region);
	free(s3->access_key);
	free(s3->secret_key);
	memset(s3, 0, sizeof *s3);
}

static char *uri_encode(const char *s, const char *keep);

/*
 * The URL of key (NULL: the bucket itself) and query (or NULL). The key
 * is URI-encoded as SigV4's canonical URI has it: every byte but
 * A-Z a-z 0-9 - _ . ~ and '/' as %XX, once for S3 ("Create a signed AWS
 * API request", https://docs.aws.amazon.com/IAM/latest/UserGuide/
 * create-signed-request.html), as libcurl 7.x signs the path as it is
 * sent. A bucket name with a dot goes path-style: the wildcard
 * certificate of *.s3.REGION.amazonaws.com matches no dotted name
 * ("Virtual hosting of buckets", https://docs.aws.amazon.com/AmazonS3/
 * latest/userguide/VirtualHosting.html).
 */
char *
qgtm_s3_url(const struct qgtm_s3 *s3, const char *key, const char *query)
{
	const char *slash = key != NULL ? "/" : "";
	char *k = uri_encode(key != NULL ? key : "", "/"), *base, *url;

	if (*s3->endpoint != '\0')
		base = qgtm_xasprintf("%s/%s%s", s3->endpoint, s3->bucket,
		    slash);
	else if (strchr(s3->bucket, '.') != NULL)
		base = qgtm_xasprintf("https://s3.%s.amazonaws.com/%s%s",
		    s3->region, s3->bucket, slash);
	else
		base = qgtm_xasprintf("https://%s.s3.%s.amazonaws.com/",
		    s3->bucket, s3->region);
	url = qgtm_xasprintf("%s%s%s%s", base, k, query != NULL ? "?" : "",
	    query != NULL ? query : "");
	free(base);
	free(k);
	return url;
}

static int s3_do_head(const struct qgtm_s3 *, const char *, const char *,
    struct curl_slist *, const void *, size_t, long *, struct qgtm_buf *,
    struct qgtm_buf *);

/* Collect a response body (CURLOPT_WRITEFUNCTION). */
static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
	return qgtm_buf_add(arg, p, size * n) == 0 ? size * n : 0;
}

/* The text of the first <tag> of xml into out (size bytes), or "". */
static const char *
xml_text(const char *xml, const char *tag, char *out, size_t size)
{
	char *open = qgtm_xasprintf("<%s>", tag);
	const char *p = xml != NULL ? strstr(xml, open) : NULL, *end = NULL;

	if (p != NULL) {
		p += strlen(open);
		end = strchr(p, '<');
	}
	snprintf(out, size, "%.*s", end != NULL ? (int)(end - p) : 0,
	    end != NULL ? p : "");
	free(open);
	return out;
}

/* The error for status (and S3's XML error in body) of what. */
static int
s3_error(long status, const struct qgtm_buf *body, const char *what)
{
	char code[128], msg[512];
	const char *xml = body->len > 0 ? body->data : NULL;

	xml_text(xml, "Code", code, sizeof code);
	xml_text(xml, "Message", msg, sizeof msg);
	return qgtm_seterr(status == 403 ? QGTM_EX_NOPERM : QGTM_EX_UNAVAILABLE,
	    "%s: HTTP %ld %s%s%s", what, status, code, *msg ? ": " : "", msg);
}

/*
 * One signed request: method at url with headers and body (n bytes, or
 * NULL for none). *status and resp (NUL-terminated) get the answer.
 */
static int
s3_do(const struct qgtm_s3 *s3, const char *method, const char *url,
    struct curl_slist *headers, const void *body, size_t n, long *status,
    struct qgtm_buf *resp)
{
	return s3_do_head(s3, method, url, headers, body, n, status, resp,
	    NULL);
}

/*
 * S3 answers 503 SlowDown to a request rate it will not take now, and
 * 500 InternalError at times: both are to be retried after an
 * exponential backoff ("Error responses", https://docs.aws.amazon.com/
 * AmazonS3/latest/API/ErrorResponses.html; "Retry behavior",
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior
 * .html). S3 sends no Retry-After. The wait before the next attempt after
 * status (attempt tries + 1, waited ms of waits so far), or -1: the one
 * policy of every HTTP client.
 */
static long
s3_retry_wait(const struct qgtm_s3 *s3, int tries, long status, long waited)
{
	struct qgtm_http_resp r;

	qgtm_http_resp_init(&r);
	r.status = status;
	r.attempts = tries + 1;
	r.waited_ms = waited;
	return qgtm_http_retry_wait(&s3->retry, &r);
}

/* s3_do, also collecting the response's header lines into hdrs (if not
 * NULL); a HEAD asks for no body. A 500 or 503 is retried (see
 * s3_retry_wait); no answer at all is not. */
static int
s3_do_head(const struct qgtm_s3 *s3, const char *method, const char *url,
    struct curl_slist *headers, const void *body, size_t n, long *status,
    struct qgtm_buf *resp, struct qgtm_buf *hdrs)
{
	char *sigv4 = qgtm_xasprintf("aws:amz:%s:s3", s3->region);
	char *userpwd = qgtm_xasprintf("%s:%s", s3->access_key, s3->secret_key);
	CURL *c = qgtm_curl.easy_init();
	CURLcode rc = CURLE_FAILED_INIT;
	long wait, waited = 0;
	struct timespec ts;
	int tries;

	if (c != NULL) {
		qgtm_curl.easy_setopt(c, CURLOPT_URL, url);
		qgtm_curl.easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
		qgtm_curl.easy_setopt(c, CURLOPT_AWS_SIGV4, sigv4);
		qgtm_curl.easy_setopt(c, CURLOPT_USERPWD, userpwd);
		qgtm_curl.easy_setopt(c, CURLOPT_HTTPHEADER, headers);
		qgtm_curl.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
		qgtm_curl.easy_setopt(c, CURLOPT_TIMEOUT_MS, 60000L);
		qgtm_curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
		qgtm_curl.easy_setopt(c, CURLOPT_WRITEDATA, resp);
		if (hdrs != NULL) {
			qgtm_curl.easy_setopt(c, CURLOPT_HEADERFUNCTION,
			    collect);
			qgtm_curl.easy_setopt(c, CURLOPT_HEADERDATA, hdrs);
		}
		if (strcmp(method, "HEAD") == 0)
			qgtm_curl.easy_setopt(c, CURLOPT_NOBODY, 1L);
		if (body != NULL) {
			qgtm_curl.easy_setopt(c, CURLOPT_POSTFIELDS, body);
			qgtm_curl.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
			    (curl_off_t)n);
		}
		for (tries = 0;; tries++) {
			qgtm_buf_reset(resp);
			if (hdrs != NULL)
				qgtm_buf_reset(hdrs);
			*status = 0;
			rc = qgtm_curl.easy_perform(c);
			qgtm_curl.easy_getinfo(c, CURLINFO_RESPONSE_CODE,
			    status);
			if (rc != CURLE_OK || (wait = s3_retry_wait(s3, tries,
			    *status, waited)) < 0)
				break;
			ts.tv_sec = wait / 1000;
			ts.tv_nsec = wait % 1000 * 1000000L;
			nanosleep(&ts, NULL);
			waited += wait;
		}
		qgtm_curl.easy_cleanup(c);
	}
	free(sigv4);
	free(userpwd);
	if (rc != CURLE_OK)
		return qgtm_seterr(QGTM_EX_TEMPFAIL, "%s %s: %s", method,
		    s3->bucket, qgtm_curl.easy_strerror(rc));
	return qgtm_buf_add(resp, "", 1) == 0 ? (resp->len--, 0) : -1;
}

/* Add "name: value" to the list *l. */
static void
header(struct curl_slist **l, const char *name, const char *value)
{
	char *h = qgtm_xasprintf("%s: %s", name, value);
	struct curl_slist *n = qgtm_curl.slist_append(*l, h);

	free(h);
	if (n == NULL)
		qgtm_die(QGTM_EX_OSERR, "out of memory");
	*l = n;
}

/* One GET of url into resp (NUL-terminated); -1 unless it answers 200. */
static int
s3_get(const struct qgtm_s3 *s3, const char *url, const char *what,
    struct qgtm_buf *resp)
{
	struct curl_slist *h = NULL;
	long status = 0;
	int rc;

	header(&h, "x-amz-content-sha256", EMPTY_SHA256);
	rc = s3_do(s3, "GET", url, h, NULL, 0, &status, resp);
	if (rc == 0 && status != 200)
		rc = s3_error(status, resp, what);
	qgtm_curl.slist_free_all(h);
	return rc;
}

/* s with every byte but A-Z a-z 0-9 - _ . ~ and those of keep as %XX
 * (SigV4's URI encoding): a new allocation (free()). */
static char *
uri_encode(const char *s, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = qgtm_xmalloc(3 * strlen(s) + 1), *o = out;

	for (; *s != '\0'; s++)
		if (strchr("-_.~", *s) != NULL || strchr(keep, *s) != NULL ||
		    (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9'))
			*o++ = *s;
		else {
			*o++ = '%';
			*o++ = hex[(unsigned char)*s >> 4];
			*o++ = hex[*s & 15];
		}
	*o = '\0';
	return out;
}

/* The value of header name (lower case, with ": ") in the header lines
 * hdrs into out (size bytes), or "". */
static void
header_value(const struct qgtm_buf *hdrs, const char *name, char *out,
    size_t size)
{
	const char *p = hdrs->data, *end;
	size_t len = strlen(name);

	*out = '\0';
	for (; p != NULL && *p != '\0'; p = end + (*end != '\0')) {
		end = p + strcspn(p, "\n");
		if ((size_t)(end - p) > len && strncasecmp(p, name, len) == 0) {
			snprintf(out, size, "%.*s", (int)(end - p - len), p + len);
			out[strcspn(out, "\r")] = '\0';
			return;
		}
	}
}

/* The query first (or none) with versionId=version (none when version is
 * NULL or ""), canonical as "retention" sorts before "versionId": a new
 * string, or NULL for no query at all. */
static char *
version_query(const char *first, const char *version)
{
	char *v, *q;

	if (version == NULL || *version == '\0')
		return first != NULL ? qgtm_xstrdup(first) : NULL;
	v = uri_encode(version, "");
	q = qgtm_xasprintf("%s%sversionId=%s", first != NULL ? first : "",
	    first != NULL ? "&" : "", v);
	free(v);
	return q;
}

/* What HeadObject shows of key's lock (the x-amz-object-lock-* and
 * x-amz-version-id headers) into lk; its mode and until only where lk
 * has none. */
static int
head_lock(const struct qgtm_s3 *s3, const char *key, const char *version,
    struct qgtm_s3_lock *lk)
{
	char *q = version_query(NULL, version), *url = qgtm_s3_url(s3, key, q);
	struct curl_slist *h = NULL;
	struct qgtm_buf resp, hdrs;
	long status = 0;
	int rc;

	header(&h, "x-amz-content-sha256", EMPTY_SHA256);
	qgtm_buf_init(&resp, RESP_MAX);
	qgtm_buf_init(&hdrs, RESP_MAX);
	rc = s3_do_head(s3, "HEAD", url, h, NULL, 0, &status, &resp, &hdrs);
	if (rc == 0 && status != 200)
		rc = s3_error(status, &resp, key);
	if (rc == 0 && qgtm_buf_add(&hdrs, "", 1) == 0) {
		if (*lk->mode == '\0')
			header_value(&hdrs, "x-amz-object-lock-mode: ",
			    lk->mode, sizeof lk->mode);
		if (*lk->until == '\0')
			header_value(&hdrs, "x-amz-object-lock-retain-until-"
			    "date: ", lk->until, sizeof lk->until);
		header_value(&hdrs, "x-amz-object-lock-legal-hold: ",
		    lk->legal_hold, sizeof lk->legal_hold);
		header_value(&hdrs, "x-amz-version-id: ", lk->version,
		    sizeof lk->version);
	}
	qgtm_buf_release(&hdrs);
	qgtm_buf_release(&resp);
	qgtm_curl.slist_free_all(h);
	free(url);
	free(q);
	return rc;
}

int
qgtm_s3_retention(const struct qgtm_s3 *s3, const char *key,
    const char *version, struct qgtm_s3_lock *lk)
{
	char *q = version_query("retention=", version), code[64];
	char *url = qgtm_s3_url(s3, key, q);
	struct curl_slist *h = NULL;
	struct qgtm_buf resp;
	long status = 0;
	int rc;

	memset(lk, 0, sizeof *lk);
	header(&h, "x-amz-content-sha256", EMPTY_SHA256);
	qgtm_buf_init(&resp, RESP_MAX);
	rc = s3_do(s3, "GET", url, h, NULL, 0, &status, &resp);
	qgtm_curl.slist_free_all(h);
	/* An object without retention: S3 says so with this 404. */
	if (rc == 0 && status == 404 && strcmp(xml_text(resp.data, "Code",
	    code, sizeof code), "NoSuchObjectLockConfiguration") == 0)
		status = 0;
	else if (rc == 0 && status != 200)
		rc = s3_error(status, &resp, key);
	/* No Retention document (moto 5 serves the object itself to
	 * ?retention): HeadObject's lock headers say the same. */
	if (rc == 0 && status == 200 && strstr(resp.data, "<Retention") !=
	    NULL) {
		xml_text(resp.data, "Mode", lk->mode, sizeof lk->mode);
		xml_text(resp.data, "RetainUntilDate", lk->until,
		    sizeof lk->until);
	}
	if (rc == 0)
		rc = head_lock(s3, key, version, lk);
	qgtm_buf_release(&resp);
	free(url);
	free(q);
	return rc;
}

/* Read key's lock back into *lk: COMPLIANCE until want or later? */
static int
locked_until(const struct qgtm_s3 *s3, const char *key, const char *want,
    struct qgtm_s3_lock *lk)
{
	time_t got, need;

	if (qgtm_s3_retention(s3, key, NULL, lk) == -1)
		return -1;
	if (strcmp(lk->mode, "COMPLIANCE") != 0 || qgtm_time_parse(lk->until,
	    &got) == -1 || qgtm_time_parse(want, &need) == -1 || got < need)
		return qgtm_seterr(QGTM_EX_NO, "%s: uploaded, but its retention "
		    "read back is mode '%s' until '%s', not COMPLIANCE until %s",
		    key, lk->mode, lk->until, want);
	return 0;
}

/* The base64 MD5 of the n bytes at p into b64 (Content-MD5). */
static int
md5_base64(const void *p, size_t n, unsigned char b64[25])
{
	unsigned char md5[16];

	if (EVP_Digest(p, n, md5, NULL, EVP_md5(), NULL) != 1)
		return qgtm_seterr(QGTM_EX_SOFTWARE, "cannot compute MD5");
	EVP_EncodeBlock(b64, md5, 16);
	return 0;
}

/*
 * AWS's PutObject: "The Content-MD5 or x-amz-sdk-checksum-algorithm
 * header is required for any request to upload an object with a
 * retention period configured using Amazon S3 Object Lock"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html);
 * without, S3 answers 400 InvalidRequest "Content-MD5 OR x-amz-checksum-
 * HTTP header is required for Put Object requests with Object Lock
 * parameters". Both are sent: Content-MD5, and the SDK's SHA-256.
 */
int
qgtm_s3_put_locked(const struct qgtm_s3 *s3, const char *key,
    const void *body, size_t n, const char *retain_until,
    struct qgtm_s3_lock *got)
{
	unsigned char md[32], b64[45], b64md5[25];
	struct curl_slist *h = NULL;
	struct qgtm_s3_lock lk;
	char hex[65], *url;
	struct qgtm_buf resp;
	long status = 0;
	int rc;

	qgtm_sha256_cat(body, n, "", 0, md);
	qgtm_hash_hex(md, hex);
	EVP_EncodeBlock(b64, md, 32);
	if (md5_base64(body, n, b64md5) == -1)
		return -1;
	header(&h, "Content-Type", "application/octet-stream");
	header(&h, "Content-MD5", (char *)b64md5);
	header(&h, "x-amz-content-sha256", hex);
	header(&h, "x-amz-sdk-checksum-algorithm", "SHA256");
	header(&h, "x-amz-checksum-sha256", (char *)b64);
	header(&h, "x-amz-object-lock-mode", "COMPLIANCE");
	header(&h, "x-amz-object-lock-retain-until-date", retain_until);
	url = qgtm_s3_url(s3, key, NULL);
	qgtm_buf_init(&resp, RESP_MAX);
	rc = s3_do(s3, "PUT", url, h, body, n, &status, &resp);
	if (rc == 0 && status != 200)
		rc = s3_error(status, &resp, key);
	if (rc == 0)
		rc = locked_until(s3, key, retain_until, got != NULL ? got :
		    &lk);
	qgtm_buf_release(&resp);
	qgtm_curl.slist_free_all(h);
	free(url);
	return rc;
}

/* The greatest key (and its first, newest, version) so far. */
struct newest {
	char key[1024];
	char version[1024];
};

/* Weigh each <Version> of a ListVersionsResult page. */
static void
newest_of_page(const char *xml, struct newest *nw)
{
	char key[1024], version[1024], *block;
	const char *p = xml, *end;

	while ((p = strstr(p, "<Version>")) != NULL &&
	    (end = strstr(p, "</Version>")) != NULL) {
		block = qgtm_xasprintf("%.*s", (int)(end - p), p);
		xml_text(block, "Key", key, sizeof key);
		xml_text(block, "VersionId", version, sizeof version);
		if (strcmp(key, nw->key) > 0) {
			memcpy(nw->key, key, sizeof key);
			memcpy(nw->version, version, sizeof version);
		}
		free(block);
		p = end;
	}
}

/* The query of a ListObjectVersions page (canonical: keys sorted). */
static char *
list_query(const char *prefix, const char *key_marker, const char *vmarker)
{
	char *p = uri_encode(prefix, ""), *k = uri_encode(key_marker, ""),
	    *v = uri_encode(vmarker, ""), *q;

	q = *key_marker == '\0' ? qgtm_xasprintf("prefix=%s&versions=", p) :
	    qgtm_xasprintf("key-marker=%s&prefix=%s&version-id-marker=%s&"
	    "versions=", k, p, v);
	free(p);
	free(k);
	free(v);
	return q;
}

/* List every version under prefix into nw. */
static int
list_versions(const struct qgtm_s3 *s3, const char *prefix,
    struct newest *nw)
{
	char trunc[16], km[1024] = "", vm[1024] = "", *q, *url;
	struct qgtm_buf resp;
	int rc, pages = 0;

	do {
		q = list_query(prefix, km, vm);
		url = qgtm_s3_url(s3, NULL, q);
		qgtm_buf_init(&resp, RESP_MAX);
		rc = s3_get(s3, url, s3->bucket, &resp);
		if (rc == 0) {
			newest_of_page(resp.data, nw);
			xml_text(resp.data, "IsTruncated", trunc, sizeof trunc);
			xml_text(resp.data, "NextKeyMarker", km, sizeof km);
			xml_text(resp.data, "NextVersionIdMarker", vm,
			    sizeof vm);
		}
		qgtm_buf_release(&resp);
		free(url);
		free(q);
	} while (rc == 0 && strcmp(trunc, "true") == 0 && *km != '\0' &&
	    ++pages < 100000);
	return rc;
}

int
qgtm_s3_newest(const struct qgtm_s3 *s3, const char *sub, char **key,
    char **version, struct qgtm_buf *body)
{
	char *prefix = qgtm_xasprintf("%s%s", s3->prefix, sub), *q, *url;
	struct newest nw = { "", "" };
	int rc;

	*key = NULL;
	if (version != NULL)
		*version = NULL;
	rc = list_versions(s3, prefix, &nw);
	free(prefix);
	if (rc == -1 || nw.key[0] == '\0')
		return rc;
	if (body != NULL) {
		q = version_query(NULL, nw.version);
		url = qgtm_s3_url(s3, nw.key, q);
		rc = s3_get(s3, url, nw.key, body);
		free(url);
		free(q);
		if (rc == -1)
			return -1;
	}
	*key = qgtm_xstrdup(nw.key);
	if (version != NULL)
		*version = qgtm_xstrdup(nw.version);
	return 1;
}

int
qgtm_s3_lock_status(const struct qgtm_s3 *s3, json_t **out)
{
	/* "=" spelt out: libcurl before 8.x signs a bare "object-lock" as
	 * is, while S3 canonicalizes it to "object-lock=". */
	char *url = qgtm_s3_url(s3, NULL, "object-lock="), on[32], mode[32],
	    days[32], years[32];
	struct qgtm_buf resp;
	int rc;

	*out = NULL;
	qgtm_buf_init(&resp, RESP_MAX);
	rc = s3_get(s3, url, s3->bucket, &resp);
	if (rc == 0) {
		xml_text(resp.data, "ObjectLockEnabled", on, sizeof on);
		xml_text(resp.data, "Mode", mode, sizeof mode);
		xml_text(resp.data, "Days", days, sizeof days);
		xml_text(resp.data, "Years", years, sizeof years);
		*out = json_pack("{s:s, s:s, s:b, s:s}", "type",
		    "audit_lock_status", "bucket", s3->bucket, "enabled",
		    strcmp(on, "Enabled") == 0, "mode", mode);
		if (*days != '\0')
			json_object_set_new(*out, "days",
			    json_integer(strtoll(days, NULL, 10)));
		if (*years != '\0')
			json_object_set_new(*out, "years",
			    json_integer(strtoll(years, NULL, 10)));
		if (strcmp(on, "Enabled") != 0 || strcmp(mode, "COMPLIANCE") != 0
		    || (*days == '\0' && *years == '\0'))
			rc = qgtm_seterr(QGTM_EX_NO, "%s: Object Lock is not on in "
			    "COMPLIANCE mode with a default retention (enabled "
			    "'%s', mode '%s')", s3->bucket, on, mode);
	}
	qgtm_buf_release(&resp);
	free(url);
	return rc;
}

/* One request of the probe: method at url with body (NULL: none, else
 * with its Content-MD5, which PutObjectRetention requires); its status
 * into *status and S3's error code into code (64 bytes). */
static int
probe_one(const struct qgtm_s3 *s3, const char *method, const char *url,
    const char *body, long *status, char code[64])
{
	size_t n = body != NULL ? strlen(body) : 0;
	unsigned char md[32], b64md5[25];
	struct curl_slist *h = NULL;
	struct qgtm_buf resp;
	char hex[65];
	int rc = 0;

	*code = '\0';
	qgtm_sha256_cat(body != NULL ? body : "", n, "", 0, md);
	qgtm_hash_hex(md, hex);
	header(&h, "x-amz-content-sha256", hex);
	if (body != NULL && (rc = md5_base64(body, n, b64md5)) == 0) {
		header(&h, "Content-MD5", (char *)b64md5);
		header(&h, "Content-Type", "application/xml");
	}
	qgtm_buf_init(&resp, RESP_MAX);
	if (rc == 0)
		rc = s3_do(s3, method, url, h, body, n, status, &resp);
	if (rc == 0)
		xml_text(resp.data, "Code", code, 64);
	qgtm_buf_release(&resp);
	qgtm_curl.slist_free_all(h);
	return rc;
}

/* What an answer to a forbidden request says: 403 refused it. */
static const char *
verdict(long status)
{
	if (status == 403)
		return "refused";
	return status / 100 == 2 ? "accepted" : "unclear";
}

/*
 * Under COMPLIANCE "no user, including the root user in your AWS
 * account, can overwrite or delete a protected object version" and "its
 * retention period can't be shortened" ("Object Lock retention modes",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/
 * object-lock.html); S3 answers such a request 403 AccessDenied.
 */
int
qgtm_s3_probe(const struct qgtm_s3 *s3, const char *key,
    const char *retain_until, json_t **out)
{
	char shorter[21], dcode[64] = "", scode[64] = "", *q, *url, *doc;
	struct qgtm_s3_lock lk;
	long ds = 0, ss = 0;
	time_t t;
	int rc;

	*out = NULL;
	if (qgtm_s3_put_locked(s3, key, "probe\n", 6, retain_until, &lk) ==
	    -1)
		return -1;
	if (*lk.version == '\0')
		return qgtm_seterr(QGTM_EX_NO, "%s: S3 gives no version id: "
		    "the bucket keeps no versions, so Object Lock is off", key);
	if (qgtm_time_parse(lk.until, &t) == -1)
		t = 0;
	qgtm_time_fmt(t - 24 * 3600, shorter);
	doc = qgtm_xasprintf("<Retention xmlns=\"http://s3.amazonaws.com/doc/"
	    "2006-03-01/\"><Mode>COMPLIANCE</Mode><RetainUntilDate>%s"
	    "</RetainUntilDate></Retention>", shorter);
	q = version_query("retention=", lk.version);
	url = qgtm_s3_url(s3, key, q);
	rc = probe_one(s3, "PUT", url, doc, &ss, scode);
	free(url);
	free(q);
	q = version_query(NULL, lk.version);
	url = qgtm_s3_url(s3, key, q);
	if (rc == 0)
		rc = probe_one(s3, "DELETE", url, NULL, &ds, dcode);
	free(url);
	free(q);
	free(doc);
	if (rc == -1)
		return -1;
	*out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:I, s:s, "
	    "s:s}", "type", "audit_lock_probe", "bucket", s3->bucket, "key",
	    key, "version_id", lk.version, "delete", verdict(ds),
	    "delete_status", (json_int_t)ds, "delete_code", dcode, "shorten",
	    verdict(ss), "shorten_status", (json_int_t)ss, "shorten_code",
	    scode, "shorten_to", shorter);
	if (ds / 100 == 2 || ss / 100 == 2)
		return qgtm_seterr(QGTM_EX_NO, "%s: S3 accepted %s%s%s of a "
		    "locked version: Object Lock does not hold", key,
		    ss / 100 == 2 ? "a shorter retention" : "", ss / 100 == 2 &&
		    ds / 100 == 2 ? " and " : "", ds / 100 == 2 ?
		    "the deletion" : "");
	if (ds != 403 || ss != 403)
		return qgtm_seterr(QGTM_EX_UNAVAILABLE, "%s: S3 answered HTTP "
		    "%ld %s to the deletion and HTTP %ld %s to a shorter "
		    "retention, not 403 AccessDenied", key, ds, dcode, ss,
		    scode);
	return 0;
}
