# pycore: post-mortem analyzer for core dumps of CPython processes.
#
#   make            build ./pycore (installs Debian's -dev packages if missing)
#   make demo       crash /usr/bin/python3 in a thread and analyze the core
#   make check      every test: unit, line-table vectors, real cores (and a clang build)
#   make asan-check the same suite under AddressSanitizer and UBSan
#   make cross-check  build for aarch64 (cross compiler, arm64 -dev root) and run the
#                   unit tests under qemu-aarch64-static
#   make valgrind-check  the unit tests and a subset of the real cores under valgrind
#   make fuzz       run the libFuzzer targets of fuzz/ (FUZZ_SECONDS in all, default 240)
#   make bench      pycore against gdb and eu-stack; writes bench/RESULTS.md, on a
#                   large core against zstd, xz and lz4: bench/COMPRESSED.md, and on
#                   aarch64 (qemu) cores against x86_64 ones: bench/AARCH64.md
#   make install    install pycore and its man page under $(DESTDIR)$(PREFIX)

CC ?= gcc
PKGS := libdw libelf liblzma libzstd liblz4 libseccomp libsystemd
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

VERSION := 0.1.0
CFLAGS ?= -O2 -g
WARNINGS := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(WARNINGS) -Iinclude -DPYCORE_VERSION='"$(VERSION)"' \
	$(PKG_CFLAGS) $(CFLAGS) $(SANITIZE)
ALL_LDFLAGS = $(LDFLAGS) $(SANITIZE)

BUILD ?= build
PROG ?= pycore
# One folder per layer, lowest first; scripts/check-layers says which may
# include which.  The library is every layer below the commands: what the
# unit tests and fuzzers link.
LIB_LAYERS := base input elf layout python asyncio analysis report
LIB_SRCS := $(foreach layer,$(LIB_LAYERS),$(wildcard src/$(layer)/*.c))
SRCS := $(LIB_SRCS) $(wildcard src/cmd/*.c src/handle/*.c) src/main.c
OBJS := $(SRCS:src/%.c=$(BUILD)/%.o)
LIB_OBJS := $(LIB_SRCS:src/%.c=$(BUILD)/%.o)
HEADERS := $(wildcard include/*/*.h include/*/*.def)

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

ASAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
FUZZ_SANITIZE := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
FUZZ_SRCS := $(wildcard fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:fuzz/%.c=$(BUILD)/%)

.PHONY: all deps check clang-build cross-check bench demo asan-check valgrind-check units fuzz fuzz-targets install clean

all: deps $(PROG)

# Installs Debian's -dev packages when a header, library or tool is missing.
deps:
	@scripts/install-deps --check-or-install

$(PROG): $(OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(OBJS) $(PKG_LIBS)

$(BUILD)/%.o: src/%.c $(HEADERS) | $(BUILD)/tests deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests:
	mkdir -p $@

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS) $(HEADERS) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJS) $(ALL_LDFLAGS) $(PKG_LIBS) -lcmocka

units: $(UNIT_BINS)

check: all units clang-build
	PYCORE=$(abspath $(PROG)) scripts/run-tests $(UNIT_BINS)

# The whole tree, handler, unit tests and fuzz targets included, built by
# clang with the same warnings as errors: each compiler warns of what the
# other lets pass, and a fuzz target that no longer builds is found here,
# not at the next make fuzz.
clang-build: deps
	@scripts/install-deps --check-or-install --fuzz
	$(MAKE) BUILD=build/clang PROG=build/clang/pycore CC=clang build/clang/pycore units \
		fuzz-targets

asan-check: deps
	$(MAKE) BUILD=build/asan PROG=build/asan/pycore CFLAGS="-O1 -g" SANITIZE="$(ASAN)" \
		build/asan/pycore units
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp) \
		PYCORE=$(abspath build/asan/pycore) PYCORE_MUTATION_SEEDS=600 scripts/run-tests \
		$(UNIT_SRCS:tests/unit/%.c=build/asan/tests/%)

# scripts/cross-check says how.
cross-check:
	scripts/cross-check

# tests/valgrind-check says which tests, and why test_core is not one.
valgrind-check: all units
	@scripts/install-deps --check-or-install --valgrind
	PYCORE=$(abspath $(PROG)) tests/valgrind-check $(UNIT_BINS)

# libFuzzer needs clang; the targets link everything but the command line.
$(BUILD)/fuzz_%: fuzz/fuzz_%.c $(LIB_OBJS) $(HEADERS)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $< $(LIB_OBJS) $(ALL_LDFLAGS) $(PKG_LIBS)

fuzz-targets: $(FUZZ_BINS)

# ./pycore (plain build) cuts the seed cores down; fuzz/run says the rest.
fuzz: all
	@scripts/install-deps --check-or-install --fuzz
	$(MAKE) BUILD=build/fuzz CC=clang CFLAGS="-O1 -g" SANITIZE="$(FUZZ_SANITIZE)" fuzz-targets
	PYCORE=$(abspath $(PROG)) fuzz/run build/fuzz

# pycore against gdb's py-bt and eu-stack on cores made on the spot;
# writes bench/RESULTS.md.
bench: all
	@scripts/install-deps --check-or-install --bench
	PYCORE=$(abspath $(PROG)) scripts/bench
	PYCORE=$(abspath $(PROG)) scripts/bench-compressed
	PYCORE=$(abspath $(PROG)) scripts/bench-aarch64

demo: all
	PYCORE=$(abspath $(PROG)) scripts/demo

PREFIX ?= /usr/local
install: all
	install -D -m 0755 $(PROG) $(DESTDIR)$(PREFIX)/bin/pycore
	install -D -m 0644 man/pycore.1 $(DESTDIR)$(PREFIX)/share/man/man1/pycore.1

clean:
	rm -rf build pycore
