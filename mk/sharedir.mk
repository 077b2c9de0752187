# The build's SHAREDIR (config.mk) becomes the default of daemon.cycle:
# lib/base/cfgkeys.c is compiled with -DQGTM_SHAREDIR, and compiled again
# whenever SHAREDIR changes (a stamp holding its value), so that
# `make install PREFIX=/usr` after a default build installs programs whose
# default is /usr/share/qgtm/cycle.sh.

$(B)/lib/base/cfgkeys.o: override CFLAGS += -DQGTM_SHAREDIR='"$(SHAREDIR)"'
$(B)/lib/base/cfgkeys.o: $(B)/sharedir.stamp

$(B)/sharedir.stamp: FORCE
	@mkdir -p $(@D)
	@echo '$(SHAREDIR)' | cmp -s - $@ || echo '$(SHAREDIR)' >$@

# print-sharedir: the SHAREDIR this build compiles in.
print-sharedir:
	@echo '$(SHAREDIR)'

.PHONY: FORCE print-sharedir
FORCE:
