# mk/bench.mk: `make bench` runs every bench/*.sh with the programs of
# $(B)/bin and writes bench/RESULTS.md: the machine, then each figure
# beside the peer or limit it was compared with in the same run, then each
# script's whole output. A bench script prints its figures as result lines
# (bench/README.md, bench/lib.bash):
#   result: name=N value=V unit=U peer=P|limit=L ref=R ratio=V/R [goal=G]
# BENCH=audit runs bench/audit.sh alone (RESULTS.md then holds only it).
BENCH_SCRIPTS = $(if $(BENCH),$(BENCH:%=bench/%.sh),$(sort $(wildcard bench/*.sh)))
BENCH_OUT = $(B)/bench

bench: all
	@mkdir -p $(BENCH_OUT)
	@for s in $(BENCH_SCRIPTS); do n=$${s#bench/}; n=$${n%.sh}; \
		echo "bench: $$s"; t0=$$(date +%s); \
		QGTM_BIN=$(CURDIR)/$(B)/bin bash $$s >$(BENCH_OUT)/$$n.out \
			2>$(BENCH_OUT)/$$n.err; \
		echo "$$? $$(( $$(date +%s) - t0 ))" >$(BENCH_OUT)/$$n.status; \
		grep '^result: ' $(BENCH_OUT)/$$n.out || true; \
	done
	@{ echo "# Benchmark results"; echo; \
	echo "Written by \`make bench\` (mk/bench.mk) on $$(date -u +%FT%TZ)."; \
	echo "Each figure is compared with a peer or a limit measured in the"; \
	echo "same run on the same machine; ratio = value / its value."; \
	echo; echo "## Machine"; echo; \
	echo "- CPU: $$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"; \
	echo "- Cores: $$(nproc)"; \
	echo "- Memory: $$(awk '/^MemTotal/ { printf "%.1f GiB", $$2 / 1048576 }' /proc/meminfo)"; \
	echo "- Kernel: $$(uname -sr)"; \
	echo "- Debian: $$(cat /etc/debian_version)"; \
	echo "- Load average when the run ended: $$(cut -d' ' -f1-3 /proc/loadavg)"; \
	echo; echo "## Figures"; echo; \
	awk -f bench/results.awk $(BENCH_SCRIPTS:bench/%.sh=$(BENCH_OUT)/%.out); \
	for s in $(BENCH_SCRIPTS); do n=$${s#bench/}; n=$${n%.sh}; \
		read -r rc secs <$(BENCH_OUT)/$$n.status; echo; \
		echo "## $$s: exit $$rc, $$secs s"; echo; echo '```'; \
		cat $(BENCH_OUT)/$$n.out; \
		[ "$$rc" = 0 ] || tail -n 5 $(BENCH_OUT)/$$n.err; echo '```'; \
	done; } >bench/RESULTS.md
	@echo "bench: wrote bench/RESULTS.md"

.PHONY: bench
