# mk/fresh.mk: `make fresh` runs the fresh-machine test, tests/fresh/run
# (as root): a Debian 12 minbase root plus make, by debootstrap, with a
# clean clone of HEAD in it, where `make demo` then `make check` must pass
# on the first try. Logs in $(B)/fresh/; .ci/run runs it.

fresh: deps
	QGTM_FRESH_LOG=$(CURDIR)/$(B)/fresh bash tests/fresh/run

.PHONY: fresh
