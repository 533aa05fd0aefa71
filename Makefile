# vmctl - one workload as a KVM micro-VM or a namespace container, measured side by side.
#
#   make              build bin/vmctl (static, musl), bin/vmctl-full (glibc: the commands that
#                     load libcurl, libarchive or libcrypto), bin/vmctl-init (the guest init)
#                     and bin/vmctl-vmm (the monitor process) (warnings fatal; WERROR=0 relaxes;
#                     STATIC=0 makes bin/vmctl the glibc build too)
#   make test         build, then run every unit and integration test (tests/run)
#   make unit         unit tests only (no root, no KVM)
#   make asan         build with AddressSanitizer/UBSan into build-asan/
#   make analyze      clang's static analyzer (scan-build) or cppcheck
#   make format       clang-format every source file
#   make install      PREFIX=/usr/local DESTDIR=

CC       ?= cc
PREFIX   ?= /usr/local
DESTDIR  ?=
WERROR   ?= 1
BUILD    ?= build
BIN      ?= bin
VERSION  := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)

PKGS     := libcjson libcap libseccomp libcrypto
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# Startup time is the product: every shared library costs at every exec (measured here: libcurl
# 4 ms, libarchive 1.3 ms, libcrypto 0.4 ms, against a 2 ms budget for a whole container start).
# So libcap and libseccomp are linked statically, cJSON (no static archive in Debian)
# dynamically, and libcrypto, libcurl and libarchive are never linked into vmctl: the code that
# needs them loads them with dlopen() at first use (common/digest.c shows how).  Nor is libm
# linked (its 0.3 MiB of mapped pages counted in every run's overhead): the few roundings vmctl
# needs are plain arithmetic (common/report.c, bench/svg.c); `nm -D bin/vmctl` lists no libm symbol.
PKG_LIBS := -Wl,-Bstatic -lcap -lseccomp -Wl,-Bdynamic -lcjson -ldl

WARNINGS := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
            -Wno-unused-parameter -Wno-format-truncation -Wvla
ifeq ($(WERROR),1)
WARNINGS += -Werror
endif
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 $(WARNINGS) -fno-strict-aliasing -fstack-protector-strong \
            -ffunction-sections -fdata-sections
LDFLAGS  += -Wl,--gc-sections -Wl,-O1
CPPFLAGS += -I. -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 -DVMCTL_VERSION=\"$(VERSION)\" $(PKG_CFLAGS)
LDLIBS   += $(PKG_LIBS) -lpthread

# The libraries: engines that never print or exit.  The CLI: one file per subcommand.
LIB_SRCS := $(sort $(wildcard common/*.c container/*.c vmm/*.c vmm/devices/*.c images/*.c bench/*.c))
CLI_SRCS := $(sort $(filter-out cli/main.c,$(wildcard cli/*.c)))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
# Helper programs of the integration tests (e.g. bench_fixture writes a bench page).
TOOL_SRCS := $(sort $(wildcard tests/tools/*.c))
TOOL_BINS := $(TOOL_SRCS:tests/tools/%.c=$(BUILD)/tests/%)

all: $(BIN)/vmctl $(BIN)/vmctl-full $(BIN)/vmctl-init $(BIN)/vmctl-vmm $(BUILD)/vmctl-floor

# bin/vmctl is what every `vmctl run` execs, so it is static and built with musl: glibc costs
# every exec 0.3-0.5 ms here (ld.so, then ~20 CPUID instructions that trap to the hypervisor of
# this nested machine; a static musl binary starts in 0.13 ms) and triples vmctl's resident
# memory, which the report counts.  cJSON, libcap and libseccomp are built for it from
# Debian's source packages (scripts/musl-deps).  A static binary cannot load libcurl,
# libarchive or libcrypto, so the commands that need them (marked in cli/commands.c, and
# `run --mode=vm`) are handed to bin/vmctl-full, the same sources linked with glibc.
STATIC    ?= 1
MUSL_CC   ?= musl-gcc
MUSL_DEPS ?= $(BUILD)/musl-deps
MUSL_OBJS := $(patsubst %.c,$(BUILD)/musl/%.o,cli/main.c $(CLI_SRCS) $(LIB_SRCS))
MUSL_LIBS := $(addprefix $(MUSL_DEPS)/lib/,libcjson.a libcap.a libseccomp.a)
MUSL_CPPFLAGS := -I. -D_GNU_SOURCE -DVMCTL_STATIC -DVMCTL_VERSION=\"$(VERSION)\" \
		 -isystem $(MUSL_DEPS)/include

$(BIN)/vmctl-full: $(BUILD)/cli/main.o $(CLI_OBJS) $(LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

ifeq ($(STATIC),1)
$(BIN)/vmctl: $(MUSL_OBJS) $(MUSL_LIBS)
	@mkdir -p $(@D)
	$(MUSL_CC) -static $(CFLAGS) $(LDFLAGS) -o $@ $^ -lpthread
else
# One glibc binary that does everything itself (make asan: sanitizers need glibc).
$(BIN)/vmctl: $(BUILD)/cli/main.o $(CLI_OBJS) $(LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
endif

# bench/startup's reference row: vmctl's isolation with no runtime around it
# (bench/floor/main.c), linked like bin/vmctl.  Not installed.
ifeq ($(STATIC),1)
$(BUILD)/vmctl-floor: $(BUILD)/musl/bench/floor/main.o $(filter-out $(BUILD)/musl/cli/%,$(MUSL_OBJS)) $(MUSL_LIBS)
	$(MUSL_CC) -static $(CFLAGS) $(LDFLAGS) -o $@ $^ -lpthread
else
$(BUILD)/vmctl-floor: $(BUILD)/bench/floor/main.o $(LIB_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
endif

$(MUSL_DEPS)/.done: scripts/musl-deps
	scripts/musl-deps $(MUSL_DEPS)
$(MUSL_LIBS): $(MUSL_DEPS)/.done

$(BUILD)/musl/%.o: %.c | $(MUSL_DEPS)/.done
	@mkdir -p $(@D)
	$(MUSL_CC) $(MUSL_CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# The guest init runs as PID 1 inside the VM: static, small, no libraries.
# Small matters: the emulated guest kernel unpacks the initramfs byte by byte
# (about 0.6 ms per KiB here).  With musl it is 18 KiB, with glibc 690 KiB,
# so musl-gcc when it is installed (scripts/setup installs musl-tools).
INIT_CC  ?= $(shell command -v musl-gcc 2>/dev/null || echo $(CC))
$(BIN)/vmctl-init: vmm/guest/init.c common/userdb.c common/userdb.h $(wildcard vmm/guest/*.h) vmm/milestone.h
	@mkdir -p $(@D)
	$(INIT_CC) -std=gnu11 $(WARNINGS) -Os -static -s -I. -D_GNU_SOURCE -o $@ vmm/guest/init.c common/userdb.c

# The monitor as its own process (vmm/launch.h): static, only vmm/ and the
# few common/ helpers it uses, so its memory is the monitor's.  musl has no
# kernel headers of its own: the system's linux/ and asm/ are linked in.
MON_SRCS := $(sort $(wildcard vmm/*.c vmm/devices/*.c)) vmm/monitor/main.c \
	    common/error.c common/util.c common/strv.c
MON_INC  := $(BUILD)/monitor-include
$(MON_INC)/.stamp:
	@mkdir -p $(@D)
	ln -sfn /usr/include/linux $(@D)/linux
	ln -sfn /usr/include/asm-generic $(@D)/asm-generic
	ln -sfn /usr/include/$(shell $(CC) -dumpmachine)/asm $(@D)/asm
	@touch $@
$(BIN)/vmctl-vmm: $(MON_SRCS) $(wildcard vmm/*.h vmm/devices/*.h common/*.h) $(MON_INC)/.stamp
	@mkdir -p $(@D)
	$(INIT_CC) -std=gnu11 $(WARNINGS) -O2 -static -s -I. -isystem $(MON_INC) -D_GNU_SOURCE -o $@ $(MON_SRCS) -lpthread

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# The objects that print VMCTL_VERSION are rebuilt when it changes (a new
# commit), so `vmctl version` and the bench's facts never name an old one.
VERSION_USERS := $(foreach d,$(BUILD) $(BUILD)/musl,\
		 $(d)/cli/cmd_version.o $(d)/bench/machine.o $(d)/images/registry_http.o)
$(BUILD)/version.stamp: FORCE
	@mkdir -p $(@D)
	@echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' > $@
$(VERSION_USERS): $(BUILD)/version.stamp
FORCE:
.PHONY: FORCE

$(BUILD)/tests/%: tests/unit/%.c $(CLI_OBJS) $(LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $^ $(LDLIBS) -lcmocka -lm

$(BUILD)/tests/%: tests/tools/%.c $(CLI_OBJS) $(LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $^ $(LDLIBS)

unit: $(UNIT_BINS) $(TOOL_BINS)
	tests/run --unit

test: all $(UNIT_BINS) $(TOOL_BINS)
	tests/run

asan:
	$(MAKE) BUILD=build-asan BIN=build-asan/bin \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" \
		LDFLAGS="-fsanitize=address,undefined" STATIC=0 build-asan/bin/vmctl \
		build-asan/bin/vmctl-init build-asan/bin/vmctl-vmm
	@echo "ASan/UBSan build: build-asan/bin/vmctl (VMCTL=build-asan/bin/vmctl tests/run runs the tests on it)"

analyze:
	@if command -v scan-build >/dev/null 2>&1; then \
		scan-build -o build-analyze/reports --status-bugs $(MAKE) BUILD=build-analyze BIN=build-analyze/bin STATIC=0 -B build-analyze/bin/vmctl-full; \
	else \
		cppcheck --enable=warning,performance,portability --error-exitcode=1 \
			--inline-suppr -q -I. -D_GNU_SOURCE $(LIB_SRCS) cli; \
	fi

format:
	clang-format -i $(wildcard */*.c */*.h */*/*.c */*/*.h)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/vmctl
	install -m 0755 bin/vmctl $(DESTDIR)$(PREFIX)/bin/vmctl
	install -m 0755 bin/vmctl-full $(DESTDIR)$(PREFIX)/lib/vmctl/vmctl-full
	install -m 0755 bin/vmctl-init $(DESTDIR)$(PREFIX)/lib/vmctl/vmctl-init
	install -m 0755 bin/vmctl-vmm $(DESTDIR)$(PREFIX)/lib/vmctl/vmctl-vmm
	cp -r images/kernel $(DESTDIR)$(PREFIX)/lib/vmctl/
	# The classroom demos (`vmctl demo`) and the helpers they source, side by side as in the tree.
	install -d $(DESTDIR)$(PREFIX)/lib/vmctl/scripts/demo $(DESTDIR)$(PREFIX)/lib/vmctl/scripts/lib
	install -m 0755 $(filter-out %/lib.sh,$(wildcard scripts/demo/*)) $(DESTDIR)$(PREFIX)/lib/vmctl/scripts/demo/
	install -m 0644 scripts/demo/lib.sh $(DESTDIR)$(PREFIX)/lib/vmctl/scripts/demo/
	install -m 0644 scripts/lib/*.sh $(DESTDIR)$(PREFIX)/lib/vmctl/scripts/lib/

clean:
	rm -rf $(BUILD) build-asan build-analyze bin

.PHONY: all unit test asan analyze format install clean
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
