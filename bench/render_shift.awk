# bench/render_shift.awk: one copy of the lines of a replayed state, moved
# back in time (bench/render.sh builds its years of history from them).
# Every YYYY-MM-DD in a line (in a date or an RFC 3339 time) is moved
# `days` days back, a multiple of 7, so weekdays stay weekdays; the first
# two characters of every trace, order and request id become copy in hex,
# so that each copy's orders are orders of their own (the journal refuses
# a client_order_id twice) and its signals are still found by their fills'
# trace ids. A kill switch "tier" record is signed: copy 0 keeps it as it
# is, the others leave it out.
#   awk -v days=56 -v copy=1 -f bench/render_shift.awk file

# Days since 1970-01-01 of the civil date y-m-d (after Howard Hinnant's
# days_from_civil, as lib/base does it).
function days_from(y, m, d,    era, yoe, doy, doe) {
	y -= m <= 2
	era = int((y >= 0 ? y : y - 399) / 400)
	yoe = y - era * 400
	doy = int((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
	doe = yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy
	return era * 146097 + doe - 719468
}

# The civil date of day z as YYYY-MM-DD.
function civil(z,    era, doe, yoe, y, doy, mp, d, m) {
	z += 719468
	era = int((z >= 0 ? z : z - 146096) / 146097)
	doe = z - era * 146097
	yoe = int((doe - int(doe / 1460) + int(doe / 36524) - \
	    int(doe / 146096)) / 365)
	y = yoe + era * 400
	doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
	mp = int((5 * doy + 2) / 153)
	d = doy - int((153 * mp + 2) / 5) + 1
	m = mp + (mp < 10 ? 3 : -9)
	return sprintf("%04d-%02d-%02d", y + (m <= 2), m, d)
}

# s with its dates moved days back.
function shift(s,    out, t) {
	out = ""
	while (match(s, /[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]/)) {
		t = substr(s, RSTART, 10)
		out = out substr(s, 1, RSTART - 1) \
		    civil(days_from(substr(t, 1, 4) + 0, substr(t, 6, 2) + 0,
		    substr(t, 9, 2) + 0) - days)
		s = substr(s, RSTART + 10)
	}
	return out s
}

# s with the first two characters of its ids made copy in hex.
function ids(s,    out, p, n) {
	out = ""
	while (match(s, /"(trace_id|client_order_id|broker_order_id|request_id|id)":"(qgtm-)?/)) {
		p = RSTART + RLENGTH - 1
		out = out substr(s, 1, p) sprintf("%02x", copy % 256)
		s = substr(s, p + 3)
	}
	return out s
}

/"type":"tier"/ {
	if (copy == 0)
		print
	next
}

{
	print ids(shift($0))
}
