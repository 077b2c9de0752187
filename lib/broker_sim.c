/*
 * broker_sim.c: the sim paper broker. It fills every market order at once
 * at the store's last close moved against the order by a fixed slippage,
 * and charges a per-share commission with a minimum, all in exact units.
 */
#include <stdio.h>
#include <string.h>

#include "qgtm.h"

#define BPS_PER_ONE 10000
#define WEIGHT_ONE 1000000      /* 1.0 at QGTM_WEIGHT_SCALE */

int
qgtm_broker_sim_init(struct qgtm_broker_sim *b, const struct qgtm_cfg *cfg)
{
	double bps = qgtm_cfg_num(cfg, "broker.sim.slippage_bps");

	if (qgtm_dec_from_double(bps / BPS_PER_ONE, QGTM_WEIGHT_SCALE,
	    &b->slippage) == -1 || b->slippage < 0)
		return qgtm_seterr(QGTM_EX_CONFIG,
		    "config key broker.sim.slippage_bps: expected a "
		    "number 0 or more");
	if (qgtm_cfg_dec(cfg, "broker.sim.commission_per_share",
	    QGTM_PRICE_SCALE, &b->per_share) == -1 ||
	    qgtm_cfg_dec(cfg, "broker.sim.commission_min", QGTM_CENTS,
	    &b->commission_min) == -1)
		return -1;
	if (b->per_share < 0 || b->commission_min < 0)
		return qgtm_seterr(QGTM_EX_CONFIG,
		    "config key broker.sim.commission_*: must not be "
		    "negative");
	return 0;
}

int
qgtm_broker_sim_fill(const struct qgtm_broker_sim *b, const char *symbol,
    int side, int64_t qty, int64_t close, struct qgtm_fill *out)
{
	int64_t factor = WEIGHT_ONE + side * b->slippage, p4;

	memset(out, 0, sizeof *out);
	snprintf(out->symbol, sizeof out->symbol, "%s", symbol);
	out->side = side;
	out->qty = qty;
	if (qgtm_dec_mul(close, QGTM_PRICE_SCALE, factor, QGTM_WEIGHT_SCALE, 4,
	    &p4) == -1 ||
	    qgtm_dec_rescale(p4, 4, QGTM_PRICE_SCALE, &out->price) == -1 ||
	    qgtm_dec_mul(qty, QGTM_QTY_SCALE, out->price, QGTM_PRICE_SCALE,
	    QGTM_CENTS, &out->notional) == -1 ||
	    qgtm_dec_mul(qty, QGTM_QTY_SCALE, b->per_share, QGTM_PRICE_SCALE,
	    QGTM_CENTS, &out->commission) == -1)
		return -1;
	if (out->commission < b->commission_min)
		out->commission = b->commission_min;
	return 0;
}

/* The sim book marked at the broker's moment: positions, then account. */
static json_t *
sim_marked(struct qgtm_broker *b)
{
	struct qgtm_book book;
	json_t *recs;

	if (qgtm_oms_book_load(b->cfg, &book) == -1)
		return NULL;
	recs = qgtm_oms_positions(b->cfg, &book, b->as_of);
	qgtm_book_release(&book);
	return recs;
}

static json_t *
sim_account(struct qgtm_broker *b)
{
	json_t *recs = sim_marked(b), *acct;

	if (recs == NULL)
		return NULL;
	acct = json_incref(json_array_get(recs, json_array_size(recs) - 1));
	json_decref(recs);
	return acct;
}

static json_t *
sim_positions(struct qgtm_broker *b)
{
	json_t *recs = sim_marked(b);

	if (recs != NULL)
		json_array_remove(recs, json_array_size(recs) - 1);
	return recs;
}

/* The sim fills every order at once: none is ever open. */
static json_t *
sim_open_orders(struct qgtm_broker *b)
{
	(void)b;
	return json_array();
}

static int
sim_cancel_all(struct qgtm_broker *b, json_t *out)
{
	(void)b;
	(void)out;
	return 0;
}

static int
sim_close_all(struct qgtm_broker *b, json_t *out)
{
	return qgtm_oms_close_all(b->cfg, b->as_of, out);
}

const struct qgtm_broker_ops qgtm_broker_sim_ops = {
	"sim", sim_account, sim_positions, sim_open_orders, sim_cancel_all,
	sim_close_all
};
