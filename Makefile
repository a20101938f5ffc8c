# SPDX-License-Identifier: GPL-2.0
# shakeoff: one non-recursive Makefile. `make V=1` shows the commands.
.DELETE_ON_ERROR:
.SUFFIXES:
.SECONDARY:

OUTPUT := .output
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# Missing build tools are installed once (as root) before anything is built.
DEPS_OK := $(OUTPUT)/.deps-ok

PKGS := libbpf libxdp
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS ?= -g -O2
CFLAGS += -Wall -Wextra -Werror -fno-strict-aliasing -std=gnu11 -Iinclude -I$(OUTPUT)
LDLIBS += -lelf -lz -lm

BPF_CFLAGS := -g -O2 --target=bpf -D__TARGET_ARCH_x86 -Wall -Werror -I. -Iinclude
# System headers after ours, so vmlinux.h wins over <linux/*.h>.
BPF_SYS_INC = $(shell $(CLANG) -v -E - </dev/null 2>&1 | \
	sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')

TEST_BPF := $(OUTPUT)/xdp_pass.bpf.o
FUZZERS := $(addprefix $(OUTPUT)/fuzz_,ports keys num synack)
BPF_HDRS := $(wildcard bpf/lib/*.h) $(wildcard include/*.h) vmlinux.h
SKELS := $(OUTPUT)/shakeoff.skel.h

# The version is debian/changelog's (one place for it).
VERSION := $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)

# The CLI's option tables, --help texts, man page and completion are made
# from one source, docs/cli.py.
CLI_GEN := $(OUTPUT)/cli.c $(OUTPUT)/cli.h
CLI_SRC := docs/cli.py scripts/gencli.py
MAN := $(OUTPUT)/shakeoff.8
COMPLETION := $(OUTPUT)/shakeoff.bash
EXAMPLE_CONF := $(OUTPUT)/example.conf
UNIT := $(OUTPUT)/shakeoff@.service

# make install [PREFIX=/usr/local] [DESTDIR=]; the Debian package uses PREFIX=/usr.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions

USER_SRCS := $(wildcard user/*.c)
USER_HDRS := $(wildcard user/*.h) $(wildcard include/*.h) $(OUTPUT)/cli.h
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_HDRS := $(wildcard tests/unit/*.h)

.PHONY: all clean test unit demo demo-front bench bench-front profile soak fuzz vmlinux deps install uninstall deb lint FORCE
all: shakeoff $(MAN) $(COMPLETION) $(EXAMPLE_CONF) $(UNIT) $(OUTPUT)/test_unit $(OUTPUT)/bench_cost $(OUTPUT)/jitlines $(TEST_BPF) $(OUTPUT)/synflood $(OUTPUT)/hsload $(FUZZERS)

$(DEPS_OK): scripts/deps.sh
	$(Q)mkdir -p $(OUTPUT)
	$(Q)bash scripts/deps.sh build
	$(Q)touch $@

deps: $(DEPS_OK)

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) | $(DEPS_OK)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(BPF_SYS_INC) -c $< -o $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp && rm -f $@.tmp

$(OUTPUT)/%.bpf.o: bench/%.bpf.c $(BPF_HDRS) | $(DEPS_OK)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(BPF_SYS_INC) -c $< -o $@

$(OUTPUT)/%.bpf.o: tests/bpf/%.bpf.c | $(DEPS_OK)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(BPF_SYS_INC) -c $< -o $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $* > $@

$(OUTPUT)/cli.h: $(CLI_SRC) debian/changelog | $(DEPS_OK)
	$(call msg,GEN,$(CLI_GEN))
	$(Q)python3 scripts/gencli.py c $(OUTPUT) $(VERSION)
$(OUTPUT)/cli.c: $(OUTPUT)/cli.h

$(MAN): $(CLI_SRC) include/shakeoff.h debian/changelog | $(DEPS_OK)
	$(call msg,GEN,$@)
	$(Q)python3 scripts/gencli.py man $@ $(VERSION)

$(COMPLETION): $(CLI_SRC) | $(DEPS_OK)
	$(call msg,GEN,$@)
	$(Q)python3 scripts/gencli.py bash $@

$(EXAMPLE_CONF): $(CLI_SRC) | $(DEPS_OK)
	$(call msg,GEN,$@)
	$(Q)python3 scripts/gencli.py conf $@

# The unit names the installed binary and config: made for this PREFIX.
$(UNIT): dist/shakeoff@.service.in FORCE | $(DEPS_OK)
	$(Q)sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' $< > $@.tmp
	$(Q)cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

FORCE:

shakeoff: $(USER_SRCS) $(OUTPUT)/cli.c $(USER_HDRS) $(SKELS) | $(DEPS_OK)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(PKG_CFLAGS) $(USER_SRCS) $(OUTPUT)/cli.c -o $@ $(PKG_LIBS) $(LDLIBS)

# The daemon's parts without its command line: the unit tests and bench_cost drive them.
DAEMON_USER := user/halfopen.c user/flows.c user/evsrv.c user/maps.c user/config.c user/pin.c \
	user/keys.c user/log.c user/json.c user/sockdiag.c user/attach.c
$(OUTPUT)/test_unit: $(UNIT_SRCS) $(UNIT_HDRS) $(DAEMON_USER) $(USER_HDRS) $(SKELS) | $(DEPS_OK)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(PKG_CFLAGS) $(UNIT_SRCS) $(DAEMON_USER) -o $@ $(PKG_LIBS) $(LDLIBS)

$(OUTPUT)/synflood: bench/synflood.c $(OUTPUT)/synflood.skel.h | $(DEPS_OK)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(PKG_CFLAGS) $< -o $@ $(PKG_LIBS) $(LDLIBS)

$(OUTPUT)/hsload: bench/hsload.c | $(DEPS_OK)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(PKG_CFLAGS) $< -o $@ $(PKG_LIBS) $(LDLIBS)

$(OUTPUT)/jitlines: bench/jitlines.c | $(DEPS_OK)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(PKG_CFLAGS) $< -o $@ $(PKG_LIBS) $(LDLIBS)

$(OUTPUT)/connrate: bench/connrate.c | $(DEPS_OK)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $< -o $@ -lpthread

# It loads the reference responder (.output/reference.bpf.o) when it runs.
$(OUTPUT)/bench_cost: bench/cost.c tests/unit/frame.c $(DAEMON_USER) $(USER_HDRS) $(SKELS) \
		$(OUTPUT)/cost.skel.h $(OUTPUT)/reference.bpf.o | $(DEPS_OK)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(PKG_CFLAGS) bench/cost.c tests/unit/frame.c $(DAEMON_USER) -o $@ \
		$(PKG_LIBS) $(LDLIBS)

# Front mode against SYNPROXY (bench/front.md, carried into RESULTS.md by make bench).
bench-front: all $(OUTPUT)/sink.bpf.o
	$(Q)bash scripts/deps.sh bench
	$(Q)bash bench/front.sh

bench: all $(OUTPUT)/bench_cost $(OUTPUT)/sink.bpf.o $(OUTPUT)/drop.bpf.o $(OUTPUT)/connrate
	$(Q)bash scripts/deps.sh bench
	$(Q)bash bench/front.sh
	$(Q)bash bench/run.sh

# One path of bench_cost under perf, by source line: make profile P=ack_cookie
profile: $(OUTPUT)/bench_cost $(OUTPUT)/jitlines
	$(Q)bash scripts/deps.sh bench
	$(Q)bash bench/profile.sh $(P)

test: all
	$(Q)bash scripts/deps.sh test
	$(Q)bash tests/run

# libFuzzer harnesses on the userspace parsers and the shared SYN-ACK builder.
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-Iinclude -Iuser -I$(OUTPUT)
FUZZ_SRCS_ports := user/config.c user/log.c user/json.c
FUZZ_SRCS_keys := user/keys.c
FUZZ_SRCS_num := user/args.c user/log.c user/json.c
FUZZ_SRCS_synack := tests/unit/frame.c
.SECONDEXPANSION:
$(OUTPUT)/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_SRCS_$$*) $(USER_HDRS) $(SKELS) | $(DEPS_OK)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(PKG_CFLAGS) $< $(FUZZ_SRCS_$*) -o $@ $(PKG_LIBS) $(LDLIBS)

# Fuzzing at length: 100 M frames and 100 M forged ACKs through the data
# plane, and each libFuzzer harness for FUZZ_SECONDS (default 120).
# `make test` runs the short forms.
fuzz: all $(FUZZERS)
	$(Q)SO_FUZZ_FRAMES=100000000 $(OUTPUT)/test_unit fuzz_data_plane
	$(Q)SO_FORGE_ACKS=100000000 $(OUTPUT)/test_unit forgery_odds
	$(Q)bash tests/fuzz/run $${FUZZ_SECONDS:-120}

# The soak test at full length (10 minutes); `make test` runs it for 60 s.
soak: all
	$(Q)bash scripts/deps.sh test
	$(Q)SOAK_SECONDS=600 bash tests/run test_soak

demo: all
	$(Q)bash scripts/deps.sh test
	$(Q)bash scripts/demo.sh

# Front mode: a router shields the server behind it (shakeoff run --front + backend).
demo-front: all
	$(Q)bash scripts/deps.sh test
	$(Q)bash scripts/demo_front.sh

unit: $(OUTPUT)/test_unit
	$(Q)$(OUTPUT)/test_unit

install: shakeoff $(MAN) $(COMPLETION) $(EXAMPLE_CONF) $(UNIT)
	install -D -m 755 shakeoff $(DESTDIR)$(SBINDIR)/shakeoff
	install -D -m 644 $(MAN) $(DESTDIR)$(MANDIR)/man8/shakeoff.8
	install -D -m 644 $(UNIT) $(DESTDIR)$(UNITDIR)/shakeoff@.service
	install -D -m 644 $(EXAMPLE_CONF) $(DESTDIR)$(SYSCONFDIR)/shakeoff/example.conf
	install -D -m 644 $(COMPLETION) $(DESTDIR)$(COMPLETIONDIR)/shakeoff

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/shakeoff $(DESTDIR)$(MANDIR)/man8/shakeoff.8 \
		$(DESTDIR)$(UNITDIR)/shakeoff@.service $(DESTDIR)$(SYSCONFDIR)/shakeoff/example.conf \
		$(DESTDIR)$(COMPLETIONDIR)/shakeoff
	-rmdir $(DESTDIR)$(SYSCONFDIR)/shakeoff 2>/dev/null

# shellcheck, cppcheck, clang-format: all clean (tests/run runs this too).
lint: all
	$(Q)bash scripts/deps.sh lint
	$(Q)bash scripts/lint.sh

# The Debian package (debian/), in .output/deb/.
deb: | $(DEPS_OK)
	$(Q)bash scripts/deps.sh deb
	$(Q)bash scripts/deb.sh

vmlinux: | $(DEPS_OK)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux.h

clean:
	$(Q)rm -rf $(OUTPUT) shakeoff
