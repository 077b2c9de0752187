/*
 * alert.c: one-line alerts to a Discord webhook. An alert is best effort:
 * it never stops the act it reports, so a failure is a warning, and no
 * webhook configured means no alert at all. Kept small so every program
 * that must say something loudly can reuse it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qgtm.h"

/* Discord refuses content past 2000 characters (apis.md section 8). */
#define CONTENT_MAX 2000

/* The webhook URL into *url (a new string): 1, 0 when none is
 * configured, -1 when the configured secret cannot be read. */
static int
webhook_url(const struct qgtm_cfg *cfg, char **url)
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

/* POST body to url; 0, or -1 unless a 2xx answered. */
static int
post(const struct qgtm_cfg *cfg, const char *url, const char *body)
{
	static const char *const headers[] = {
		"Content-Type: application/json", NULL
	};
	struct qgtm_http_req req;
	struct qgtm_http_resp resp;
	int rc;

	qgtm_http_req_init(&req, cfg);
	req.method = "POST";
	req.url = url;
	req.headers = headers;
	req.body = body;
	req.body_len = strlen(body);
	qgtm_http_resp_init(&resp);
	rc = qgtm_http_do(&req, &resp);
	if (rc == 0 && (resp.status < 200 || resp.status > 299))
		rc = qgtm_seterr(qgtm_http_status_code(resp.status),
		    "alert: webhook answered HTTP %ld", resp.status);
	qgtm_http_resp_release(&resp);
	return rc;
}

int
qgtm_alert_send(const struct qgtm_cfg *cfg, const char *text)
{
	char content[CONTENT_MAX + 1], *url, *body;
	json_t *msg;
	int rc;

	if ((rc = webhook_url(cfg, &url)) != 1)
		return rc;
	snprintf(content, sizeof content, "%s", text);
	msg = json_pack("{s:s}", "content", content);
	body = json_dumps(msg, JSON_COMPACT);
	rc = post(cfg, url, body);
	json_decref(msg);
	free(body);
	free(url);
	return rc;
}
