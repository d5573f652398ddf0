/* fmparams.h - fmsynth's parameters: the one table the registry, config
 * files, OSC and saved state come from; its patch entries are bound to
 * their FmPatch fields (AT_BIND), so a patch parameter is one field in
 * FmPatch/FmOpPatch and one table entry (docs/architecture.md, "How to
 * add a parameter"). */
#ifndef FM_PARAMS_H
#define FM_PARAMS_H

#include "fmsynth.h"
#include "params.h"

#include <stdbool.h>
#include <stdio.h>

/* Per-operator keys, in table order. */
enum {
    FM_P_WAVE,
    FM_P_RATIO,
    FM_P_ATTACK,
    FM_P_DECAY,
    FM_P_SUSTAIN,
    FM_P_RELEASE,
    FM_P_LEVEL,
    FM_P_PER_OP
};

/* Indexes into fm_param_defs(). */
enum {
    FM_P_CHANNEL,
    FM_P_MIDI_CONNECT,
    FM_P_POLYPHONY,
    FM_P_CONNECT_LEFT,
    FM_P_CONNECT_RIGHT,
    FM_P_ALGORITHM,
    FM_P_FEEDBACK,
    FM_P_VOLUME,
    FM_P_OP1,
    FM_P_PRESET = FM_P_OP1 + FM_OPS * FM_P_PER_OP,
    FM_P_PRESET_DIR,
    FM_P_PANIC,
    FM_P_COUNT
};

/* The parameter table (the JACK shell's AT_TOOL names it). */
extern const AtParamDef fm_params[FM_P_COUNT];
/* The same table (n set to its length). */
const AtParamDef *fm_param_defs(size_t *n);
/* True when table entry which is part of the patch: bound (AT_BIND) to
 * an FmPatch field. */
bool fm_param_is_patch(int which);
/* Set the patch field of table entry which from a value (f for FLOAT and
 * DURATION, i for INT and ENUM) through its binding (at_params_apply);
 * false when which is not a patch field. RT safe. */
bool fm_param_apply(FmPatch *p, int which, double f, int i);
/* Read the whole patch from a registry built from fm_param_defs(): the
 * default patch, then every bound entry (at_params_fill). */
void fm_patch_from_params(const AtParams *reg, FmPatch *p);
/* Write the registry's patch as a preset (a config file with only the
 * patch section). */
void fm_patch_write(const AtParams *reg, FILE *out);

#endif
