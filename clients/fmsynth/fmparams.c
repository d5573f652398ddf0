/* fmparams.c - fmsynth's parameter table (config keys, OSC, saved state);
 * each patch entry is bound to its FmPatch field (AT_BIND), which is the
 * whole mapping between the registry and FmPatch. */
#include "fmparams.h"

#include <string.h>

#define WAVES                                                                                      \
    {                                                                                              \
        "sine", "sine12", "saw", "square", NULL                                                    \
    }
#define LIVE AT_PARAM_LIVE
#define A48 0.001 /* 48 samples at 48 kHz */

/* A key of operator N: patch.opN.NAME, OSC op/N/NAME, bound to the field
 * NAME of FmPatch.op[N - 1]; the last argument is its choices. */
#define OP_PARAM(N, NAME, TYPE, MAX, DEF, UNIT, KIND, DOC, ...)                                    \
    {                                                                                              \
        .key = "patch.op" #N "." #NAME, .osc = "op/" #N "/" #NAME, .type = (TYPE), .flags = LIVE,  \
        .max = (MAX), .def = (DEF), .choices = __VA_ARGS__, .unit = (UNIT),                        \
        .doc = "operator " #N " " DOC, .field = AT_BIND(FmPatch, op[(N)-1].NAME, (KIND))           \
    }

/* A key of the whole patch: patch.NAME, OSC NAME, bound to FmPatch.NAME. */
#define PATCH_PARAM(NAME, TYPE, MAX, DEF, KIND, DOC)                                               \
    {                                                                                              \
        .key = "patch." #NAME, .osc = #NAME, .type = (TYPE), .flags = LIVE, .max = (MAX),          \
        .def = (DEF), .unit = "", .doc = (DOC), .field = AT_BIND(FmPatch, NAME, (KIND))            \
    }

/* The seven keys of operator N with its default-patch values, in the
 * order of FM_P_WAVE..FM_P_LEVEL. */
#define OP_PARAMS(N, WAVE, RATIO, ATT, DEC, SUS, REL, LEV)                                         \
    OP_PARAM(N, wave, AT_PARAM_ENUM, 0, WAVE, "", AT_FIELD_INT, "wave table", WAVES),              \
        OP_PARAM(N, ratio, AT_PARAM_FLOAT, 64, RATIO, "", AT_FIELD_DOUBLE,                         \
                 "frequency / note frequency", {NULL}),                                            \
        OP_PARAM(N, attack, AT_PARAM_DURATION, 60, ATT, "s", AT_FIELD_DOUBLE,                      \
                 "attack time (0 -> 1)", {NULL}),                                                  \
        OP_PARAM(N, decay, AT_PARAM_DURATION, 60, DEC, "s", AT_FIELD_DOUBLE,                       \
                 "decay time (1 -> sustain)", {NULL}),                                             \
        OP_PARAM(N, sustain, AT_PARAM_FLOAT, 1, SUS, "", AT_FIELD_DOUBLE,                          \
                 "sustain level (0: the note ends after the decay)", {NULL}),                      \
        OP_PARAM(N, release, AT_PARAM_DURATION, 60, REL, "s", AT_FIELD_DOUBLE,                     \
                 "release time (from level 1 to 0)", {NULL}),                                      \
        OP_PARAM(N, level, AT_PARAM_FLOAT, 4, LEV, "", AT_FIELD_DOUBLE,                            \
                 "output level (as a modulator: 1.0 = +-1 cycle)", {NULL})

const AtParamDef fm_params[FM_P_COUNT] = {
    [FM_P_CHANNEL] = {.key = "midi.channel",
                      .osc = "channel",
                      .type = AT_PARAM_INT,
                      .flags = LIVE,
                      .max = 16,
                      .unit = "",
                      .doc = "MIDI channel to play (0 = omni)"},
    [FM_P_MIDI_CONNECT] = AT_CONNECT_PARAM("midi.connect", "MIDI ports to connect to midi_in"),
    [FM_P_POLYPHONY] = {.key = "audio.polyphony",
                        .osc = "polyphony",
                        .type = AT_PARAM_INT,
                        .flags = LIVE,
                        .min = 1,
                        .max = FM_MAX_POLYPHONY,
                        .def = 16,
                        .unit = "",
                        .doc = "number of voices"},
    [FM_P_CONNECT_LEFT] = AT_CONNECT_PARAM("audio.connect-left", "audio ports to connect out_L to"),
    [FM_P_CONNECT_RIGHT] =
        AT_CONNECT_PARAM("audio.connect-right", "audio ports to connect out_R to"),
    [FM_P_ALGORITHM] = PATCH_PARAM(algorithm, AT_PARAM_INT, 11, 10, AT_FIELD_INT,
                                   "operator routing 0..11 (see the man page)"),
    [FM_P_FEEDBACK] =
        PATCH_PARAM(feedback, AT_PARAM_FLOAT, 1, 0, AT_FIELD_DOUBLE, "operator 4 self-modulation"),
    [FM_P_VOLUME] =
        PATCH_PARAM(volume, AT_PARAM_FLOAT, 4, 1, AT_FIELD_DOUBLE, "output gain (linear)"),
    [FM_P_OP1] = OP_PARAMS(1, FM_WAVE_SAW, 0.999, 0.1, 2.0, 0.0, 0.33, 0.0312),
    [FM_P_OP1 + FM_P_PER_OP] = OP_PARAMS(2, FM_WAVE_SINE12, 1.003, A48, 3.0, 0.0, 0.25, 0.45),
    [FM_P_OP1 + 2 * FM_P_PER_OP] = OP_PARAMS(3, FM_WAVE_SINE, 1.0, A48, 4.0, 0.0, 0.5, 0.324),
    [FM_P_OP1 + 3 * FM_P_PER_OP] =
        OP_PARAMS(4, FM_WAVE_SINE, 19.0, A48, 1.0 / 9.0, 0.0, 1.0 / 9.0, 0.224),
    [FM_P_PRESET] = {.key = "preset",
                     .osc = "preset",
                     .type = AT_PARAM_STRING,
                     .flags = LIVE | AT_PARAM_NOSAVE,
                     .def_str = "",
                     .unit = "",
                     .doc = "load the patch of preset NAME from the presets directory"},
    [FM_P_PRESET_DIR] = {.key = "preset-dir",
                         .type = AT_PARAM_STRING,
                         .def_str = "",
                         .unit = "",
                         .doc = "presets directory (empty: $XDG_DATA_HOME/aiotone/presets, then "
                                "PREFIX/share/aiotone/presets)"},
    [FM_P_PANIC] = {.key = "panic",
                    .osc = "panic",
                    .type = AT_PARAM_ACTION,
                    .flags = LIVE,
                    .unit = "",
                    .doc = "silence every voice at once"},
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
