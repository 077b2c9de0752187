/*
 * net/curl.c: libcurl loaded on first use (see curl_int.h for why).
 */
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "net/curl_int.h"
#include "net/net.h"

/* The soname of libcurl's ABI 4 (every libcurl since 7.16). */
#define CURL_SONAME "libcurl.so.4"

struct qgtm_curl_api qgtm_curl;

/* Each slot of qgtm_curl with the symbol that fills it. */
static const struct {
	const char *sym;
	size_t off;
} curl_syms[] = {
	{ "curl_global_init", offsetof(struct qgtm_curl_api, global_init) },
	{ "curl_easy_init", offsetof(struct qgtm_curl_api, easy_init) },
	{ "curl_easy_setopt", offsetof(struct qgtm_curl_api, easy_setopt) },
	{ "curl_easy_perform", offsetof(struct qgtm_curl_api, easy_perform) },
	{ "curl_easy_getinfo", offsetof(struct qgtm_curl_api, easy_getinfo) },
	{ "curl_easy_cleanup", offsetof(struct qgtm_curl_api, easy_cleanup) },
	{ "curl_easy_strerror",
	    offsetof(struct qgtm_curl_api, easy_strerror) },
	{ "curl_slist_append", offsetof(struct qgtm_curl_api, slist_append) },
	{ "curl_slist_free_all",
	    offsetof(struct qgtm_curl_api, slist_free_all) },
	{ "curl_free", offsetof(struct qgtm_curl_api, free) },
	{ "curl_getdate", offsetof(struct qgtm_curl_api, getdate) },
	{ "curl_url", offsetof(struct qgtm_curl_api, url) },
	{ "curl_url_set", offsetof(struct qgtm_curl_api, url_set) },
	{ "curl_url_get", offsetof(struct qgtm_curl_api, url_get) },
	{ "curl_url_cleanup", offsetof(struct qgtm_curl_api, url_cleanup) },
};

/* The version of the library loaded (curl_version_info(3)), or 0 when
 * it does not say. */
static unsigned int
curl_loaded_version(void *lib)
{
	curl_version_info_data *(*info)(CURLversion);
	curl_version_info_data *d;
	void *f;

	if ((f = dlsym(lib, "curl_version_info")) == NULL)
		return 0;
	memcpy(&info, &f, sizeof(f));
	if ((d = info(CURLVERSION_NOW)) == NULL)
		return 0;
	return d->version_num;
}

/* Fill api from lib; "" or why not, into why. */
static void
curl_resolve(void *lib, struct qgtm_curl_api *api, char *why, size_t size)
{
	unsigned int v = curl_loaded_version(lib);
	size_t i;
	void *f;

	*why = '\0';
	if (v == 0) {
		snprintf(why, size, "does not say its version "
		    "(curl_version_info): not libcurl?");
		return;
	}
	if (v < LIBCURL_VERSION_NUM) {
		snprintf(why, size, "is version %u.%u.%u, older than the %s "
		    "this program was built with", v >> 16, (v >> 8) & 0xff,
		    v & 0xff, LIBCURL_VERSION);
		return;
	}
	for (i = 0; i < sizeof(curl_syms) / sizeof(curl_syms[0]); i++) {
		if ((f = dlsym(lib, curl_syms[i].sym)) == NULL) {
			snprintf(why, size, "has no %s", curl_syms[i].sym);
			return;
		}
		memcpy((char *)api + curl_syms[i].off, &f, sizeof(f));
	}
}

int
qgtm_curl_load(void)
{
	static void *lib;
	struct qgtm_curl_api api;
	char why[160];

	if (lib != NULL)
		return 0;
	if ((lib = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL)
		return qgtm_seterr(QGTM_EX_SOFTWARE, "cannot load %s: %s",
		    CURL_SONAME, dlerror());
	curl_resolve(lib, &api, why, sizeof why);
	if (*why != '\0') {
		dlclose(lib);
		lib = NULL;
		return qgtm_seterr(QGTM_EX_SOFTWARE, "%s %s", CURL_SONAME, why);
	}
	qgtm_curl = api;
	return 0;
}
