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
ALL_CFLAGS = $(WARN) $(DEFS) $(DATADIR_DEF) $(CFLAGS) $(PKG_CFLAGS) -Isrc
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

.PHONY: all deps deps-if-missing check test-build demo fuzz lint install clean bench bench-check

all: authcheck

authcheck: $(OBJS)
	$(CC) $(CFLAGS) -o $@ $(OBJS) $(PKG_LIBS) -lm

build/rel/%.o: src/%.c $(wildcard src/*.h) | build/rel
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

build/san/%.o: src/%.c $(wildcard src/*.h) | build/san
	$(CC) $(ALL_CFLAGS) $(SAN) -c -o $@ $<

build/san/authcheck: $(SANOBJS)
	$(CC) $(CFLAGS) $(SAN) -o $@ $(SANOBJS) $(PKG_LIBS) -lm

# Every tests/*/test_*.c is one program linked with the library objects.
define testprog
build/san/tests/$(basename $(notdir $(1))): $(1) $(SANLIB) $(wildcard tests/*/*.h) | build/san/tests
	$$(CC) $$(ALL_CFLAGS) $$(TEST_CFLAGS) $$(SAN) -Itests -o $$@ $(1) $$(SANLIB) $$(PKG_LIBS) $$(TEST_LIBS) -lm
endef
$(foreach t,$(TESTSRCS),$(eval $(call testprog,$(t))))

build/rel build/san build/san/tests build/fuzz build/fuzz/obj:
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
	@echo "lint: ok"

DEBS := build-essential pkg-config libldns-dev ldnsutils libpcre2-dev \
        libssl-dev openssl libjansson-dev libpsl-dev libcurl4-openssl-dev \
        libedit-dev libcmocka-dev libyaml-dev nsd python3 python3-yaml python3-spf \
        clang libclang-rt-14-dev spfquery iproute2 gzip bind9-utils git postfix
deps:
	@SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	$$SUDO apt-get update && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y --no-install-recommends $(DEBS)

deps-if-missing:
	@missing=; for p in $(DEBS); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; $(MAKE) deps; fi

# Latency and query counts against spfquery on ../shared/bench (needs root).
bench: authcheck
	sh tests/bench/spf_bench.sh

# The domain report's latency, queries and cache hit rate on the same world (root).
bench-check: authcheck
	sh tests/bench/check_bench.sh

install: authcheck
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/authcheck
	install -m 755 authcheck $(DESTDIR)$(PREFIX)/bin/authcheck
	install -m 644 man/authcheck.1 $(DESTDIR)$(PREFIX)/share/man/man1/authcheck.1
	cp -R data/. $(DESTDIR)$(PREFIX)/share/authcheck/

clean:
	rm -rf build authcheck
