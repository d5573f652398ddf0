/* plugins.c - the bundle's plugins: each is a tool's own AtTool (the one
 * its JACK program runs) plus what only LV2 needs to know. */
#include "lv2app.h"

extern const AtTool fmsynth_tool, redblue_tool, mothergen_tool, circuits_tool;

/* Polyphony allocates voices: it changes through state restore (outside
 * the audio thread), not through a control port. */
static const char *const fmsynth_state_only[] = {"audio.polyphony", NULL};

static const AtLv2Plugin fmsynth = {AT_LV2_PLUGIN(fmsynth, "InstrumentPlugin"),
                                    .state_only = fmsynth_state_only};
static const AtLv2Plugin redblue = {AT_LV2_PLUGIN(redblue, "MIDIPlugin")};
/* The sequencers follow the host's time:Position. */
static const AtLv2Plugin mothergen = {AT_LV2_PLUGIN(mothergen, "MIDIPlugin"), .transport = true};
static const AtLv2Plugin circuits = {AT_LV2_PLUGIN(circuits, "MIDIPlugin"), .transport = true};

const AtLv2Plugin *const at_lv2_plugins[] = {&fmsynth, &redblue, &mothergen, &circuits, NULL};
