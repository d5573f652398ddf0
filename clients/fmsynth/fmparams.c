/* fmparams.c - fmsynth's parameter table (config keys, OSC, saved state);
 * each patch entry is bound to its FmPatch field (AT_BIND), which is the
 * whole mapping between the registry and FmPatch. */
#include "fmparams.h"

#include <string.h>

#define WAVES ("sine", "sine12", "saw", "square", NULL)
#define A48 0.001 /* 48 samples at 48 kHz */

/* Operator N's key NAME: patch.opN.NAME; after the doc, OP_LIVE gives its
 * OSC path op/N/NAME, live, bound to the field NAME of FmPatch.op[N - 1]
 * (of KIND), and its unit. */
#define OP_KEY(N, NAME) "patch.op" #N "." #NAME
#define OP_LIVE(N, NAME, KIND, UNIT)                                                               \
    AT_LIVE("op/" #N "/" #NAME, FmPatch, op[(N)-1].NAME, KIND), .unit = (UNIT)

/* The seven keys of operator N with its default-patch values, in the
 * order of FM_P_WAVE..FM_P_LEVEL. */
#define OP_PARAMS(N, WAVE, RATIO, ATT, DEC, SUS, REL, LEV)                                         \
    AT_ENUM(OP_KEY(N, wave), WAVES, WAVE, "operator " #N " wave table",                            \
            OP_LIVE(N, wave, AT_FIELD_INT, "")),                                                   \
        AT_FLOAT(OP_KEY(N, ratio), 0, 64, RATIO, "operator " #N " frequency / note frequency",     \
                 OP_LIVE(N, ratio, AT_FIELD_DOUBLE, "")),                                          \
        AT_DURATION(OP_KEY(N, attack), 0, 60, ATT, "operator " #N " attack time (0 -> 1)",         \
                    OP_LIVE(N, attack, AT_FIELD_DOUBLE, "s")),                                     \
        AT_DURATION(OP_KEY(N, decay), 0, 60, DEC, "operator " #N " decay time (1 -> sustain)",     \
                    OP_LIVE(N, decay, AT_FIELD_DOUBLE, "s")),                                      \
        AT_FLOAT(OP_KEY(N, sustain), 0, 1, SUS,                                                    \
                 "operator " #N " sustain level (0: the note ends after the decay)",               \
                 OP_LIVE(N, sustain, AT_FIELD_DOUBLE, "")),                                        \
        AT_DURATION(OP_KEY(N, release), 0, 60, REL,                                                \
                    "operator " #N " release time (from level 1 to 0)",                            \
                    OP_LIVE(N, release, AT_FIELD_DOUBLE, "s")),                                    \
        AT_FLOAT(OP_KEY(N, level), 0, 4, LEV,                                                      \
                 "operator " #N " output level (as a modulator: 1.0 = +-1 cycle)",                 \
                 OP_LIVE(N, level, AT_FIELD_DOUBLE, ""))

const AtParamDef fm_params[FM_P_COUNT] = {
    [FM_P_CHANNEL] = AT_INT("midi.channel", 0, 16, 0, "MIDI channel to play (0 = omni)",
                            .osc = "channel", .flags = AT_PARAM_LIVE, .unit = ""),
    [FM_P_MIDI_CONNECT] = AT_CONNECT_PARAM("midi.connect", "MIDI ports to connect to midi_in"),
    [FM_P_POLYPHONY] = AT_INT("audio.polyphony", 1, FM_MAX_POLYPHONY, 16, "number of voices",
                              .osc = "polyphony", .flags = AT_PARAM_LIVE, .unit = ""),
    [FM_P_CONNECT_LEFT] = AT_CONNECT_PARAM("audio.connect-left", "audio ports to connect out_L to"),
    [FM_P_CONNECT_RIGHT] =
        AT_CONNECT_PARAM("audio.connect-right", "audio ports to connect out_R to"),
    [FM_P_ALGORITHM] =
        AT_INT("patch.algorithm", 0, 11, 10, "operator routing 0..11 (see the man page)",
               AT_LIVE("algorithm", FmPatch, algorithm, AT_FIELD_INT), .unit = ""),
    [FM_P_FEEDBACK] = AT_FLOAT("patch.feedback", 0, 1, 0, "operator 4 self-modulation",
                               AT_LIVE("feedback", FmPatch, feedback, AT_FIELD_DOUBLE), .unit = ""),
    [FM_P_VOLUME] = AT_FLOAT("patch.volume", 0, 4, 1, "output gain (linear)",
                             AT_LIVE("volume", FmPatch, volume, AT_FIELD_DOUBLE), .unit = ""),
    [FM_P_OP1] = OP_PARAMS(1, FM_WAVE_SAW, 0.999, 0.1, 2.0, 0.0, 0.33, 0.0312),
    [FM_P_OP1 + FM_P_PER_OP] = OP_PARAMS(2, FM_WAVE_SINE12, 1.003, A48, 3.0, 0.0, 0.25, 0.45),
    [FM_P_OP1 + 2 * FM_P_PER_OP] = OP_PARAMS(3, FM_WAVE_SINE, 1.0, A48, 4.0, 0.0, 0.5, 0.324),
    [FM_P_OP1 + 3 * FM_P_PER_OP] =
        OP_PARAMS(4, FM_WAVE_SINE, 19.0, A48, 1.0 / 9.0, 0.0, 1.0 / 9.0, 0.224),
    [FM_P_PRESET] =
        AT_STRING("preset", "", "load the patch of preset NAME from the presets directory",
                  .osc = "preset", .flags = AT_PARAM_LIVE | AT_PARAM_NOSAVE, .unit = ""),
    [FM_P_PRESET_DIR] = AT_STRING("preset-dir", "",
                                  "presets directory (empty: $XDG_DATA_HOME/aiotone/presets, then "
                                  "PREFIX/share/aiotone/presets)",
                                  .unit = ""),
    [FM_P_PANIC] =
        AT_ACTION_PARAM("panic", "silence every voice at once", .flags = AT_PARAM_LIVE, .unit = ""),
};

const AtParamDef *fm_param_defs(size_t *n)
{
    *n = FM_P_COUNT;
    return fm_params;
}

bool fm_param_is_patch(int which)
{
    return which >= 0 && which < FM_P_COUNT && fm_params[which].field.kind != AT_FIELD_NONE;
}

bool fm_param_apply(FmPatch *p, int which, double f, int i)
{
    return fm_param_is_patch(which) && at_params_apply(&fm_params[which], p, i, f);
}

void fm_patch_from_params(const AtParams *reg, FmPatch *p)
{
    fm_patch_default(p);
    at_params_fill(reg, p);
}

void fm_patch_write(const AtParams *reg, FILE *out)
{
    char val[256];
    fprintf(out, "# aiotone-fmsynth preset\npatch = {\n");
    for (int w = FM_P_ALGORITHM; w <= FM_P_VOLUME; w++) {
        at_params_format(reg, at_params_find_key(reg, fm_params[w].key), val, sizeof val);
        fprintf(out, "    %s = %s;\n", fm_params[w].key + strlen("patch."), val);
    }
    for (int op = 0; op < FM_OPS; op++) {
        fprintf(out, "    op%d = {", op + 1);
        for (int k = 0; k < FM_P_PER_OP; k++) {
            const AtParamDef *d = &fm_params[FM_P_OP1 + op * FM_P_PER_OP + k];
            at_params_format(reg, at_params_find_key(reg, d->key), val, sizeof val);
            fprintf(out, " %s = %s;", strrchr(d->key, '.') + 1, val);
        }
        fprintf(out, " };\n");
    }
    fprintf(out, "};\n");
}
