/*
 * order/broker_int.h: internal to lib/order/: the brokers' own functions
 * behind their tables of operations (struct qgtm_broker_ops in
 * order/order.h). Included only by files in lib/order/.
 */
#ifndef QGTM_ORDER_BROKER_INT_H
#define QGTM_ORDER_BROKER_INT_H

#include "order/order.h"

extern const struct qgtm_broker_ops qgtm_broker_alpaca_ops;

/* qgtm_broker_sim_init: read the sim's terms from the config's
 * broker.sim section; a negative one is QGTM_EX_CONFIG. Returns 0 or
 * -1. */
int qgtm_broker_sim_init(struct qgtm_broker_sim *b,
    const struct qgtm_cfg *cfg);

/*
 * qgtm_alpaca_submit: place a market day order of qty (a decimal string)
 * on side ("buy" or "sell") with client_order_id id, and set *order to
 * its "order" record (new reference). Never sent again blindly: after an
 * answer that does not say whether it was placed (none, a 429 or a 5xx)
 * it waits as qgtm_http_retry_wait says (X-RateLimit-Reset on a 429),
 * then looks it up by GET /v2/orders:by_client_order_id: found, it is
 * the order (returns 0); not found, it is sent again while the policy
 * allows (http.retries, http.retry_wait_max_ms), then it is the last
 * answer's error (QGTM_EX_TEMPFAIL after no answer: nothing placed, a
 * rerun with the same id is safe). A 422 or 409 is looked up too (a
 * duplicate client_order_id is the order placed before; the message is
 * not read): not found, QGTM_EX_UNAVAILABLE. 403 is QGTM_EX_NOPERM, with
 * Alpaca's message.
 * With b->dry_run, the request is printed to standard error (the secret
 * masked), nothing is sent and *order is NULL. Returns 1 when placed now,
 * 0 when it was already placed (or a dry run), or -1.
 */
int qgtm_alpaca_submit(struct qgtm_broker *b, const char *id,
    const char *symbol, const char *side, const char *qty, json_t **order);

/* qgtm_alpaca_lookup: GET /v2/orders:by_client_order_id for id; sets
 * *order to its "order" record (new reference). Returns 1 found, 0 not
 * (404), or -1. */
int qgtm_alpaca_lookup(struct qgtm_broker *b, const char *id,
    json_t **order);

/* qgtm_alpaca_order: GET /v2/orders/{broker_order_id}: its "order"
 * record with filled_qty (new reference), or NULL. */
json_t *qgtm_alpaca_order(struct qgtm_broker *b, const char *broker_order_id);

/*
 * qgtm_alpaca_cancel: DELETE /v2/orders/{broker_order_id} (204), then
 * GET /v2/orders/{broker_order_id} until the order is no longer working
 * (broker.alpaca.cancel_wait_ms at most); an order the broker will not
 * cancel (422: filled already) is read as it is. Sets *order to its last
 * "order" record (new reference, with filled_qty). Returns 0, or -1
 * (QGTM_EX_TEMPFAIL: still working after the wait).
 */
int qgtm_alpaca_cancel(struct qgtm_broker *b, const char *broker_order_id,
    json_t **order);

#endif /* QGTM_ORDER_BROKER_INT_H */
