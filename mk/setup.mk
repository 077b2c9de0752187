# setup: a new engineer's first command (qgtm-onboarding(7), day 1):
# the Debian packages (make deps), the git pre-commit hook (tools/pre-commit:
# clang-format on the staged C lines, then the unit suites), the build, and
# a demo state to explore (examples/demo.sh, which does not serve here:
# QGTM_DEMO_SERVE=0). Safe to run again. An existing pre-commit hook that
# is not ours is left alone, and said so; outside a git checkout there is no
# hook to install. tests/cli/0035-setup.bats runs it in a scratch repository.

SETUP_HOOK_MARK = tools/pre-commit: the git pre-commit hook

setup: deps
	$(MAKE) all
	$(MAKE) setup-hook
	QGTM_DEMO_SERVE=0 QGTM_BIN=$(CURDIR)/$(B)/bin bash examples/demo.sh
	@echo "setup: done; explore the demo state:"
	@echo "  export QGTM_STATE_DIR=$(CURDIR)/demo/state PATH=$(CURDIR)/$(B)/bin:\$$PATH"

setup-hook:
	@hooks=$$(git rev-parse --git-path hooks 2>/dev/null) || { \
		echo "setup: not a git checkout; no pre-commit hook"; exit 0; }; \
	hook=$$hooks/pre-commit; \
	if [ -e "$$hook" ] && ! grep -q '$(SETUP_HOOK_MARK)' "$$hook"; then \
		echo "setup: $$hook is not tools/pre-commit; left alone"; \
	else \
		mkdir -p "$$hooks" && install -m 0755 tools/pre-commit "$$hook" && \
		echo "setup: installed $$hook"; \
	fi

.PHONY: setup setup-hook
