#!/usr/bin/env bats
# make docs: every man page has its HTML, the index lists every page and
# document, every relative link of the site resolves to a file of the
# site, and make install puts the site under $(SHAREDIR)/doc/html.

setup_file() {
	load ../lib
	export DOCS="$BATS_FILE_TMPDIR/docs"
	make -s -C "$QGTM_TOP" docs DOCS_DIR="$DOCS" >"$BATS_FILE_TMPDIR/out"
}

setup() {
	load ../lib
}

# relative_links FILE: the relative href and src targets of FILE, one a
# line, without their #fragment (a link to a fragment of itself is skipped).
relative_links() {
	grep -oE '(href|src)="[^"]*"' "$1" | sed 's/^[a-z]*="//; s/"$//' |
		grep -vE '^([a-z][a-z0-9+.-]*:|#)' | sed 's/#.*//' | sort -u
}

@test "make docs says where the site is" {
	[ "$(cat "$BATS_FILE_TMPDIR/out")" = "docs: $DOCS/index.html" ]
}

@test "every man page has its HTML page, listed in the index" {
	for p in "$QGTM_TOP"/man/man[1-9]/*.[1-9]; do
		n=${p##*/}
		[ -s "$DOCS/$n.html" ] || { echo "no HTML for $n"; false; }
		grep -q "href=\"$n.html\"" "$DOCS/index.html" ||
			{ echo "not in the index: $n"; false; }
	done
}

@test "README, DESIGN_PRINCIPLES, STRUCTURE, CONTRIBUTING and CHANGELOG are rendered and listed" {
	for d in README DESIGN_PRINCIPLES STRUCTURE CONTRIBUTING CHANGELOG; do
		grep -q '<h1>' "$DOCS/$d.html"
		grep -q "href=\"$d.html\"" "$DOCS/index.html"
	done
	grep -q '<code>qgtm-fetch</code>' "$DOCS/README.html"
	grep -q '<h2>\[Unreleased\]</h2>' "$DOCS/CHANGELOG.html"
}

@test "every relative link of every page resolves to a file of the site" {
	n=0
	for f in "$DOCS"/*.html; do
		while read -r l; do
			[ -n "$l" ] || continue
			n=$((n + 1))
			[ -f "$DOCS/$l" ] || { echo "${f##*/}: broken link: $l"; false; }
		done < <(relative_links "$f")
	done
	# The cross-references between the pages are links of the site.
	grep -q 'href="qgtm-records.7.html"' "$DOCS/qgtm-stats.1.html"
	grep -q 'href="index.html"' "$DOCS/qgtm-stats.1.html"
	[ "$n" -gt 100 ]
}

@test "the link check finds a broken link" {
	printf '<a href="nowhere.1.html">x</a>\n' >"$BATS_TEST_TMPDIR/p.html"
	run -0 relative_links "$BATS_TEST_TMPDIR/p.html"
	[ "$output" = nowhere.1.html ]
	[ ! -f "$DOCS/$output" ]
}

@test "make install puts the site under SHAREDIR/doc/html" {
	d=$BATS_TEST_TMPDIR/root
	run -0 make -s -C "$QGTM_TOP" install PREFIX=/usr DESTDIR="$d" \
		DOCS_DIR="$BATS_TEST_TMPDIR/site"
	[ -f "$d/usr/share/qgtm/doc/html/index.html" ]
	[ -f "$d/usr/share/qgtm/doc/html/qgtm.7.html" ]
	[ -f "$d/usr/share/qgtm/doc/html/style.css" ]
}
