/*
 * tier.c: the one table of the kill switch's tiers: each tier's name, its
 * meaning in a few words and the plain sentence the pages show, and what
 * it does to orders (alerts).
 */
#include <string.h>

#include "risk/risk.h"

static const struct qgtm_tier_info tiers[QGTM_NTIERS] = {
	{ "NORMAL", "All normal", "All normal: trading as planned.",
	    "orders pass the limits as usual" },
	{ "WARN", "Warning", "Warning: a limit is close; trading goes on, "
	    "watch it.", "alert only; orders pass as usual" },
	{ "THROTTLE", "Smaller trades", "Throttled: orders are cut down in "
	    "size.", "order sizes cut by the throttle" },
	{ "NO_NEW", "No new trades", "No new positions: only orders that "
	    "reduce risk go out.", "only risk-reducing orders pass; no new risk" },
	{ "FLATTEN", "Selling everything", "Flatten: everything is being sold "
	    "to cash.", "nothing passes; positions are to be closed" },
};

const struct qgtm_tier_info *
qgtm_tier_info(int tier)
{
	return tier >= 0 && tier < QGTM_NTIERS ? &tiers[tier] : NULL;
}

const char *
qgtm_tier_name(int tier)
{
	return tier >= 0 && tier < QGTM_NTIERS ? tiers[tier].name : NULL;
}

int
qgtm_tier_parse(const char *s)
{
	int i;

	for (i = 0; s != NULL && i < QGTM_NTIERS; i++)
		if (strcmp(s, tiers[i].name) == 0)
			return i;
	return -1;
}
