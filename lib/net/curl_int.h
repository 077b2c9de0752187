/*
 * net/curl_int.h: internal to lib/net/: libcurl, loaded on first use.
 *
 * Linking libcurl makes every program load its ~30 shared libraries at
 * start-up (TLS, Kerberos, LDAP, SSH, ...): about 5.5 ms of CPU for each
 * process, most of a qgtm program's start-up, though most runs never
 * speak HTTP. So lib/net calls libcurl only through the table qgtm_curl,
 * which qgtm_curl_load fills with dlopen(3) the first time a transfer or
 * a URL needs it. The types and constants still come from <curl/curl.h>,
 * so the calls are checked against the headers the build used; the
 * library loaded must be at least that version.
 * Included only by lib/net/.
 */
#ifndef QGTM_NET_CURL_INT_H
#define QGTM_NET_CURL_INT_H

#include <curl/curl.h>
#include <time.h>

/* The libcurl functions lib/net calls, each named as in libcurl without
 * its "curl_" prefix (curl_easy_setopt is qgtm_curl.easy_setopt). */
struct qgtm_curl_api {
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	void (*free)(void *);
	time_t (*getdate)(const char *, const time_t *);
	CURLU *(*url)(void);
	CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
	CURLUcode (*url_get)(const CURLU *, CURLUPart, char **, unsigned int);
	void (*url_cleanup)(CURLU *);
};

/* The table; its pointers are NULL until qgtm_curl_load returns 0. */
extern struct qgtm_curl_api qgtm_curl;

/*
 * qgtm_curl_load: load libcurl (its soname, libcurl.so.4) and fill
 * qgtm_curl, once a process; later calls return at once. Returns 0, or
 * -1 (QGTM_EX_SOFTWARE) with one line naming the library and what
 * failed: not found, a function missing, or older than the build's
 * headers. Not thread-safe, like curl_global_init (our programs call it
 * from one thread).
 */
int qgtm_curl_load(void);

#endif /* QGTM_NET_CURL_INT_H */
