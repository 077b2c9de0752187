# QGTM: one top-level make, no autoconf. See README.md.
include config.mk

# A sanitizer build lives apart from the normal one so the two never mix.
ifeq ($(SANITIZE),1)
B = build-san
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
B = build
SANFLAGS =
endif

override CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror=implicit \
	-D_FORTIFY_SOURCE=2 -fstack-protector-strong -Ilib $(PKG_CFLAGS) $(SANFLAGS)
override LDFLAGS += $(SANFLAGS)
# libcurl is loaded on first use (lib/net/curl_int.h), not linked.
LIBS = $(filter-out -lcurl,$(PKG_LIBS)) -lm

# lib/ in folders, one a layer (STRUCTURE.md "Layers", read by
# tools/layers); one archive a folder. A program links only the archives
# of the folders it includes (tools/layers uses), highest layer first, so
# an edit recompiles the objects that include what changed (-MMD) and
# relinks only the programs that depend on it.
LAYERS := $(shell sh tools/layers list)
LINK_ORDER := $(shell sh tools/layers list | sed -n '1!G;h;$$p')
LIB_SRC := $(sort $(wildcard lib/*/*.c lib/*/*/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
ARCHIVES := $(LINK_ORDER:%=$(B)/lib/libqgtm-%.a)
CMD_SRC := $(sort $(wildcard cmd/qgtm-*.c))
PROGS := $(CMD_SRC:cmd/%.c=$(B)/bin/%)
SCRIPTS := $(sort $(wildcard cmd/qgtm-*.sh))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_OBJ := $(UNIT_SRC:%.c=$(B)/%.o) $(B)/tests/unit/main.o
HELPER_SRC := $(sort $(wildcard tests/helper/*.c))
HELPERS := $(HELPER_SRC:tests/helper/%.c=$(B)/bin/%)
MAN1 := $(sort $(wildcard man/man1/*.1))
MAN5 := $(sort $(wildcard man/man5/*.5))
MAN7 := $(sort $(wildcard man/man7/*.7))

all: $(ARCHIVES) $(PROGS) $(HELPERS)

$(B)/%.o: %.c config.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

.SECONDEXPANSION:

# The objects of one folder (and its subfolders).
folder_obj = $(filter $(B)/lib/$(1)/%,$(LIB_OBJ))
$(B)/lib/libqgtm-%.a: $$(call folder_obj,$$*)
	rm -f $@
	$(AR) rcs $@ $^

# The archives of the folders a source file uses, in link order.
uses = $(patsubst %,$(B)/lib/libqgtm-%.a,$(shell sh tools/layers uses $(1)))

$(B)/bin/%: $(B)/cmd/%.o $$(call uses,cmd/$$*.c)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(filter %.a,$^) $(LIBS)

$(B)/bin/%: $(B)/tests/helper/%.o $$(call uses,tests/helper/$$*.c)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(filter %.a,$^) $(LIBS)

# Objects stay after a link, so the next build compiles only what changed.
.SECONDARY: $(LIB_OBJ) $(CMD_SRC:%.c=$(B)/%.o) $(HELPER_SRC:%.c=$(B)/%.o)

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# The unit runner's list of suites, one line per tests/unit/test_<m>.c.
$(B)/tests/unit/suites.h: $(UNIT_SRC)
	@mkdir -p $(@D)
	for f in $(UNIT_SRC); do m=$${f#tests/unit/test_}; \
		echo "QGTM_SUITE($${m%.c})"; done > $@

$(B)/tests/unit/main.o: tests/unit/main.c $(B)/tests/unit/suites.h
	$(CC) $(CFLAGS) $(CHECK_CFLAGS) -I$(B)/tests/unit -c -o $@ $<

$(B)/tests/unit/test_%.o: tests/unit/test_%.c config.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(CHECK_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/unit-tests: $(UNIT_OBJ) $(ARCHIVES)
	$(CC) $(LDFLAGS) -o $@ $(UNIT_OBJ) $(ARCHIVES) $(LIBS) $(CHECK_LIBS)

# demo, check and setup install what is missing first (make deps), then
# build in a make of their own: config.mk asks pkg-config for the
# libraries' flags when make reads it, which on a fresh machine is before
# deps has installed them.
# check: the unit suites, then the bats suites; each prints its own summary.
check: deps
	$(MAKE) all $(B)/unit-tests
	cd tests/unit && QGTM_BIN=$(CURDIR)/$(B)/bin $(CURDIR)/$(B)/unit-tests
	QGTM_BIN=$(CURDIR)/$(B)/bin QGTM_TOP=$(CURDIR) \
		bats --tap --print-output-on-failure tests/cli | tee $(B)/bats.tap
	@awk '/^ok /{p++} /^not ok /{f++} /^1\.\./{n = substr($$0, 4)} \
		END {printf "bats: %d tests, %d passed, %d failed\n", n, p, f; \
		exit (f > 0 || p != n)}' $(B)/bats.tap

check-unit: $(B)/unit-tests
	cd tests/unit && QGTM_BIN=$(CURDIR)/$(B)/bin $(CURDIR)/$(B)/unit-tests

lint-man:
	mandoc -Tlint -Wwarning $(MAN1) $(MAN5) $(MAN7)

demo: deps
	$(MAKE) all
	QGTM_BIN=$(CURDIR)/$(B)/bin bash examples/demo.sh

deps:
	sh tools/deps.sh

# Without the libraries' flags (a fresh machine) no object is compiled:
# one line saying what to run instead of a hundred undefined references.
$(LIB_OBJ): | $(if $(PKG_LIBS),,no-packages)
no-packages:
	@echo "make: pkg-config finds no $(PKGS): run make deps first" >&2; exit 1

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(SHAREDIR) $(DESTDIR)$(SYSCONFDIR)/qgtm \
		$(DESTDIR)$(PREFIX)/lib/systemd/system
	install -m 0755 $(PROGS) $(DESTDIR)$(BINDIR)
	install -m 0644 $(MAN1) $(DESTDIR)$(MANDIR)/man1
	install -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5
	install -m 0644 $(MAN7) $(DESTDIR)$(MANDIR)/man7
	cp -R share/qgtm/. $(DESTDIR)$(SHAREDIR)
	install -m 0755 examples/cycle.sh $(DESTDIR)$(SHAREDIR)/cycle.sh
	install -m 0644 etc/qgtm.yaml.example $(DESTDIR)$(SYSCONFDIR)/qgtm/qgtm.yaml.example
	for u in etc/systemd/*; do \
		sed 's|/usr/local/|$(PREFIX)/|g' "$$u" \
			>$(DESTDIR)$(PREFIX)/lib/systemd/system/$${u##*/}; done
	sed 's|/usr/local/|$(PREFIX)/|g' etc/cron/qgtm.crontab \
		>$(DESTDIR)$(SHAREDIR)/qgtm.crontab
	@$(B)/bin/qgtm-fetch -c $(DESTDIR)$(SYSCONFDIR)/qgtm/qgtm.yaml -C \
		2>/dev/null | sed -n '/^digest:/,/^[^ ]/s/^  base_url: "..*"$$/x/p' | \
		grep -q x || echo "make install: warning: digest.base_url is not" \
		"set in $(SYSCONFDIR)/qgtm/qgtm.yaml: the weekly digest will" \
		"have no dashboard link (qgtm.yaml(5))" >&2

clean:
	rm -rf build build-san

# Optional groups of targets (fuzz, docs, bench, ...), one file each.
include $(sort $(wildcard mk/*.mk))

.PHONY: all check check-unit clean demo deps install lint-man no-packages
.DELETE_ON_ERROR:
