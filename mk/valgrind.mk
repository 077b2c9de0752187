# mk/valgrind.mk: `make valgrind` runs the unit suites under valgrind's
# memcheck and fails on any error or any definite or indirect leak.
# check(3) forks each test (CK_FORK's default); valgrind follows the forks,
# so every test is checked in its own process, exit tests and
# signal tests included; an error there fails the test ("Early exit with
# return value 1"). Tests run some 30 times slower, so check's timeouts
# are stretched. VALGRIND_SUITE=state limits it to one suite.
VALGRIND = valgrind
VALGRIND_FLAGS = --quiet --error-exitcode=1 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect \
	--show-leak-kinds=definite,indirect \
	--suppressions=$(CURDIR)/tests/valgrind.supp

valgrind: all $(B)/unit-tests
	cd tests/unit && QGTM_BIN=$(CURDIR)/$(B)/bin CK_TIMEOUT_MULTIPLIER=20 \
		$(if $(VALGRIND_SUITE),CK_RUN_SUITE=$(VALGRIND_SUITE)) \
		$(VALGRIND) $(VALGRIND_FLAGS) $(CURDIR)/$(B)/unit-tests

.PHONY: valgrind
