/*
 * smtp.c: one plain-text mail through libcurl's smtp and smtps (RFC 5321
 * transport, RFC 5322 message), for the weekly digest. The password is
 * a secret: registered, never in an error or a log line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net/curl_int.h"
#include "net/net.h"

/* RFC 5322 2.1.1: at most 998 octets a line, CRLF excluded. */
#define LINE_MAX_OCTETS 998

/* The reader state of curl's upload. */
struct upload {
	const char *p;
	size_t left;
};

/* CURLOPT_READFUNCTION: hand curl the next bytes of the message. */
static size_t
read_cb(char *buf, size_t size, size_t nitems, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nitems < u->left ? size * nitems : u->left;

	memcpy(buf, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

/* Append body to b with CRLF line ends, lines cut at LINE_MAX_OCTETS. */
static int
add_body(struct qgtm_buf *b, const char *body)
{
	size_t col = 0;
	int rc = 0;

	for (; *body != '\0' && rc == 0; body++) {
		if (*body == '\n') {
			rc = qgtm_buf_add(b, "\r\n", 2);
			col = 0;
			continue;
		}
		if (*body == '\r')
			continue;
		if (col == LINE_MAX_OCTETS) {
			rc = qgtm_buf_add(b, "\r\n", 2);
			col = 0;
		}
		if (rc == 0)
			rc = qgtm_buf_add(b, body, 1);
		col++;
	}
	return rc == 0 && col > 0 ? qgtm_buf_add(b, "\r\n", 2) : rc;
}

/* The whole message to one recipient into b. Its Message-ID is unique
 * by time, process and a count of the messages this process made. */
static int
message(struct qgtm_buf *b, const char *from, const char *to,
    const char *subject, const char *body)
{
	static int sent;
	time_t now = qgtm_now();
	char date[64], host[128];
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	if (gethostname(host, sizeof host) == -1)
		snprintf(host, sizeof host, "localhost");
	host[sizeof host - 1] = '\0';
	if (qgtm_buf_addf(b, "From: %s\r\nTo: %s\r\nSubject: %s\r\n"
	    "Date: %s\r\nMessage-ID: <qgtm-%lld-%ld-%d@%s>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n", from, to, subject, date,
	    (long long)now, (long)getpid(), ++sent, host) == -1)
		return -1;
	return add_body(b, body);
}

/* Send the message in b from from to to over the set-up curl. */
static int
send_one(CURL *c, const char *from, const char *to, struct qgtm_buf *b)
{
	struct curl_slist *rcpt = qgtm_curl.slist_append(NULL, to);
	struct upload u = { b->data, b->len };
	CURLcode cc;

	qgtm_curl.easy_setopt(c, CURLOPT_MAIL_FROM, from);
	qgtm_curl.easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	qgtm_curl.easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	qgtm_curl.easy_setopt(c, CURLOPT_READDATA, &u);
	qgtm_curl.easy_setopt(c, CURLOPT_UPLOAD, 1L);
	cc = qgtm_curl.easy_perform(c);
	qgtm_curl.slist_free_all(rcpt);
	if (cc == CURLE_USE_SSL_FAILED)
		return qgtm_seterr(QGTM_EX_UNAVAILABLE, "smtp: the server "
		    "offers no STARTTLS: nothing sent, as TLS is required "
		    "(digest.email.starttls)");
	if (cc != CURLE_OK)
		return qgtm_seterr(QGTM_EX_UNAVAILABLE, "smtp: mail to %s: %s",
		    to, qgtm_curl.easy_strerror(cc));
	return 0;
}

/*
 * The TLS policy of smtp://: STARTTLS required with "always", and
 * whenever a user is set, as the login would otherwise send the password
 * in clear text to a server that offers no STARTTLS (with "try" libcurl
 * goes on without TLS: CURLOPT_USE_SSL, CURLUSESSL_TRY; an AUTH PLAIN
 * initial response carries the password, RFC 4616, RFC 4954). smtps://
 * is TLS from the start.
 */
static long
tls_policy(const struct qgtm_cfg *cfg, const char *user)
{
	if (*user != '\0' || strcmp(qgtm_cfg_str(cfg,
	    "digest.email.starttls"), "always") == 0)
		return (long)CURLUSESSL_ALL;
	return (long)CURLUSESSL_TRY;
}

/* Set up c for the server and login of cfg. Returns 0 or -1. */
static int
setup(CURL *c, const struct qgtm_cfg *cfg, char **password)
{
	const char *url = qgtm_cfg_str(cfg, "digest.email.url");
	const char *user = qgtm_cfg_str(cfg, "digest.email.user");

	*password = NULL;
	if (strncmp(url, "smtp://", 7) != 0 && strncmp(url, "smtps://", 8) != 0)
		return qgtm_seterr(QGTM_EX_CONFIG, "smtp: digest.email.url: "
		    "expected smtp:// or smtps://");
	qgtm_curl.easy_setopt(c, CURLOPT_URL, url);
	qgtm_curl.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	qgtm_curl.easy_setopt(c, CURLOPT_USE_SSL, tls_policy(cfg, user));
	qgtm_curl.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)qgtm_cfg_int(cfg, "http.connect_timeout_ms"));
	qgtm_curl.easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)qgtm_cfg_int(cfg,
	    "http.timeout_ms"));
	if (*user == '\0')
		return 0;
	*password = qgtm_cfg_secret(cfg, "QGTM_SMTP_PASSWORD",
	    "digest.email.password_file");
	if (*password == NULL)
		return -1;
	qgtm_curl.easy_setopt(c, CURLOPT_USERNAME, user);
	qgtm_curl.easy_setopt(c, CURLOPT_PASSWORD, *password);
	return 0;
}

int
qgtm_smtp_send(const struct qgtm_cfg *cfg, const char *subject,
    const char *body)
{
	const char *from = qgtm_cfg_str(cfg, "digest.email.from");
	json_t *to = qgtm_cfg_list(cfg, "digest.email.to"), *v;
	char *password;
	struct qgtm_buf b;
	int rc = 0;
	size_t i;
	CURL *c;

	if (*qgtm_cfg_str(cfg, "digest.email.url") == '\0' ||
	    json_array_size(to) == 0)
		return 1;
	if (qgtm_curl_load() == -1)
		return -1;
	if ((c = qgtm_curl.easy_init()) == NULL)
		return qgtm_seterr(QGTM_EX_SOFTWARE, "smtp: cannot start curl");
	if (setup(c, cfg, &password) == -1) {
		qgtm_curl.easy_cleanup(c);
		return -1;
	}
	json_array_foreach(to, i, v) {
		qgtm_buf_init(&b, 16 * 1024 * 1024);
		if (message(&b, from, json_string_value(v), subject, body) == -1 ||
		    send_one(c, from, json_string_value(v), &b) == -1)
			rc = -1;
		qgtm_buf_release(&b);
	}
	qgtm_curl.easy_cleanup(c);
	free(password);
	return rc;
}
