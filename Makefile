# SPDX-License-Identifier: MIT
# make            build bpf object, skeleton, kettle
# make check      build and run every test (tests/run)
# make SANITIZE=1 the same in build-asan/ with -fsanitize=address,undefined
# make fuzz       libFuzzer targets (clang) in build-fuzz/
# make install PREFIX=/usr/local
# make kmod       the kernel module (kmod/) against KMOD_KDIR, in $(BUILD)/kmod/
# make kmod-test  build it for Debian's 6.1 kernel and test it under qemu

VERSION   := 0.1.0
CC        ?= gcc
CLANG     ?= clang
BPFTOOL   ?= bpftool
PREFIX    ?= /usr/local
CFLAGS    ?= -O2 -g
ifeq ($(SANITIZE),1)
BUILD     ?= build-asan
SANFLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD     ?= build
SANFLAGS  :=
endif

ARCH      := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
WARN      := -Wall -Wextra -Werror
# Every project include names its folder: "log/log_reader.h", "attest/x509.h", "bpf/events.h".
CPPFLAGS  += -D_GNU_SOURCE -DKETTLE_VERSION='"$(VERSION)"' -I$(BUILD) -I. -Iuserspace
ALL_CFLAGS = $(CFLAGS) $(WARN) -std=gnu11 $(SANFLAGS)
# The fleet index's stores (forensics/index_*.c): SQLite embedded, PostgreSQL through libpq.
DB_PKGS   := sqlite3 libpq
# The log's compression (log/log_writer.c, log/log_reader.c): libzstd.
PC_PKGS   := $(DB_PKGS) libzstd
CPPFLAGS  += $(shell pkg-config --cflags $(PC_PKGS))
LDLIBS    := -lbpf -lelf -lz -lcbor -ljansson -lcrypto -lIPSec_MB -luring -lpthread $(shell pkg-config --libs $(PC_PKGS))

# userspace/ holds one folder per pipeline stage (docs/ARCHITECTURE.md); tests/ mirrors them.
STAGES    := common log hash provenance collect forensics cli
HEADERS   := $(wildcard $(STAGES:%=userspace/%/*.h) attest/*.h) bpf/events.h
# attest/ depends on nothing in bpf/ or kmod/: its objects need no skeleton.
ATTEST_SRCS := $(wildcard attest/*.c)
LIB_SRCS  := $(filter-out userspace/cli/main.c,$(wildcard $(STAGES:%=userspace/%/*.c))) $(ATTEST_SRCS)
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
UNIT      := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard $(STAGES:%=tests/%/*.c) tests/attest/*.c))
INTEG     := $(patsubst tests/integration/%.c,$(BUILD)/tests/integration/%,$(wildcard tests/integration/*.c))
REAL      := $(patsubst tests/real-builds/%.c,$(BUILD)/tests/real-builds/%,$(wildcard tests/real-builds/*.c))
HELPERS   := $(patsubst tests/helpers/%.c,$(BUILD)/tests/helpers/%,$(wildcard tests/helpers/*.c))
FUZZ      := $(patsubst tests/fuzz/%.c,build-fuzz/%,$(wildcard tests/fuzz/*.c))

.PHONY: all check tests fuzz install clean kmod kmod-test
all: $(BUILD)/kettle

$(BUILD)/vmlinux.h:
	@mkdir -p $(@D)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

$(BUILD)/kettle.bpf.o: bpf/kettle.bpf.c bpf/events.h $(BUILD)/vmlinux.h
	$(CLANG) -target bpf -g -O2 -Wall -Werror -D__TARGET_ARCH_$(ARCH) -I$(BUILD) -Ibpf -c $< -o $@

$(BUILD)/kettle.skel.h: $(BUILD)/kettle.bpf.o
	$(BPFTOOL) gen skeleton $< name kettle_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/userspace/%.o: userspace/%.c $(HEADERS) $(BUILD)/kettle.skel.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/attest/%.o: attest/%.c $(wildcard attest/*.h userspace/common/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libkettle.a: $(LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/kettle: $(BUILD)/userspace/cli/main.o $(BUILD)/libkettle.a
	$(CC) $(ALL_CFLAGS) $^ -o $@ $(LDLIBS)

# Tests find the repository's files (tests/data/vectors) from its root, not from the current directory.
TEST_CPPFLAGS := -Itests -DKETTLE_SOURCE_DIR='"$(CURDIR)"'
$(BUILD)/tests/%: tests/%.c $(wildcard tests/*.h) $(BUILD)/libkettle.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(TEST_CPPFLAGS) $(ALL_CFLAGS) $< $(BUILD)/libkettle.a -o $@ $(LDLIBS)

tests: $(BUILD)/kettle $(UNIT) $(INTEG) $(REAL) $(HELPERS)

check: tests
	KETTLE_BUILD=$(BUILD) tests/run

# The library is compiled once for all fuzz targets (-fsanitize=fuzzer-no-link), each target links it.
FUZZ_OBJS := $(LIB_SRCS:%.c=build-fuzz/obj/%.o)
FUZZ_FLAGS := -g -O1 $(WARN) -fsanitize=address,undefined
fuzz: $(FUZZ)
build-fuzz/obj/%.o: %.c $(HEADERS) $(BUILD)/kettle.skel.h
	@mkdir -p $(@D)
	$(CLANG) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
build-fuzz/libkettle.a: $(FUZZ_OBJS)
	rm -f $@ && ar rcs $@ $^
build-fuzz/%: tests/fuzz/%.c build-fuzz/libkettle.a
	@mkdir -p $(@D)
	$(CLANG) $(CPPFLAGS) $(TEST_CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer $< build-fuzz/libkettle.a -o $@ $(LDLIBS)

# Kbuild writes its objects next to the sources: build a copy in $(BUILD)/kmod.
KMOD_KDIR ?= /lib/modules/$(shell uname -r)/build
kmod:
	@mkdir -p $(BUILD)/kmod/kmod $(BUILD)/kmod/bpf
	cp Kbuild $(BUILD)/kmod/ && cp kmod/*.c kmod/*.h $(BUILD)/kmod/kmod/ && cp bpf/events.h $(BUILD)/kmod/bpf/
	$(MAKE) -C $(KMOD_KDIR) M=$(abspath $(BUILD)/kmod) modules

kmod-test:
	tools/kmod-test

install: $(BUILD)/kettle
	install -D -m 0755 $(BUILD)/kettle $(DESTDIR)$(PREFIX)/bin/kettle
	install -d $(DESTDIR)$(PREFIX)/share/doc/kettle
	install -m 0644 README.md LICENSE docs/*.md $(DESTDIR)$(PREFIX)/share/doc/kettle/

clean:
	rm -rf build build-asan build-fuzz
