# plugins/lv2: the LV2 bundle aiotone.lv2 (docs/lv2.md). The tools named in
# LV2_TOOLS are built again position-independent (their cores and their
# main.c, whose AT_TOOL defines no main() here), with the common modules
# they use and the shell in plugins/lv2/*.c; gen-ttl, built from the same objects,
# writes the bundle's Turtle from the tools' tables and the fmsynth presets.
LV2_TOOLS := fmsynth redblue mothergen circuits
LV2_BUNDLE := $(BUILD)/lv2/aiotone.lv2
LV2_OBJDIR := $(BUILD)/lv2-obj
LV2_PKGS := sndfile libconfig smf lv2
LV2_CFLAGS := $(CFLAGS_ALL) -DAT_LV2_SHELL -fPIC -fvisibility=hidden -Iplugins/lv2 $(shell pkg-config --cflags $(LV2_PKGS))
LV2_LIBS := $(shell pkg-config --libs $(LV2_PKGS)) -lm
LV2_SHELL_SRCS := $(filter-out plugins/lv2/plugin.c plugins/lv2/gen-ttl.c,$(wildcard plugins/lv2/*.c))
LV2_SRCS := common/midi.c common/params.c common/paramset.c common/paramload.c \
	common/paramwrite.c common/rand.c common/log.c common/fileio.c \
	common/strbuf.c common/sigpipe.c common/shellutil.c common/seqshell.c $(LV2_SHELL_SRCS) \
	$(foreach t,$(LV2_TOOLS),$(wildcard clients/$(t)/*.c))
LV2_OBJS := $(LV2_SRCS:%.c=$(LV2_OBJDIR)/%.o)
LV2_PRESETS := $(sort $(wildcard clients/fmsynth/presets/*.conf))
LV2_TTL := $(LV2_BUNDLE)/manifest.ttl $(LV2_BUNDLE)/aiotone.ttl $(LV2_BUNDLE)/presets.ttl

$(LV2_OBJDIR)/%.o: %.c
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(LV2_CFLAGS) $(LV2_TOOL_CFLAGS) -MMD -MP -c $< -o $@
# each tool's own flags (AT_LV2_SHELL: its AT_TOOL defines no main())
$(foreach t,$(LV2_TOOLS),$(eval $(LV2_OBJDIR)/clients/$(t)/%.o: LV2_TOOL_CFLAGS = $$($(t)_CFLAGS)))

$(LV2_BUNDLE)/aiotone.so: $(LV2_OBJS) $(LV2_OBJDIR)/plugins/lv2/plugin.o
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -shared -Wl,--no-undefined -o $@ $^ $(LV2_LIBS)
$(LV2_OBJDIR)/gen-ttl: $(LV2_OBJS) $(LV2_OBJDIR)/plugins/lv2/gen-ttl.o
	$(call say,LINK,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LV2_LIBS)
$(LV2_TTL) &: $(LV2_OBJDIR)/gen-ttl $(LV2_PRESETS)
	@mkdir -p $(LV2_BUNDLE)
	$(call say,GEN,$(LV2_BUNDLE))
	$(Q)$(LV2_OBJDIR)/gen-ttl $(LV2_BUNDLE) aiotone.so $(LV2_PRESETS)

lv2: $(LV2_BUNDLE)/aiotone.so $(LV2_TTL)

# the test host (tests/tools/at-lv2host.c) and the plugin benchmark
# (tests/bench/bench_lv2.c) load the bundle through liblilv
at-lv2host_CFLAGS := $(shell pkg-config --cflags lilv-0 lv2)
at-lv2host_LIBS := $(shell pkg-config --libs lilv-0)
bench_lv2_CFLAGS := $(at-lv2host_CFLAGS)
bench_lv2_LIBS := $(at-lv2host_LIBS)
