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
 * its "order" record (new reference). Never sent twice blindly: a 429 is
 * sent again (4 sends at most) only after a wait until X-RateLimit-Reset,
 * or Retry-After when longer, 0.5 to 30 s; a timeout or lost connection,
 * and any 422 or 409, are resolved by GET
 * /v2/orders:by_client_order_id: found, it is the order (returns 0); not
 * found after a timeout, QGTM_EX_TEMPFAIL (nothing placed; a rerun with
 * the same id is safe). 403 is QGTM_EX_NOPERM, 422 QGTM_EX_UNAVAILABLE,
 * with Alpaca's message.
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
