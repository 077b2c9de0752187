/*
 * test_calweek.c: the week-ahead calendar against published schedules:
 * the Fed's FOMC calendar, the NYSE holiday calendar, the EIA and CFTC
 * release rules and the quarterly expiration rule.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"

static struct qgtm_cfg cfg;

/* Load the built-in defaults, or text as the config file. */
static void
load_cfg(const char *text)
{
	char *dir = unit_tmpdir(), *path = qgtm_xasprintf("%s/c.yaml", dir);

	unit_write_file(path, text);
	ck_assert_int_eq(qgtm_cfg_load(&cfg, path), 0);
	free(path);
	free(dir);
}

/* The event with id in the week of y-m-d, or NULL; *events keeps it. */
static json_t *
find(json_t **events, const char *date, const char *id)
{
	int y, m, d;
	json_t *ev;
	size_t i;

	ck_assert_int_eq(sscanf(date, "%d-%d-%d", &y, &m, &d), 3);
	*events = qgtm_calendar_week(&cfg, y, m, d);
	json_array_foreach(*events, i, ev)
		if (strcmp(json_string_value(json_object_get(ev, "id")), id) == 0)
			return ev;
	return NULL;
}

static void
assert_at(const char *week, const char *id, const char *at)
{
	json_t *events, *ev = find(&events, week, id);

	ck_assert_msg(ev != NULL, "no %s in the week of %s", id, week);
	ck_assert_str_eq(json_string_value(json_object_get(ev, "at")), at);
	json_decref(events);
}

static void
assert_absent(const char *week, const char *id)
{
	json_t *events;

	ck_assert_ptr_null(find(&events, week, id));
	json_decref(events);
}

START_TEST(thanksgiving_week_2026)
{
	load_cfg("# defaults\n");
	/* WPSR for the week ending Nov 20: Wednesday 10:30 EST. */
	assert_at("2026-11-23", "eia_petroleum", "2026-11-25T15:30:00Z");
	/* Natural gas moves to Wednesday noon before Thanksgiving. */
	assert_at("2026-11-23", "eia_natgas", "2026-11-25T17:00:00Z");
	/* NYSE: closed Thanksgiving, 13:00 close the day after. */
	assert_at("2026-11-23", "nyse_holiday", "2026-11-26T14:30:00Z");
	assert_at("2026-11-23", "nyse_early_close", "2026-11-27T18:00:00Z");
	/* COT of Tuesday Nov 24 slips to Monday Nov 30, 15:30. */
	assert_absent("2026-11-23", "cot");
	assert_at("2026-11-30", "cot", "2026-11-30T20:30:00Z");
	qgtm_cfg_release(&cfg);
}
END_TEST

START_TEST(fomc_decisions_minutes_and_pause)
{
	json_t *events, *ev;

	load_cfg("# defaults\n");
	/* The Fed's 2026 schedule: December 8-9; statement at 14:00 ET. */
	ev = find(&events, "2026-12-07", "fomc_decision");
	ck_assert_ptr_nonnull(ev);
	ck_assert_str_eq(json_string_value(json_object_get(ev, "at")),
	    "2026-12-09T19:00:00Z");
	ck_assert(json_is_true(json_object_get(ev, "pause")));
	ck_assert_str_eq(json_string_value(json_object_get(ev, "pause_from")),
	    "2026-12-09T18:30:00Z");
	ck_assert_str_eq(json_string_value(json_object_get(ev, "touches")),
	    "real_rate_gold tsmom xsmom gold_silver_ratio");
	json_decref(events);
	/* Minutes three weeks later. */
	assert_at("2026-12-28", "fomc_minutes", "2026-12-30T19:00:00Z");
	/* The 2027 schedule: June 8-9, in daylight time. */
	assert_at("2027-06-07", "fomc_decision", "2027-06-09T18:00:00Z");
	assert_absent("2026-12-14", "fomc_decision");
	qgtm_cfg_release(&cfg);
}
END_TEST

START_TEST(pause_windows_come_from_config)
{
	json_t *events, *ev;

	load_cfg("calendar:\n  pause: [\"cot:15\"]\n");
	ev = find(&events, "2026-12-07", "cot");
	ck_assert(json_is_true(json_object_get(ev, "pause")));
	ck_assert_str_eq(json_string_value(json_object_get(ev, "pause_to")),
	    "2026-12-11T20:45:00Z");
	json_decref(events);
	ev = find(&events, "2026-12-07", "fomc_decision");
	ck_assert(json_is_false(json_object_get(ev, "pause")));
	json_decref(events);
	qgtm_cfg_release(&cfg);
}
END_TEST

START_TEST(quarterly_expiration)
{
	load_cfg("# defaults\n");
	/* Third Friday of March 2027, 16:00 EDT. */
	assert_at("2027-03-15", "opex", "2027-03-19T20:00:00Z");
	/* Good Friday 2008 fell on March 21, the third Friday: expiration
	 * moved to Thursday March 20. */
	assert_at("2008-03-17", "opex", "2008-03-20T20:00:00Z");
	assert_absent("2027-04-12", "opex");
	qgtm_cfg_release(&cfg);
}
END_TEST

START_TEST(events_are_sorted)
{
	json_t *events, *ev;
	const char *prev = "";
	size_t i;

	load_cfg("# defaults\n");
	find(&events, "2026-11-23", "none");
	ck_assert_uint_ge(json_array_size(events), 4);
	json_array_foreach(events, i, ev) {
		ck_assert_str_ge(json_string_value(json_object_get(ev, "at")), prev);
		prev = json_string_value(json_object_get(ev, "at"));
	}
	json_decref(events);
	qgtm_cfg_release(&cfg);
}
END_TEST

START_TEST(shipped_fomc_file_matches_the_table)
{
	char *text = unit_read_file("../../share/qgtm/calendar/fomc.txt");
	struct qgtm_buf dates;
	const char *const *days;
	char *line, *save = NULL;
	size_t n, i;

	ck_assert_ptr_nonnull(text);
	qgtm_buf_init(&dates, 4096);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (line[0] != '#')
			qgtm_buf_addf(&dates, "%s\n", line);
	days = qgtm_calendar_fomc_days(&n);
	ck_assert_uint_eq(n, 16);
	for (i = 0; i < n; i++)
		ck_assert_ptr_nonnull(strstr(dates.data, days[i]));
	ck_assert_uint_eq(dates.len, 11 * n);
	qgtm_buf_release(&dates);
	free(text);
}
END_TEST

Suite *
suite_calweek(void)
{
	Suite *s = suite_create("calweek");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, thanksgiving_week_2026);
	tcase_add_test(tc, fomc_decisions_minutes_and_pause);
	tcase_add_test(tc, pause_windows_come_from_config);
	tcase_add_test(tc, quarterly_expiration);
	tcase_add_test(tc, events_are_sorted);
	tcase_add_test(tc, shipped_fomc_file_matches_the_table);
	suite_add_tcase(s, tc);
	return s;
}
