# docs: the HTML manual (mk/docs.sh): every man page by mandoc -Thtml, the
# README, DESIGN_PRINCIPLES, STRUCTURE, CONTRIBUTING and CHANGELOG by cmark, and an
# index, into DOCS_DIR (default $(B)/docs). install-docs (a prerequisite of
# install) puts it under $(SHAREDIR)/doc/html, which the web server serves
# as docs/.

DOCS_DIR ?= $(B)/docs

docs:
	@sh mk/docs.sh $(DOCS_DIR)

install-docs: docs
	install -d $(DESTDIR)$(SHAREDIR)/doc/html
	install -m 0644 $(DOCS_DIR)/*.html $(DOCS_DIR)/style.css \
		$(DESTDIR)$(SHAREDIR)/doc/html

install: install-docs

.PHONY: docs install-docs
