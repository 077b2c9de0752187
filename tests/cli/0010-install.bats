#!/usr/bin/env bats
# make install honours PREFIX and DESTDIR and installs programs, man pages,
# share/, the example config and the units, with paths rewritten to PREFIX.

setup() {
	load ../lib
}

@test "make install PREFIX=/usr DESTDIR=dir" {
	d=$BATS_TEST_TMPDIR/root
	run -0 make -s -C "$QGTM_TOP" install PREFIX=/usr DESTDIR="$d"
	for p in "$QGTM_BIN"/qgtm-*; do
		[ -x "$d/usr/bin/${p##*/}" ]
		[ -f "$d/usr/share/man/man1/${p##*/}.1" ]
	done
	[ -f "$d/usr/share/man/man5/qgtm.yaml.5" ]
	[ -f "$d/usr/share/man/man7/qgtm.7" ]
	[ -f "$d/etc/qgtm/qgtm.yaml.example" ]
	[ -x "$d/usr/share/qgtm/cycle.sh" ]
	run -0 grep -h '/share/qgtm/cycle.sh' "$d/usr/lib/systemd/system/qgtm-cycle.service" \
		"$d/usr/share/qgtm/qgtm.crontab"
	[[ $output != *"/usr/local/"* ]]
}

@test "make install warns on one line when digest.base_url is not set" {
	d=$BATS_TEST_TMPDIR/root
	run -0 --separate-stderr make -s -C "$QGTM_TOP" install PREFIX=/usr DESTDIR="$d"
	[ "$stderr" = "make install: warning: digest.base_url is not set in /etc/qgtm/qgtm.yaml: the weekly digest will have no dashboard link (qgtm.yaml(5))" ]
	printf 'digest:\n  base_url: "https://qgtm.example/"\n' >"$d/etc/qgtm/qgtm.yaml"
	run -0 --separate-stderr make -s -C "$QGTM_TOP" install PREFIX=/usr DESTDIR="$d"
	[ -z "$stderr" ]
}
