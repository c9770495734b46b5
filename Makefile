# libaddr - the one, non-recursive build.
#
#   make            build the library, the tools and the tests
#   make test       install missing Debian packages, build with -Werror, run every test
#   make run        start addrgw in the foreground on testdata/run/addrgw.conf
#   make demo       demonstrate the address tools
#   make bench      build and run the benchmarks against libetpan and GMime,
#                   then the directory and relay benchmarks
#   make bench-dir  the directory benchmark alone (libaddr against libldap)
#   make bench-import  importing 1M recipients in LDIF, DSML, CSV (issue 5)
#   make bench-relay  addrgw against Postfix as a relay, and memory per idle
#                   connection (RELAY_COUNT=2000 for a quick run)
#   make install    PREFIX=/usr/local DESTDIR=
#   make clean
#   make SAN=1 ...  build everything with ASan+UBSan

PREFIX  ?= /usr/local
DESTDIR ?=
B       := build
CC      ?= cc

SOVERSION := 0
VERSION   := 0.1.0

# Debian packages the build and the tests need.
DEPS_PKGS  := gcc make pkg-config libicu-dev libxml2-dev libcmocka-dev libevent-dev swaks \
              python3-aiosmtpd libldap-dev libxml2-utils libgmime-3.0-dev
BENCH_PKGS := libetpan-dev valgrind postfix
# Postfix is installed "Local only" (loopback, no relaying) so that installing
# it for bench/relay.sh never brings up an MTA open on port 25; the benchmark
# runs its own instance from a private configuration directory.
POSTFIX_PRESEED = if [ "$$(id -u)" = 0 ] && ! dpkg-query -W -f='$${Status}' postfix 2>/dev/null | \
	grep -q 'install ok installed'; then \
	echo 'postfix postfix/main_mailer_type select Local only' | debconf-set-selections; fi

PKGS    := icu-uc icu-i18n libxml-2.0
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wformat=2 -Wno-unused-parameter
OPT     ?= -O2 -g
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
B        := build-san
endif
WERROR  ?= -Werror
CFLAGS_ALL = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(OPT) $(WARN) $(WERROR) \
             $(SANFLAGS) -Ilibaddr/include -Ilibaddr $(CFLAGS)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LDFLAGS_ALL = $(SANFLAGS) $(LDFLAGS)

LIB_SRC  := $(wildcard libaddr/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
LIB_A    := $(B)/libaddr.a
LIB_SO   := $(B)/libaddr.so.$(VERSION)

CLI_SRC  := $(filter-out tools/addrconv.c tools/addrdir.c,$(wildcard tools/*.c))
CLI_OBJ  := $(CLI_SRC:%.c=$(B)/%.o)
TOOLS    := $(B)/addrconv $(B)/addrdir

# the gateway: every gateway/*.c, linked with libevent and GMime (disclaimer.c)
GW_SRC   := $(wildcard gateway/*.c)
GW_OBJ   := $(GW_SRC:%.c=$(B)/%.o)
GW_PKGS  := libevent gmime-3.0
GW_CFLAGS = $(shell pkg-config --cflags $(GW_PKGS) 2>/dev/null)
GW_LIBS   = $(shell pkg-config --libs $(GW_PKGS) 2>/dev/null)
ifneq ($(GW_SRC),)
TOOLS    += $(B)/addrgw
endif

TEST_SRC  := $(wildcard tests/test_*.c)
TEST_BINS := $(TEST_SRC:tests/%.c=$(B)/tests/%)
TEST_HELPERS := $(filter-out $(TEST_SRC),$(wildcard tests/*.c))
TEST_HOBJ := $(TEST_HELPERS:%.c=$(B)/%.o)

.PHONY: all test check run demo bench bench-dir bench-import bench-relay install clean deps bench-deps update-golden
all: $(LIB_A) $(LIB_SO) $(TOOLS) $(TEST_BINS)

# --- dependencies: installed with apt-get when run as root -------------------
deps:
	@sh tests/ensure-packages.sh $(DEPS_PKGS)
bench-deps:
	@$(POSTFIX_PRESEED)
	@sh tests/ensure-packages.sh $(DEPS_PKGS) $(BENCH_PKGS)

# --- the library --------------------------------------------------------------
$(B)/libaddr/%.o: libaddr/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(PKG_CFLAGS) -fPIC -fvisibility=hidden -MMD -MP -c -o $@ $<

$(LIB_A): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(LIB_SO): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libaddr.so.$(SOVERSION) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)
	ln -sf libaddr.so.$(VERSION) $(B)/libaddr.so.$(SOVERSION)
	ln -sf libaddr.so.$(VERSION) $(B)/libaddr.so

# --- programs -----------------------------------------------------------------
$(B)/tools/%.o: tools/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(B)/addrconv: $(B)/tools/addrconv.o $(CLI_OBJ) $(LIB_A)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

$(B)/addrdir: $(B)/tools/addrdir.o $(CLI_OBJ) $(LIB_A)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

$(B)/gateway/%.o: gateway/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -Igateway -DADDRGW_VERSION='"$(VERSION)"' $(shell pkg-config --cflags $(GW_PKGS) 2>/dev/null) -MMD -MP -c -o $@ $<

# libresolv (libc6-dev) for MX lookups; threads for the resolver
$(B)/addrgw: $(GW_OBJ) $(LIB_A)
	$(CC) $(LDFLAGS_ALL) -pthread -o $@ $^ $(PKG_LIBS) $(shell pkg-config --libs $(GW_PKGS) 2>/dev/null) -lresolv

# --- tests --------------------------------------------------------------------
$(B)/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/tests/test_%: $(B)/tests/test_%.o $(TEST_HOBJ) $(LIB_A)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS) -lcmocka

# the gateway tests include gateway/*.c: built with the gateway's packages
$(B)/tests/test_gw%.o: tests/test_gw%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(PKG_CFLAGS) $(GW_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/tests/test_gw%: $(B)/tests/test_gw%.o $(TEST_HOBJ) $(LIB_A)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS) $(GW_LIBS) -lcmocka

test check:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all
	@B=$(B) sh tests/run.sh

run:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all
	@mkdir -p var/spool var/drop
	@echo "addrgw on 127.0.0.1:2525, mail lands in var/drop; try:" \
	    "swaks --server 127.0.0.1 --port 2525 --from you@ext.test --to jdoe@example.org"
	$(B)/addrgw -c testdata/run/addrgw.conf -f

demo:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all
	@B=$(B) sh tests/demo.sh

update-golden: all
	@B=$(B) UPDATE_GOLDEN=1 sh tests/golden.sh

# --- benchmarks ---------------------------------------------------------------
BENCH_CFLAGS = $(shell pkg-config --cflags libetpan gmime-3.0 2>/dev/null)
BENCH_LIBS   = $(shell pkg-config --libs libetpan gmime-3.0 2>/dev/null || echo -letpan $$(pkg-config --libs gmime-3.0))
$(B)/bench/%: bench/%.c $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(BENCH_CFLAGS) -o $@ $< $(LIB_A) $(PKG_LIBS) $(BENCH_LIBS)

bench:
	@$(MAKE) --no-print-directory bench-deps
	@$(MAKE) --no-print-directory all $(B)/bench/gencorpus $(B)/bench/bench_parse \
	    $(B)/bench/gendir $(B)/bench/bench_dir
	@B=$(B) sh bench/run.sh
	@B=$(B) sh bench/dir.sh
	@$(MAKE) --no-print-directory $(B)/bench/idle
	@B=$(B) sh bench/relay.sh

# The directory benchmark (issue 4): gendir writes seeded LDIF files,
# bench_dir loads one with libaddr or parses it with libldap (pkg-config
# ldap; libldap-dev is in DEPS_PKGS), bench/dir.sh runs and tabulates.
# Explicit rules: these two need neither libetpan nor GMime.
DIR_CFLAGS = $(shell pkg-config --cflags ldap 2>/dev/null)
DIR_LIBS   = $(shell pkg-config --libs ldap 2>/dev/null || echo -lldap -llber)
$(B)/bench/gendir: bench/gendir.c $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(LIB_A) $(PKG_LIBS)

$(B)/bench/bench_dir: bench/bench_dir.c $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(DIR_CFLAGS) -o $@ $< $(LIB_A) $(PKG_LIBS) $(DIR_LIBS)

bench-dir:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all $(B)/bench/gendir $(B)/bench/bench_dir
	@B=$(B) sh bench/dir.sh

# The import benchmark (issue 5): addrdir import of the 1M directory in
# LDIF, DSML and CSV against libldap's parse and xmllint --stream.
bench-import:
	@$(MAKE) --no-print-directory bench-deps
	@$(MAKE) --no-print-directory all $(B)/bench/gendir $(B)/bench/bench_dir
	@B=$(B) sh bench/import.sh

# The relay benchmark (issue 6): smtp-source -> addrgw or Postfix ->
# smtp-sink on loopback (spec-gateway.md §17), then addrgw's memory per idle
# connection with bench/idle.c holding 10,000 connections after EHLO.
# idle needs nothing but libc.
$(B)/bench/idle: bench/idle.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -o $@ $<

bench-relay:
	@$(POSTFIX_PRESEED)
	@sh tests/ensure-packages.sh $(DEPS_PKGS) postfix
	@$(MAKE) --no-print-directory $(B)/addrgw $(B)/bench/idle
	@B=$(B) sh bench/relay.sh

# --- fuzzing -------------------------------------------------------------------
# Each fuzz/<name>.c defines LLVMFuzzerTestOneInput. `make fuzz` links them
# with libFuzzer under ASan+UBSan; the same sources also link with
# fuzz/replay.c, a plain driver that make test uses to replay the corpora.
FUZZ_SRC   := $(filter-out fuzz/replay.c,$(wildcard fuzz/*.c))
FUZZ_NAMES := $(FUZZ_SRC:fuzz/%.c=%)
REPLAY_BINS := $(FUZZ_NAMES:%=$(B)/fuzz/replay_%)
FUZZ_B     := build-fuzz
FUZZ_CC    ?= clang
FUZZ_FLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O1 -g \
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
              -Ilibaddr/include -Ilibaddr
FUZZ_LIB   := $(LIB_SRC:%.c=$(FUZZ_B)/%.o)
S ?= 600
.PHONY: fuzz fuzz-run
# the instrumented library objects are kept between runs of make fuzz
.SECONDARY: $(FUZZ_LIB)
all: $(REPLAY_BINS)

# the gateway targets #include the gateway sources they test
FUZZ_GW_DEPS := $(wildcard gateway/*.c gateway/*.h)
$(B)/fuzz/replay_%: fuzz/%.c fuzz/replay.c $(LIB_A) $(wildcard fuzz/*.h) $(FUZZ_GW_DEPS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ fuzz/$*.c fuzz/replay.c $(LIB_A) $(PKG_LIBS)

# every header, since these objects are built without -MMD: a changed
# struct in dir_int.h must rebuild them all
$(FUZZ_B)/libaddr/%.o: libaddr/%.c $(wildcard libaddr/*.h libaddr/include/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(patsubst -fsanitize=fuzzer%,-fsanitize=fuzzer-no-link%,$(FUZZ_FLAGS)) $(PKG_CFLAGS) -c -o $@ $<

$(FUZZ_B)/%: fuzz/%.c $(FUZZ_LIB) $(wildcard fuzz/*.h) $(FUZZ_GW_DEPS)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(PKG_CFLAGS) -o $@ $< $(FUZZ_LIB) $(PKG_LIBS) -lstdc++

# the mime_* targets include gateway/splice.c and the file they test
# (disclaimer.c, downgrade.c), which need GMime
GMIME_CFLAGS = $(shell pkg-config --cflags gmime-3.0 2>/dev/null)
GMIME_LIBS   = $(shell pkg-config --libs gmime-3.0 2>/dev/null)
$(B)/fuzz/replay_mime_%: fuzz/mime_%.c fuzz/replay.c gateway/%.c gateway/%.h \
		gateway/splice.c gateway/splice.h $(LIB_A) $(wildcard fuzz/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(GMIME_CFLAGS) $(LDFLAGS_ALL) -o $@ fuzz/mime_$*.c fuzz/replay.c \
	    $(LIB_A) $(PKG_LIBS) $(GMIME_LIBS)

$(FUZZ_B)/mime_%: fuzz/mime_%.c gateway/%.c gateway/%.h \
		gateway/splice.c gateway/splice.h $(FUZZ_LIB) $(wildcard fuzz/*.h)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(PKG_CFLAGS) $(GMIME_CFLAGS) -o $@ $< $(FUZZ_LIB) $(PKG_LIBS) \
	    $(GMIME_LIBS) -lstdc++

fuzz:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory $(FUZZ_NAMES:%=$(FUZZ_B)/%)

# make fuzz-run T=<name> S=<seconds>
fuzz-run: fuzz
	@mkdir -p $(FUZZ_B)/corpus/$(T)
	@mkdir -p $(FUZZ_B)/artifacts
	$(FUZZ_B)/$(T) -max_total_time=$(S) -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_B)/artifacts/$(T)- \
	    $$( [ -f fuzz/dict/$(T).dict ] && echo -dict=fuzz/dict/$(T).dict ) \
	    $(FUZZ_B)/corpus/$(T) fuzz/corpus/$(T)

# --- install ------------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	           $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	           $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 644 libaddr/include/addr.h $(DESTDIR)$(PREFIX)/include/addr.h
	install -m 644 $(LIB_A) $(DESTDIR)$(PREFIX)/lib/libaddr.a
	install -m 755 $(LIB_SO) $(DESTDIR)$(PREFIX)/lib/libaddr.so.$(VERSION)
	ln -sf libaddr.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libaddr.so.$(SOVERSION)
	ln -sf libaddr.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libaddr.so
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' libaddr/libaddr.pc.in \
	    > $(DESTDIR)$(PREFIX)/lib/pkgconfig/libaddr.pc
	install -m 755 $(TOOLS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 docs/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 docs/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 644 docs/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(B) -name '*.d' 2>/dev/null)
