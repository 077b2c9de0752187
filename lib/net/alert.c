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

/* The wait a 429 asks for, in seconds: the body's retry_after (Discord,
 * apis.md section 8), else the Retry-After header, else 1 s. */
static double
retry_wait(const struct qgtm_http_resp *resp)
{
	json_t *ans = json_loadb(resp->body.data, resp->body.len, 0, NULL);
	double w = json_number_value(json_object_get(ans, "retry_after"));

	json_decref(ans);
	if (w > 0)
		return w;
	return resp->retry_after_s > 0 ? (double)resp->retry_after_s : 1;
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
	char *body = qgtm_discord_body(content);
	struct qgtm_http_req req;
	struct qgtm_http_resp resp;
	double waited = 0, w;
	int rc;

	if (body == NULL)
		return -1;
	qgtm_http_req_init(&req, cfg);
	req.method = "POST";
	req.url = url;
	req.headers = headers;
	req.body = body;
	req.body_len = strlen(body);
	qgtm_http_resp_init(&resp);
	while ((rc = qgtm_http_do(&req, &resp)) == 0 && resp.status == 429 &&
	    waited + (w = retry_wait(&resp)) <= wait_max_s) {
		waited += w;
		usleep((useconds_t)(w * 1e6) + 1000);
	}
	if (rc == 0 && (resp.status < 200 || resp.status > 299))
		rc = qgtm_seterr(qgtm_http_status_code(resp.status),
		    "discord: webhook answered HTTP %ld", resp.status);
	qgtm_http_resp_release(&resp);
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
