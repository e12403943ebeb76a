# authcheck -- see README.md.  `make` builds ./authcheck; `make check` runs
# every test (sanitized build); `make deps` installs the Debian packages.

CC      ?= cc
PKGS    := ldns libpcre2-8 libcrypto libssl jansson libpsl libcurl libedit
TESTPKGS := cmocka yaml-0.1
WARN    := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wwrite-strings -Wformat=2 \
           -Werror=format-security -Werror=implicit
DEFS    := -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libcurl is not linked: src/https.c loads it when a policy is fetched
# (its dependencies would cost every run ~18 ms of start-up).
PKG_LIBS   := $(shell pkg-config --libs $(filter-out libcurl,$(PKGS)) 2>/dev/null) -pthread
TEST_CFLAGS := $(shell pkg-config --cflags $(TESTPKGS) 2>/dev/null)
TEST_LIBS   := $(shell pkg-config --libs $(TESTPKGS) 2>/dev/null)
CFLAGS  ?= -O2 -g
ALL_CFLAGS = $(WARN) $(DEFS) $(DATADIR_DEF) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) -Isrc
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
PREFIX  ?= /usr/local
DESTDIR ?=
# Where `make install` puts data/ (provider templates); providers.c reads it.
DATADIR_DEF = -DAUTHCHECK_DATADIR=\"$(PREFIX)/share/authcheck\"

SRCS    := $(sort $(wildcard src/*.c))
LIBSRCS := $(filter-out src/main.c,$(SRCS))
OBJS    := $(SRCS:src/%.c=build/rel/%.o)
SANOBJS := $(SRCS:src/%.c=build/san/%.o)
SANLIB  := $(LIBSRCS:src/%.c=build/san/%.o)
TESTSRCS := $(sort $(wildcard tests/*/test_*.c))
TESTBINS := $(foreach t,$(TESTSRCS),build/san/tests/$(basename $(notdir $(t))))
FUZZSRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZBINS := $(FUZZSRCS:tests/fuzz/%.c=build/fuzz/%)

.PHONY: all deps deps-if-missing check test-build demo fuzz lint install clean bench bench-check bench-smtp \
        bench-tools

all: authcheck

authcheck: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(PKG_LIBS) -lm

build/rel/%.o: src/%.c $(wildcard src/*.h) | build/rel
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

build/san/%.o: src/%.c $(wildcard src/*.h) | build/san
	$(CC) $(ALL_CFLAGS) $(SAN) -c -o $@ $<

build/san/authcheck: $(SANOBJS)
	$(CC) $(CFLAGS) $(SAN) -o $@ $(SANOBJS) $(PKG_LIBS) -lm

# Every tests/*/test_*.c is one program linked with the library objects,
# plus LDFLAGS_<program> when set.
define testprog
build/san/tests/$(basename $(notdir $(1))): $(1) $(SANLIB) $(wildcard tests/*/*.h) | build/san/tests
	$$(CC) $$(ALL_CFLAGS) $$(TEST_CFLAGS) $$(SAN) -Itests -o $$@ $(1) $$(SANLIB) $$(PKG_LIBS) $$(TEST_LIBS) $$(LDFLAGS_$(basename $(notdir $(1)))) -lm
endef
# The allocation-failure test puts its own allocator under our code
# (allocations inside the libraries are not counted) and marks the SPF
# trees of the zone lint.
LDFLAGS_test_dns_oom := -Wl,--wrap=malloc -Wl,--wrap=calloc \
    -Wl,--wrap=realloc -Wl,--wrap=strdup \
    -Wl,--wrap=zone_index_resolver_new -Wl,--wrap=spf_lint_record
$(foreach t,$(TESTSRCS),$(eval $(call testprog,$(t))))

build/rel build/san build/san/tests build/fuzz build/fuzz/obj build/bench:
	mkdir -p $@

test-build: build/san/authcheck $(TESTBINS)

check: deps-if-missing
	$(MAKE) lint
	$(MAKE) -j$$(nproc) authcheck test-build
	$(MAKE) -j$$(nproc) fuzz
	AUTHCHECK_DATADIR=$(CURDIR)/data \
	AUTHCHECK=$(CURDIR)/build/san/authcheck TESTBIN=$(CURDIR)/build/san/tests \
	    FUZZBIN=$(CURDIR)/build/fuzz sh tests/run.sh

demo: deps-if-missing
	$(MAKE) authcheck
	sh data/demo/run.sh ./authcheck

# libFuzzer targets (clang): one per parser, each linked with the sources.
FUZZCC  ?= clang
# The library is compiled once for every target (instrumented, without
# libFuzzer's main); each target is its harness linked with those objects.
FUZZFLAGS := -g -O1 $(DEFS) $(PKG_CFLAGS) -Isrc
FUZZOBJS := $(LIBSRCS:src/%.c=build/fuzz/obj/%.o)
build/fuzz/obj/%.o: src/%.c $(wildcard src/*.h) | build/fuzz/obj
	$(FUZZCC) $(FUZZFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<
build/fuzz/%: tests/fuzz/%.c $(FUZZOBJS) | build/fuzz
	$(FUZZCC) $(FUZZFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZOBJS) $(PKG_LIBS) -lm
fuzz: $(FUZZBINS)

# HACKING.md (bounded everything): no unbounded string functions in src/.
lint:
	@if grep -nE '\b(sprintf|vsprintf|strcpy|strcat|strtok|atoi|gets)[[:space:]]*\(' src/*.c src/*.h; then \
	    echo "lint: unbounded string function in src/ (see HACKING.md)"; exit 1; fi
	@if grep -nE '\b(buf_init|diag_list_init)\([^,]+,[[:space:]]*[0-9]+u?\)' src/*.c; then \
	    echo "lint: a buffer or list limit as a bare number: name it (BUF_MAX_* in buf.h)"; exit 1; fi
	@if grep -nE "'A'[^;]*'Z'[^;]*(\+ 32|- 'A' \+ 'a'|\+ \('a' - 'A'\))" src/*.c; then \
	    echo "lint: a hand-written lower-casing: use ascii_lower() (ascii.h) or dns_name_norm()"; exit 1; fi
	@echo "lint: ok"

DEBS := build-essential pkg-config libldns-dev ldnsutils libpcre2-dev \
        libssl-dev openssl libjansson-dev libpsl-dev libcurl4-openssl-dev \
        libedit-dev libcmocka-dev libyaml-dev nsd python3 python3-yaml python3-spf \
        clang libclang-rt-14-dev spfquery iproute2 gzip bind9-utils git \
        chromium parallel postfix libsasl2-modules dns-root-data
deps:
	@SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	$$SUDO apt-get update && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y --no-install-recommends $(DEBS)

deps-if-missing:
	@missing=; for p in $(DEBS); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; $(MAKE) deps; fi

# The benchmarks' own tools (tests/bench/): the delay proxy that stands for
# the network in front of the world's NSD.  Not part of authcheck.
bench-tools: build/bench/delayproxy

build/bench/delayproxy: tests/bench/delayproxy.c | build/bench
	$(CC) $(WARN) $(CFLAGS) -pthread -o $@ $<

# Latency and query counts against spfquery on the synthetic world of
# tests/bench/gen_world.py (needs root: network namespace + NSD); the
# --domains rate at 20 ms per query against the rate at no delay (root);
# the peak memory of a million-line --domains run (zone backend, no root).
bench: authcheck bench-tools
	sh tests/bench/spf_bench.sh
	sh tests/bench/smtp_bench.sh
	sh tests/bench/rate_bench.sh
	sh tests/bench/mem_bench.sh

# The SMTP probe's overlap with the DNS work: 20 slow scripted servers
# behind 10 domains, DNS from NSD behind the delay proxy (no root needed).
# BASELINE=path/to/authcheck measures another build beside it.
bench-smtp: authcheck bench-tools
	BASELINE=$(BASELINE) sh tests/bench/smtp_bench.sh

# The domain report's latency, queries and cache hit rate on the same world (root).
bench-check: authcheck bench-tools
	sh tests/bench/check_bench.sh

# ---- packaging: completions, install, uninstall, the Debian package -------
# `make install PREFIX=... DESTDIR=...` / `make uninstall` with the same
# values; `make deb` builds ../authcheck_VERSION_ARCH.deb (debian/), `make
# deb-check` builds it from a clean clone and runs lintian on it
# (tests/package/deb_check.sh).  The shell completion scripts are printed by
# the program from its option tables (src/cmd_completion.c).
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
PKGDATADIR  = $(PREFIX)/share/authcheck
COMPLETIONS := build/completion/authcheck build/completion/_authcheck
DEBS += debhelper dpkg-dev lintian zsh bash-completion

.PHONY: completion uninstall deb deb-check
all: completion
completion: $(COMPLETIONS)

# The compiled-in data directory follows PREFIX: rebuild what reads it when
# PREFIX changes (the stamp changes only then).
build/datadir.stamp: FORCE | build/rel
	@echo '$(DATADIR_DEF)' | cmp -s - $@ || echo '$(DATADIR_DEF)' >$@
build/rel/providers.o build/san/providers.o: build/datadir.stamp
.PHONY: FORCE
FORCE:

build/completion:
	mkdir -p $@
build/completion/authcheck: authcheck $(wildcard data/providers/*.json) | build/completion
	AUTHCHECK_DATADIR=$(CURDIR)/data ./authcheck completion bash >$@.tmp && mv $@.tmp $@
build/completion/_authcheck: authcheck $(wildcard data/providers/*.json) | build/completion
	AUTHCHECK_DATADIR=$(CURDIR)/data ./authcheck completion zsh >$@.tmp && mv $@.tmp $@

install: authcheck $(COMPLETIONS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(PKGDATADIR) \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 755 authcheck $(DESTDIR)$(BINDIR)/authcheck
	install -m 644 man/authcheck.1 $(DESTDIR)$(MANDIR)/man1/authcheck.1
	cp -R data/. $(DESTDIR)$(PKGDATADIR)/
	install -m 644 build/completion/authcheck $(DESTDIR)$(BASHCOMPDIR)/authcheck
	install -m 644 build/completion/_authcheck $(DESTDIR)$(ZSHCOMPDIR)/_authcheck

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/authcheck $(DESTDIR)$(MANDIR)/man1/authcheck.1 \
	    $(DESTDIR)$(BASHCOMPDIR)/authcheck $(DESTDIR)$(ZSHCOMPDIR)/_authcheck
	rm -rf $(DESTDIR)$(PKGDATADIR)

# dpkg-buildpackage cleans the tree it builds in and writes to its parent:
# build in a copy (the tracked files as they are now) under build/deb/.
deb:
	rm -rf build/deb && mkdir -p build/deb/src
	if [ -e .git ]; then git ls-files -z | xargs -0 cp -P --parents -t build/deb/src; \
	else tar -cf - --exclude=./build . | tar -xf - -C build/deb/src; fi
	cd build/deb/src && dpkg-buildpackage -us -uc -b
	@ls build/deb/*.deb

deb-check:
	sh tests/package/deb_check.sh
# ---- end of packaging -------------------------------------------------------

clean:
	rm -rf build authcheck
