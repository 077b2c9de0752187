/*
 * cfgkeys.c: the config schema, one row per key (vnstat cfg.c keeps such a
 * table too). Defaults are written as they would be in the file and go
 * through the same checks as the file's values. Adding a key means adding
 * a row here, its entry in man/man5/qgtm.yaml.5 and its line in
 * etc/qgtm.yaml.example; the unit tests check all three agree.
 */
#include <stddef.h>

#include "qgtm.h"

#define STR QGTM_CFG_STR
#define INT QGTM_CFG_INT
#define NUM QGTM_CFG_NUM
#define DEC QGTM_CFG_DEC
#define LIST QGTM_CFG_LIST

const struct qgtm_cfg_key qgtm_cfg_keys[] = {
	{ "common.state_dir", STR, "/var/lib/qgtm", NULL,
	    "the state directory; $QGTM_STATE_DIR overrides" },
	{ "common.universe", LIST, "GLD SLV GDX TLT IEF UUP USO SPY DBC", NULL,
	    "the symbols traded" },
	{ "common.price_source", STR, "sim", NULL,
	    "the point-in-time store source strategies read prices from" },
	{ "common.log_format", STR, "text", "text json",
	    "log lines as text or json; $QGTM_LOG_FORMAT overrides" },

	{ "http.connect_timeout_ms", INT, "5000", NULL,
	    "connection timeout of one attempt" },
	{ "http.timeout_ms", INT, "30000", NULL,
	    "budget of a whole request, retries included" },
	{ "http.retries", INT, "3", NULL,
	    "extra attempts of an idempotent request" },
	{ "http.backoff_ms", INT, "500", NULL,
	    "first wait between attempts, doubled each time" },
	{ "http.max_response_bytes", INT, "16777216", NULL,
	    "largest response body accepted" },

	{ "fetch.sim.seed", INT, "42", NULL,
	    "seed of the synthetic market" },
	{ "fetch.sim.start", STR, "2000-01-03", NULL,
	    "first day of the synthetic history" },
	{ "fetch.sim.lookback_days", INT, "400", NULL,
	    "calendar days fetched on a first run with no --from" },

	{ "signal.strategies", LIST, "tsmom", NULL,
	    "the strategies qgtm-signal runs" },
	{ "signal.tsmom.lookback_months", INT, "12", NULL,
	    "months of the trailing return whose sign is the signal" },
	{ "signal.tsmom.vol_com_days", INT, "60", NULL,
	    "center of mass in days of the volatility estimate" },
	{ "signal.tsmom.annualization", INT, "261", NULL,
	    "trading days a year used to annualize volatility" },
	{ "signal.tsmom.target_vol", NUM, "0.40", NULL,
	    "annualized volatility targeted per position" },
	{ "signal.tsmom.max_weight", NUM, "0.25", NULL,
	    "largest absolute weight of one symbol" },

	{ "risk.max_position_notional", DEC, "50000.00", NULL,
	    "largest notional of one position" },
	{ "risk.max_position_pct", NUM, "0.25", NULL,
	    "largest position as a fraction of equity" },
	{ "risk.max_gross_exposure", NUM, "1.5", NULL,
	    "gross exposure as a multiple of equity" },
	{ "risk.max_order_notional", DEC, "25000.00", NULL,
	    "largest notional of one order" },

	{ "order.broker", STR, "sim", "sim alpaca",
	    "the broker orders go to" },
	{ "order.no_trade_band", NUM, "0.02", NULL,
	    "skip a trade smaller than this fraction of equity" },
	{ "order.min_notional", DEC, "1.00", NULL,
	    "smallest order notional sent" },

	{ "broker.sim.initial_cash", DEC, "100000.00", NULL,
	    "cash of a new sim account" },
	{ "broker.sim.slippage_bps", NUM, "5", NULL,
	    "price slippage of a sim fill in basis points" },
	{ "broker.sim.commission_per_share", DEC, "0.005", NULL,
	    "sim commission per share" },
	{ "broker.sim.commission_min", DEC, "1.00", NULL,
	    "smallest sim commission of an order" },
	{ "broker.alpaca.key_id_file", STR, "", NULL,
	    "file holding APCA-API-KEY-ID; $APCA_API_KEY_ID wins" },
	{ "broker.alpaca.secret_key_file", STR, "", NULL,
	    "file holding APCA-API-SECRET-KEY; $APCA_API_SECRET_KEY wins" },

	{ "audit.chain", STR, "audit/chain.jsonl", NULL,
	    "the audit chain, relative to the state directory" },
};

const size_t qgtm_cfg_nkeys = sizeof qgtm_cfg_keys / sizeof qgtm_cfg_keys[0];
