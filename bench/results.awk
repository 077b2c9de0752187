# bench/results.awk: the figures table of bench/RESULTS.md, from the
# "result:" lines (bench/README.md) of the outputs named on the command
# line, in their order. Called by `make bench` (mk/bench.mk).
function goal_met(goal, ratio,    op, x) {
	if (goal == "")
		return "-"
	if (match(goal, /^ratio(<=|>=)/) == 0)
		return "?"
	op = substr(goal, 6, 2)
	x = substr(goal, 8) + 0
	return (op == "<=" ? ratio + 0 <= x : ratio + 0 >= x) ? "yes" : "**no**"
}
BEGIN {
	print "| figure | value | compared with | its value | ratio | goal | met |"
	print "|---|---:|---|---:|---:|---|---|"
}
/^result: / {
	delete f
	for (i = 2; i <= NF; i++) {
		eq = index($i, "=")
		f[substr($i, 1, eq - 1)] = substr($i, eq + 1)
	}
	against = ("peer" in f) ? "peer " f["peer"] : "limit " f["limit"]
	printf "| %s | %s %s | %s | %s %s | %s | %s | %s |\n", f["name"],
	    f["value"], f["unit"], against, f["ref"], f["unit"], f["ratio"],
	    ("goal" in f) ? f["goal"] : "-", goal_met(f["goal"], f["ratio"])
}
