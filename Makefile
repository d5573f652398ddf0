# aiotone - build, test, benchmark, install.
#
#   make              build every tool into build/bin, the LV2 bundle into build/lv2
#   make check        unit + integration + workflow tests (README's test command)
#   make workflows    the workflow tests (tests/workflows: what users run, end to end)
#   make asan         the unit and integration tests with ASan + UBSan
#   make memcheck     the unit tests under valgrind
#   make fuzz         every fuzz target for FUZZ_SECONDS (clang libFuzzer)
#   make bench        benchmarks, printed as ratios
#   make check-ardour the LV2 plugins in Ardour 7 headless (installs Ardour, ~200 MB)
#   make mutate       mutation testing of the cores (docs/mutation.md; not in check)
#   make demo         the demo session (writes demo.wav)
#   make install      PREFIX=/usr/local DESTDIR=
#   make format-check clang-format over the sources
#
# Layout: common/*.c -> libaiotone.a; clients/<tool>/*.c except main.c and
# jack.c -> the tool's pure core (lib<tool>.a); main.c + jack.c + core ->
# build/bin/aiotone-<tool>. Each clients/<tool>/module.mk names the
# pkg-config packages the tool links (<tool>_PKGS; a tool built on the
# shell of common/app.h names $(COMMON_PKGS) and $(COMMON_LIBS) too) and
# may set <tool>_CFLAGS and <tool>_LIBS (e.g. -lm), and <tool>_SHELL: more
# shell files (names in clients/<tool>/) that go with main.c and jack.c,
# not into the core; a tool without a module.mk gets every package in PKGS. Tests, fuzz targets and benchmarks are found by
# name (tests/unit/test_*.c, tests/fuzz/fuzz_*.c, tests/bench/bench_*.c,
# tests/tools/*.c), so adding one needs no edit here; tests/tools/module.mk
# names each test tool's packages the same way (<name>_PKGS), and a
# module.mk may set bench_<name>_CFLAGS for a benchmark. Unit tests,
# benchmarks and fuzz targets link every core, so every package.

.DEFAULT_GOAL := all

VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
CC ?= cc
OPT ?= -O2 -g
# Every package some tool uses. COMMON_PKGS and COMMON_LIBS: what
# common/ (libaiotone.a, the JACK shell of app.h) needs, so what every tool
# built on app.h links; its module.mk says <tool>_PKGS := $(COMMON_PKGS) ...
PKGS := jack alsa sndfile libconfig liblo smf
COMMON_PKGS := jack alsa libconfig liblo
COMMON_LIBS := -lm
pkg_cflags = $(if $(strip $(1)),$(shell pkg-config --cflags $(1)))
pkg_libs = $(if $(strip $(1)),$(shell pkg-config --libs $(1)))
PKG_CFLAGS := $(call pkg_cflags,$(PKGS))
PKG_LIBS := $(call pkg_libs,$(PKGS)) -lpthread -lm
WARN := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
# CFLAGS_BASE: no package flags; CFLAGS_ALL: those of every package (for
# what links every core: unit tests, benchmarks, the LV2 bundle).
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE $(WARN) $(OPT) -Icommon -I. \
	-DAT_VERSION=\"$(VERSION)\" $(EXTRA_CFLAGS)
CFLAGS_ALL := $(CFLAGS_BASE) $(PKG_CFLAGS)
LDFLAGS_ALL := $(EXTRA_LDFLAGS)
# Quiet build lines ("CC file"); make V=1 shows the full commands.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2)
endif

TOOLS := $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard clients/*/*.c)))))
-include $(wildcard clients/*/module.mk)
# Per-folder settings of the test tools (tests/tools/module.mk).
-include $(wildcard tests/*/module.mk)
# Plugin shells (plugins/<kind>/module.mk: plugins/lv2 builds the LV2 bundle).
-include $(wildcard plugins/*/module.mk)

COMMON_SRCS := $(wildcard common/*.c)
COMMON_OBJS := $(COMMON_SRCS:%.c=$(BUILD)/%.o)
LIBCOMMON := $(BUILD)/libaiotone.a

# Per-tool: core objects, shell objects, program. The tool's objects are
# compiled with its packages' flags and linked with its packages only.
define TOOL_template
$(1)_PKGS ?= $(PKGS)
$(1)_PKG_CFLAGS := $$(call pkg_cflags,$$($(1)_PKGS))
$(1)_PKG_LIBS := $$(call pkg_libs,$$($(1)_PKGS))
$(1)_SHELL_SRCS := $$(wildcard clients/$(1)/main.c clients/$(1)/jack.c $$(addprefix clients/$(1)/,$$($(1)_SHELL)))
$(1)_CORE_SRCS := $$(filter-out $$($(1)_SHELL_SRCS),$$(wildcard clients/$(1)/*.c))
$(1)_LIB := $(BUILD)/lib$(1).a
CORE_LIBS += $$($(1)_LIB)
$$($(1)_LIB): $$($(1)_CORE_SRCS:%.c=$(BUILD)/%.o)
	@mkdir -p $$(@D)
	$$(Q)rm -f $$@ && ar rcs $$@ $$^
$(BUILD)/clients/$(1)/%.o: clients/$(1)/%.c
	@mkdir -p $$(@D)
	$$(call say,CC,$$<)
	$$(Q)$$(CC) $$(CFLAGS_BASE) $$($(1)_PKG_CFLAGS) $$($(1)_CFLAGS) -MMD -MP -c $$< -o $$@
ifneq ($$(wildcard clients/$(1)/main.c),)
PROGRAMS += $(BUILD)/bin/aiotone-$(1)
$(BUILD)/bin/aiotone-$(1): $$($(1)_SHELL_SRCS:%.c=$(BUILD)/%.o) $$($(1)_LIB) $(LIBCOMMON)
	@mkdir -p $$(@D)
	$$(call say,LINK,$$@)
	$$(Q)$$(CC) $$(LDFLAGS_ALL) -o $$@ $$^ $$($(1)_LIBS) $$($(1)_PKG_LIBS) -lpthread
endif
endef
$(foreach t,$(TOOLS),$(eval $(call TOOL_template,$(t))))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOL_BINS := $(TOOL_SRCS:tests/tools/%.c=$(BUILD)/tests/tools/%)
BENCH_SRCS := $(wildcard tests/bench/bench_*.c)
BENCH_BINS := $(BENCH_SRCS:tests/bench/%.c=$(BUILD)/tests/bench/%)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_SECONDS ?= 60
# Tests, tools and benchmarks link every core, so every tool's own LIBS
# and packages (a test tool that names its packages in tests/tools/module.mk
# links only those: the archives give it only the objects it calls).
ALL_PKGS := $(sort $(PKGS) $(foreach t,$(TOOLS),$($(t)_PKGS)))
ALL_PKG_CFLAGS := $(call pkg_cflags,$(ALL_PKGS))
TOOL_LIBS := $(sort $(foreach t,$(TOOLS),$($(t)_LIBS)))
ALL_PKG_LIBS := $(call pkg_libs,$(ALL_PKGS)) $(TOOL_LIBS) -lpthread -lm
LINK_CORES = -Wl,--start-group $(CORE_LIBS) $(LIBCOMMON) -Wl,--end-group

.PHONY: all check unit integration workflows asan memcheck fuzz bench demo install \
	uninstall clean format format-check check-vm deps tests lv2 check-ardour
all: $(PROGRAMS) lv2

$(BUILD)/common/%.o: common/%.c
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS_BASE) $(call pkg_cflags,$(COMMON_PKGS)) -MMD -MP -c $< -o $@
$(LIBCOMMON): $(COMMON_OBJS)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/tests/unit/%: tests/unit/%.c $(CORE_LIBS) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS_BASE) $(ALL_PKG_CFLAGS) -Itests -MMD -MP $(LDFLAGS_ALL) -o $@ $< $(LINK_CORES) -lcmocka $(ALL_PKG_LIBS)
$(BUILD)/tests/tools/%: tests/tools/%.c $(CORE_LIBS) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS_BASE) $(if $(filter undefined,$(origin $*_PKGS)),$(ALL_PKG_CFLAGS),$(call pkg_cflags,$($*_PKGS))) \
		$($*_CFLAGS) -Itests -MMD -MP $(LDFLAGS_ALL) -o $@ $< $(LINK_CORES) \
		$(if $(filter undefined,$(origin $*_PKGS)),$(ALL_PKG_LIBS),$(call pkg_libs,$($*_PKGS)) -lpthread) $($*_LIBS)
$(BUILD)/tests/bench/%: tests/bench/%.c $(CORE_LIBS) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS_BASE) $(ALL_PKG_CFLAGS) $($*_CFLAGS) -Itests -MMD -MP $(LDFLAGS_ALL) -o $@ $< $(LINK_CORES) $(ALL_PKG_LIBS) $($*_LIBS)

tests: $(PROGRAMS) lv2 $(UNIT_BINS) $(TOOL_BINS)

# The README's test command. Installs missing packages first (idempotent).
check: deps
	$(MAKE) tests
	BUILD=$(BUILD) tests/run-tests.sh all

deps:
	@scripts/install-deps.sh

unit: tests
	BUILD=$(BUILD) tests/run-tests.sh unit
integration: tests
	BUILD=$(BUILD) tests/run-tests.sh integration
workflows: tests
	BUILD=$(BUILD) tests/run-tests.sh workflows

asan:
	$(MAKE) BUILD=build-asan CC=$(CC) OPT="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
		EXTRA_LDFLAGS="-fsanitize=address,undefined" tests
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		BUILD=build-asan tests/run-tests.sh $(or $(ASAN_SUITES),all)

memcheck: tests
	BUILD=$(BUILD) AT_MEMCHECK=1 tests/run-tests.sh unit

# Ardour is about 200 MB, so this is not part of `make check`.
check-ardour: tests
	@scripts/install-deps.sh ardour
	BUILD=$(BUILD) bash tests/hosts/test_ardour.sh

check-vm: tests
	BUILD=$(BUILD) tests/vm/run-vm-tests.sh

fuzz: $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)
	BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run-fuzz.sh

# Fuzz objects: built once with clang (instrumented, not linked with the
# fuzzer's main) and shared by every target; the same warnings as the rest
# and dependency files like every other object. (clang also counts the
# trailing members left out of a positional table entry as missing
# initializers, which gcc does not: the parameter tables are written that
# way, and their members left out are zero by the C rules.)
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) -Wno-missing-field-initializers -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
	-Icommon -I. -Itests $(ALL_PKG_CFLAGS) -DAT_VERSION=\"$(VERSION)\"
FUZZ_LIB_SRCS := $(COMMON_SRCS) $(foreach t,$(TOOLS),$($(t)_CORE_SRCS))
FUZZ_LIB_OBJS := $(FUZZ_LIB_SRCS:%.c=$(BUILD)/fuzz-obj/%.o)
$(BUILD)/fuzz-obj/%.o: %.c
	@mkdir -p $(@D)
	$(call say,FUZZCC,$<)
	$(Q)clang $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@
# the objects are kept (not deleted as intermediate files)
.SECONDARY: $(FUZZ_SRCS:%.c=$(BUILD)/fuzz-obj/%.o) $(FUZZ_LIB_OBJS)
$(BUILD)/fuzz/fuzz_%: $(BUILD)/fuzz-obj/tests/fuzz/fuzz_%.o $(FUZZ_LIB_OBJS)
	@mkdir -p $(@D)
	$(call say,FUZZ,$@)
	$(Q)clang -fsanitize=fuzzer,address,undefined -o $@ $^ -lcmocka $(ALL_PKG_LIBS)

bench: $(PROGRAMS) lv2 $(BENCH_BINS) $(TOOL_BINS)
	BUILD=$(BUILD) tests/bench/run-bench.sh

# Mutation testing: builds its own copy of the tree in a temporary folder.
# MUTATE_ARGS e.g. "--files midi,params --per-file 60 --jobs 2 -v".
.PHONY: mutate
mutate:
	tests/mutate/mutate.py $(MUTATE_ARGS)

demo: $(PROGRAMS)
	BUILD=$(BUILD) scripts/demo.sh

MANS := $(wildcard docs/man/*.1)
install: $(PROGRAMS) lv2
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/aiotone/sessions $(DESTDIR)$(PREFIX)/share/doc/aiotone
	install -m 755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/
	$(if $(MANS),install -m 644 $(MANS) $(DESTDIR)$(PREFIX)/share/man/man1/)
	cp -R sessions/. $(DESTDIR)$(PREFIX)/share/aiotone/sessions/
	$(if $(wildcard clients/fmsynth/presets/*),install -d $(DESTDIR)$(PREFIX)/share/aiotone/presets && \
		install -m 644 clients/fmsynth/presets/* $(DESTDIR)$(PREFIX)/share/aiotone/presets/)
	install -m 644 README.md $(wildcard docs/*.md) $(DESTDIR)$(PREFIX)/share/doc/aiotone/
	install -d $(DESTDIR)$(PREFIX)/share/doc/aiotone/config $(DESTDIR)$(PREFIX)/share/doc/aiotone/touchosc
	install -m 644 $(wildcard docs/config/*.conf) $(DESTDIR)$(PREFIX)/share/doc/aiotone/config/
	install -m 644 $(wildcard docs/touchosc/*) $(DESTDIR)$(PREFIX)/share/doc/aiotone/touchosc/
	$(if $(LV2_BUNDLE),install -d $(DESTDIR)$(PREFIX)/lib/lv2/aiotone.lv2 && \
		install -m 644 $(LV2_BUNDLE)/*.ttl $(LV2_BUNDLE)/aiotone.so $(DESTDIR)$(PREFIX)/lib/lv2/aiotone.lv2/)

uninstall:
	rm -f $(PROGRAMS:$(BUILD)/bin/%=$(DESTDIR)$(PREFIX)/bin/%)
	rm -f $(MANS:docs/man/%=$(DESTDIR)$(PREFIX)/share/man/man1/%)
	rm -rf $(DESTDIR)$(PREFIX)/share/aiotone $(DESTDIR)$(PREFIX)/share/doc/aiotone
	rm -rf $(DESTDIR)$(PREFIX)/lib/lv2/aiotone.lv2

FORMAT_SRCS = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	clang-format -i $(FORMAT_SRCS)
format-check:
	@clang-format --dry-run -Werror $(FORMAT_SRCS) && echo "format-check: clean"

clean:
	rm -rf build build-asan build-clang

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
