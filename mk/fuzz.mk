# fuzz: the libFuzzer harnesses of tests/fuzz (issue 11). `make fuzz
# FUZZ_SECONDS=N` builds the library and one harness per parser with
# clang, ASan and UBSan into build-fuzz/ (a tree of its own) and runs each
# for N seconds on a copy of its seed corpus (tests/fuzz/corpus/<target>
# is never written; new inputs go to build-fuzz/corpus/<target>). A crash,
# leak or timeout fails the make and leaves its reproducer as
# build-fuzz/<target>-crash-*, -leak-* or -timeout-*; replay it with
# build-fuzz/bin/fuzz_<target> FILE. `make fuzz-<target>` runs one,
# `make fuzz-build` only builds; tools/fuzz-long.sh runs each for 10 min.

FUZZ_CC = clang
FUZZ_SECONDS = 30
FB = build-fuzz
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
FUZZ_CFLAGS = $(filter-out -fsanitize=% -fno-sanitize-recover=%,$(CFLAGS)) \
	$(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_FEEDS = fred alpaca cftc lbma eia openbb
FUZZ_TARGETS = jsonl cfg $(FUZZ_FEEDS:%=feed_%) broker_alpaca audit cgi text
FUZZ_LIB_OBJ = $(LIB_SRC:%.c=$(FB)/%.o)
FUZZ_BINS = $(FUZZ_TARGETS:%=$(FB)/bin/fuzz_%)
FUZZ_RUNS = $(FUZZ_TARGETS:%=fuzz-%)

# The longest input of each target (libFuzzer's -max_len); 4096 if unset.
FUZZ_MAXLEN_jsonl = 8192
FUZZ_MAXLEN_cfg = 8192
FUZZ_MAXLEN_audit = 16384
FUZZ_MAXLEN_feed_fred = 16384
FUZZ_MAXLEN_feed_alpaca = 16384
FUZZ_MAXLEN_feed_cftc = 16384
FUZZ_MAXLEN_feed_lbma = 16384
FUZZ_MAXLEN_feed_eia = 16384
FUZZ_MAXLEN_feed_openbb = 16384
FUZZ_MAXLEN_broker_alpaca = 8192
FUZZ_MAXLEN_cgi = 8192
FUZZ_MAXLEN_text = 8192
# Options of every run: -timeout per input, memory cap, stats at the end.
FUZZ_OPTS = -timeout=10 -rss_limit_mb=2048 -print_final_stats=1

fuzz: $(FUZZ_RUNS)

fuzz-build: $(FUZZ_BINS)

clean: fuzz-clean
fuzz-clean:
	rm -rf $(FB)

$(FB)/lib/%.o: lib/%.c config.mk
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(FB)/libqgtm.a: $(FUZZ_LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $(FUZZ_LIB_OBJ)

$(FB)/tests/fuzz/fuzz_feed_%.o: tests/fuzz/fuzz_feed.c config.mk
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -DFUZZ_FEED=$* -c -o $@ $<

$(FB)/tests/fuzz/%.o: tests/fuzz/%.c config.mk
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(FB) -name '*.d' 2>/dev/null)

$(FB)/bin/fuzz_%: $(FB)/tests/fuzz/fuzz_%.o $(FB)/tests/fuzz/fuzz.o \
    $(FB)/libqgtm.a
	@mkdir -p $(@D)
	$(FUZZ_CC) $(LDFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LIBS)

# Run one harness: seeds copied into its working corpus, then fuzzing.
$(FUZZ_RUNS): fuzz-%: $(FB)/bin/fuzz_%
	@mkdir -p $(FB)/corpus/$*
	cp tests/fuzz/corpus/$*/* $(FB)/corpus/$*/
	$(FB)/bin/fuzz_$* $(FUZZ_OPTS) -max_total_time=$(FUZZ_SECONDS) \
		-max_len=$(or $(FUZZ_MAXLEN_$*),4096) \
		$(addprefix -dict=,$(wildcard tests/fuzz/$*.dict)) \
		-artifact_prefix=$(FB)/$*- $(FB)/corpus/$*

.PHONY: fuzz fuzz-build fuzz-clean $(FUZZ_RUNS)
.PRECIOUS: $(FB)/tests/fuzz/%.o $(FB)/tests/fuzz/fuzz_feed_%.o
