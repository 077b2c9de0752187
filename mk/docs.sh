#!/bin/sh
# mk/docs.sh OUT: the HTML manual (`make docs`, mk/docs.mk) in OUT: every man
# page rendered by mandoc -Thtml as NAME.SECTION.html, its cross-references
# to the other pages of this tree relative links and to any other page
# links to manpages.debian.org; README.md, DESIGN_PRINCIPLES.md,
# STRUCTURE.md, CONTRIBUTING.md and CHANGELOG.md by cmark, their links to one another
# rewritten to the HTML; one style.css; and index.html listing all of
# them. Run from the top of the source tree. tests/cli/0040-docs.bats
# checks every relative link.
set -eu

out=$1
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# esc: HTML-escape standard input (text of an element).
esc() {
	sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g'
}

cat >"$out/style.css" <<'CSS'
body { max-width: 50em; margin: 1em auto; padding: 0 1em;
	font-family: sans-serif; line-height: 1.4; color: #111; }
pre, code, .Li, .Nm, .Fl, .Cm, .Ar { font-family: monospace; }
pre { background: #f4f4f4; padding: 0.5em; overflow-x: auto; }
table.head, table.foot { width: 100%; color: #666; }
td.head-rtitle, td.foot-os { text-align: right; }
td.head-vol { text-align: center; }
h1.Sh, h1 { font-size: 1.3em; }
h2.Ss, h2 { font-size: 1.1em; }
dl.Bl-tag > dt { font-weight: bold; }
a { color: #0645ad; }
CSS

# The pages, linked by NAME.SECTION in one directory: mandoc's man= option
# makes a relative link of a reference only when the page is there.
pages=$(ls man/man[1-9]/*.[1-9])
for p in $pages; do
	ln -s "$PWD/$p" "$tmp/${p##*/}"
done
for p in $pages; do
	(cd "$tmp" && mandoc -Thtml \
		-O "man=%N.%S.html;https://manpages.debian.org/%N.%S,style=style.css" \
		"${p##*/}") | sed 's|^<body>$|<body>\n<p><a href="index.html">index</a></p>|' \
		>"$out/${p##*/}.html"
done

docs="README DESIGN_PRINCIPLES STRUCTURE CONTRIBUTING CHANGELOG"
for d in $docs; do
	{
		printf '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8"/>\n'
		printf '<link rel="stylesheet" href="style.css" type="text/css"/>\n'
		printf '<title>%s</title>\n</head>\n<body>\n' "$d"
		printf '<p><a href="index.html">index</a></p>\n'
		cmark "$d.md" | sed 's/href="\(README\|DESIGN_PRINCIPLES\|STRUCTURE\|CONTRIBUTING\)\.md/href="\1.html/g'
		printf '</body>\n</html>\n'
	} >"$out/$d.html"
done

# entry FILE TITLE TEXT: one line of the index.
entry() {
	printf '<li><a href="%s">%s</a> &mdash; %s</li>\n' "$1" \
		"$(printf %s "$2" | esc)" "$(printf %s "$3" | esc)"
}

{
	printf '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8"/>\n'
	printf '<link rel="stylesheet" href="style.css" type="text/css"/>\n'
	printf '<title>QGTM manual</title>\n</head>\n<body>\n<h1>QGTM manual</h1>\n'
	printf '<p>Start with <a href="qgtm.7.html">qgtm(7)</a>; a new engineer'
	printf ' with <a href="qgtm-onboarding.7.html">qgtm-onboarding(7)</a>.</p>\n'
	printf '<h2>Documents</h2>\n<ul>\n'
	entry README.html README.md "what QGTM is, the demo, the cycle"
	entry DESIGN_PRINCIPLES.html DESIGN_PRINCIPLES.md "the rules the code keeps"
	entry STRUCTURE.html STRUCTURE.md "programs, modules, data flow and state"
	entry CONTRIBUTING.html CONTRIBUTING.md "build, test, style, exit codes, where new code goes"
	entry CHANGELOG.html CHANGELOG.md "every user-visible change"
	printf '</ul>\n'
	for s in 1 5 7; do
		case $s in
		1) title="Programs (section 1)" ;;
		5) title="Files (section 5)" ;;
		7) title="Overviews (section 7)" ;;
		esac
		printf '<h2>%s</h2>\n<ul>\n' "$title"
		for p in $pages; do
			case $p in *.$s) ;; *) continue ;; esac
			n=${p##*/}
			entry "$n.html" "${n%.*}($s)" \
				"$(sed -n 's/^\.Nd //p' "$p" | head -n 1)"
		done
		printf '</ul>\n'
	done
	printf '</body>\n</html>\n'
} >"$out/index.html"

echo "docs: $out/index.html"
