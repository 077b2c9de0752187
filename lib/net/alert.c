/*
 * alert.c: one-line alerts to a Discord webhook. An alert is best effort:
 * it never stops the act it reports, so a failure is a warning, and no
 * webhook configured means no alert at all. Kept small so every program
 * that must say something loudly can reuse it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/net.h"

/* Discord refuses content past 2000 characters (apis.md section 8). */
#define CONTENT_MAX 2000

int
qgtm_discord_webhook(const struct qgtm_cfg *cfg, char **url)
{
	const char *env = getenv("QGTM_DISCORD_WEBHOOK_URL");

	*url = NULL;
	if ((env == NULL || *env == '\0') &&
	    *qgtm_cfg_str(cfg, "alert.discord_webhook_file") == '\0')
		return 0;
	*url = qgtm_cfg_secret(cfg, "QGTM_DISCORD_WEBHOOK_URL",
	    "alert.discord_webhook_file");
	return *url != NULL ? 1 : -1;
}

/*
 * Discord's webhook API version: an unversioned URL (what Discord's own
 * "Copy Webhook URL" gives) is API v6, where a 429's retry_after counted
 * milliseconds; from v8 on it counts seconds (https://discord.com/
 * developers/docs/reference#api-versioning, .../topics/rate-limits).
 */
#define DISCORD_API "/api/v10/webhooks/"

/*
 * The URL posted to: url with its API version set to v10, and wait=true,
 * so Discord answers 200 with the message once it is saved, or an error;
 * without it Discord answers 204 before saving, even a message it then
 * drops ("Execute Webhook", https://discord.com/developers/docs/resources/
 * webhook#execute-webhook). A new string.
 */
char *
qgtm_discord_url(const char *url)
{
	const char *api = strstr(url, "/api/"), *hooks = NULL, *p;
	const char *sep = strchr(url, '?') != NULL ? "&" : "?";

	if (api != NULL) {
		p = api + 4;            /* the '/' after "/api" */
		if (p[1] == 'v' && p[2] >= '0' && p[2] <= '9')
			for (p += 2; *p >= '0' && *p <= '9'; p++)
				continue;
		if (strncmp(p, "/webhooks/", 10) == 0)
			hooks = p + 10;
	}
	if (hooks == NULL)
		return qgtm_xasprintf("%s%swait=true", url, sep);
	return qgtm_xasprintf("%.*s%s%s%swait=true", (int)(api - url), url,
	    DISCORD_API, hooks, sep);
}

/* Discord's own wait signal (qgtm_http_signal_fn): a 429's JSON
 * retry_after, in seconds on v10 (see DISCORD_API), or -1 for none. */
static double
retry_after(const struct qgtm_http_resp *resp, void *arg)
{
	json_t *ans = json_loadb(resp->body.data, resp->body.len, 0, NULL);
	double w = json_number_value(json_object_get(ans, "retry_after"));

	(void)arg;
	json_decref(ans);
	return w > 0 ? w : -1;
}

/* 0 when Discord saved the message: with wait=true, HTTP 200 and the
 * message object, which has an id. Else -1 with the error. */
static int
delivered(const struct qgtm_http_resp *resp)
{
	json_t *msg;
	int saved;

	if (resp->status < 200 || resp->status > 299)
		return qgtm_seterr(qgtm_http_status_code(resp->status),
		    "discord: webhook answered HTTP %ld", resp->status);
	msg = json_loadb(resp->body.data, resp->body.len, 0, NULL);
	saved = json_is_string(json_object_get(msg, "id"));
	json_decref(msg);
	if (!saved)
		return qgtm_seterr(QGTM_EX_PROTOCOL, "discord: HTTP %ld "
		    "without the message: Discord did not confirm it saved it",
		    resp->status);
	return 0;
}

char *
qgtm_discord_body(const char *content)
{
	/* allowed_mentions with an empty parse list: no @everyone, @here,
	 * role or user mention in the text pings anyone (Discord's Execute
	 * Webhook, "Allowed Mentions Object"). */
	json_t *msg = json_pack("{s:s, s:{s:[]}}", "content", content,
	    "allowed_mentions", "parse");
	char *body = msg != NULL ? json_dumps(msg, JSON_COMPACT) : NULL;

	json_decref(msg);
	if (body == NULL)
		qgtm_seterr(QGTM_EX_DATAERR, "discord: the message is not "
		    "valid UTF-8 text");
	return body;
}

int
qgtm_discord_post(const struct qgtm_cfg *cfg, const char *url,
    const char *content, double wait_max_s)
{
	static const char *const headers[] = {
		"Content-Type: application/json", NULL
	};
	char *body = qgtm_discord_body(content), *hook;
	struct qgtm_http_req req;
	struct qgtm_http_resp resp;
	long ms, waited = 0;
	int rc, n = 0;

	if (body == NULL)
		return -1;
	hook = qgtm_discord_url(url);
	qgtm_http_req_init(&req, cfg);
	req.method = "POST";
	req.url = hook;
	req.headers = headers;
	req.body = body;
	req.body_len = strlen(body);
	/* The one retry policy (lib/net/http.c), for a 429 only: Discord
	 * did not take the message, so sending it again is safe; any other
	 * answer stands. qgtm_http_do counts one POST a call: the policy
	 * is told the attempts and waits of them all. */
	req.signal = retry_after;
	req.wait_max_ms = (long)(wait_max_s * 1000);
	qgtm_http_resp_init(&resp);
	while ((rc = qgtm_http_do(&req, &resp)) == 0 && resp.status == 429) {
		resp.attempts = ++n;
		resp.waited_ms = waited;
		if ((ms = qgtm_http_retry_wait(&req, &resp)) < 0)
			break;
		usleep((useconds_t)ms * 1000 + 1000);
		waited += ms;
	}
	if (rc == 0)
		rc = delivered(&resp);
	qgtm_http_resp_release(&resp);
	free(hook);
	free(body);
	return rc;
}

int
qgtm_alert_send(const struct qgtm_cfg *cfg, const char *text)
{
	char *content, *url;
	int rc;

	if ((rc = qgtm_discord_webhook(cfg, &url)) != 1)
		return rc;
	content = qgtm_utf8_cut(text, CONTENT_MAX);
	rc = qgtm_discord_post(cfg, url, content, 0);
	free(content);
	free(url);
	return rc;
}
