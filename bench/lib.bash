# bench/lib.bash: sourced by the bench scripts (not one itself: make bench
# runs bench/*.sh). See bench/README.md for the result line.

# result NAME VALUE UNIT peer|limit REF REF_VALUE [GOAL]: print one figure
# and what it is compared with, measured in the same run:
#   result: name=NAME value=VALUE unit=UNIT peer=REF ref=REF_VALUE ratio=R [goal=GOAL]
# (limit=REF for a limit), R = VALUE / REF_VALUE. No value may hold a space.
result() {
	local name=$1 value=$2 unit=$3 kind=$4 ref=$5 refv=$6 goal=${7-}
	printf 'result: name=%s value=%s unit=%s %s=%s ref=%s ratio=%s%s\n' \
		"$name" "$value" "$unit" "$kind" "$ref" "$refv" \
		"$(awk -v a="$value" -v b="$refv" \
		'BEGIN { if (b == 0) print "inf"; else printf "%.3g", a / b }')" \
		"${goal:+ goal=$goal}"
}
