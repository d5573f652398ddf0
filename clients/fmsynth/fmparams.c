/* fmparams.c - fmsynth's parameter table (config keys, OSC, saved state)
 * and the mapping between the registry and FmPatch. */
#include "fmparams.h"

#include <string.h>

#define WAVES                                                                                      \
    {                                                                                              \
        "sine", "sine12", "saw", "square", NULL                                                    \
    }
#define LIVE AT_PARAM_LIVE
#define A48 0.001 /* 48 samples at 48 kHz */

/* The seven keys of operator N with its default-patch values. */
#define OP_PARAMS(N, WAVE, RATIO, ATT, DEC, SUS, REL, LEV)                                         \
    {"patch.op" #N ".wave",                                                                        \
     "op/" #N "/wave",                                                                             \
     AT_PARAM_ENUM,                                                                                \
     LIVE,                                                                                         \
     0,                                                                                            \
     0,                                                                                            \
     WAVE,                                                                                         \
     NULL,                                                                                         \
     WAVES,                                                                                        \
     "",                                                                                           \
     "operator " #N " wave table"},                                                                \
        {"patch.op" #N ".ratio",                                                                   \
         "op/" #N "/ratio",                                                                        \
         AT_PARAM_FLOAT,                                                                           \
         LIVE,                                                                                     \
         0,                                                                                        \
         64,                                                                                       \
         RATIO,                                                                                    \
         NULL,                                                                                     \
         {NULL},                                                                                   \
         "",                                                                                       \
         "operator " #N " frequency / note frequency"},                                            \
        {"patch.op" #N ".attack",                                                                  \
         "op/" #N "/attack",                                                                       \
         AT_PARAM_DURATION,                                                                        \
         LIVE,                                                                                     \
         0,                                                                                        \
         60,                                                                                       \
         ATT,                                                                                      \
         NULL,                                                                                     \
         {NULL},                                                                                   \
         "s",                                                                                      \
         "operator " #N " attack time (0 -> 1)"},                                                  \
        {"patch.op" #N ".decay",                                                                   \
         "op/" #N "/decay",                                                                        \
         AT_PARAM_DURATION,                                                                        \
         LIVE,                                                                                     \
         0,                                                                                        \
         60,                                                                                       \
         DEC,                                                                                      \
         NULL,                                                                                     \
         {NULL},                                                                                   \
         "s",                                                                                      \
         "operator " #N " decay time (1 -> sustain)"},                                             \
        {"patch.op" #N ".sustain",                                                                 \
         "op/" #N "/sustain",                                                                      \
         AT_PARAM_FLOAT,                                                                           \
         LIVE,                                                                                     \
         0,                                                                                        \
         1,                                                                                        \
         SUS,                                                                                      \
         NULL,                                                                                     \
         {NULL},                                                                                   \
         "",                                                                                       \
         "operator " #N " sustain level (0: the note ends after the decay)"},                      \
        {"patch.op" #N ".release",                                                                 \
         "op/" #N "/release",                                                                      \
         AT_PARAM_DURATION,                                                                        \
         LIVE,                                                                                     \
         0,                                                                                        \
         60,                                                                                       \
         REL,                                                                                      \
         NULL,                                                                                     \
         {NULL},                                                                                   \
         "s",                                                                                      \
         "operator " #N " release time (from level 1 to 0)"},                                      \
    {                                                                                              \
        "patch.op" #N ".level", "op/" #N "/level", AT_PARAM_FLOAT, LIVE, 0, 4, LEV, NULL, {NULL},  \
            "", "operator " #N " output level (as a modulator: 1.0 = +-1 cycle)"                   \
    }

static const AtParamDef defs[FM_P_COUNT] = {
    [FM_P_CHANNEL] = {"midi.channel",
                      "channel",
                      AT_PARAM_INT,
                      LIVE,
                      0,
                      16,
                      0,
                      NULL,
                      {NULL},
                      "",
                      "MIDI channel to play (0 = omni)"},
    [FM_P_MIDI_CONNECT] = AT_CONNECT_PARAM("midi.connect", "MIDI ports to connect to midi_in"),
    [FM_P_POLYPHONY] = {"audio.polyphony",
                        "polyphony",
                        AT_PARAM_INT,
                        LIVE,
                        1,
                        FM_MAX_POLYPHONY,
                        16,
                        NULL,
                        {NULL},
                        "",
                        "number of voices"},
    [FM_P_CONNECT_LEFT] = AT_CONNECT_PARAM("audio.connect-left", "audio ports to connect out_L to"),
    [FM_P_CONNECT_RIGHT] =
        AT_CONNECT_PARAM("audio.connect-right", "audio ports to connect out_R to"),
    [FM_P_ALGORITHM] = {"patch.algorithm",
                        "algorithm",
                        AT_PARAM_INT,
                        LIVE,
                        0,
                        11,
                        10,
                        NULL,
                        {NULL},
                        "",
                        "operator routing 0..11 (see the man page)"},
    [FM_P_FEEDBACK] = {"patch.feedback",
                       "feedback",
                       AT_PARAM_FLOAT,
                       LIVE,
                       0,
                       1,
                       0,
                       NULL,
                       {NULL},
                       "",
                       "operator 4 self-modulation"},
    [FM_P_VOLUME] = {"patch.volume",
                     "volume",
                     AT_PARAM_FLOAT,
                     LIVE,
                     0,
                     4,
                     1,
                     NULL,
                     {NULL},
                     "",
                     "output gain (linear)"},
    [FM_P_OP1] = OP_PARAMS(1, FM_WAVE_SAW, 0.999, 0.1, 2.0, 0.0, 0.33, 0.0312),
    [FM_P_OP1 + FM_P_PER_OP] = OP_PARAMS(2, FM_WAVE_SINE12, 1.003, A48, 3.0, 0.0, 0.25, 0.45),
    [FM_P_OP1 + 2 * FM_P_PER_OP] = OP_PARAMS(3, FM_WAVE_SINE, 1.0, A48, 4.0, 0.0, 0.5, 0.324),
    [FM_P_OP1 + 3 * FM_P_PER_OP] =
        OP_PARAMS(4, FM_WAVE_SINE, 19.0, A48, 1.0 / 9.0, 0.0, 1.0 / 9.0, 0.224),
    [FM_P_PRESET] = {"preset",
                     "preset",
                     AT_PARAM_STRING,
                     LIVE | AT_PARAM_NOSAVE,
                     0,
                     0,
                     0,
                     "",
                     {NULL},
                     "",
                     "load the patch of preset NAME from the presets directory"},
    [FM_P_PRESET_DIR] = {"preset-dir",
                         NULL,
                         AT_PARAM_STRING,
                         0,
                         0,
                         0,
                         0,
                         "",
                         {NULL},
                         "",
                         "presets directory (empty: $XDG_DATA_HOME/aiotone/presets, then "
                         "PREFIX/share/aiotone/presets)"},
    [FM_P_PANIC] = {"panic",
                    "panic",
                    AT_PARAM_ACTION,
                    LIVE,
                    0,
                    0,
                    0,
                    NULL,
                    {NULL},
                    "",
                    "silence every voice at once"},
};

const AtParamDef *fm_param_defs(size_t *n)
{
    *n = FM_P_COUNT;
    return defs;
}

bool fm_param_apply(FmPatch *p, int which, double f, int i)
{
    if (which == FM_P_ALGORITHM) {
        p->algorithm = i;
    } else if (which == FM_P_FEEDBACK) {
        p->feedback = f;
    } else if (which == FM_P_VOLUME) {
        p->volume = f;
    } else if (which >= FM_P_OP1 && which < FM_P_OP1 + FM_OPS * FM_P_PER_OP) {
        FmOpPatch *o = &p->op[(which - FM_P_OP1) / FM_P_PER_OP];
        switch ((which - FM_P_OP1) % FM_P_PER_OP) {
        case FM_P_WAVE:
            o->wave = (FmWave)i;
            break;
        case FM_P_RATIO:
            o->ratio = f;
            break;
        case FM_P_ATTACK:
            o->attack = f;
            break;
        case FM_P_DECAY:
            o->decay = f;
            break;
        case FM_P_SUSTAIN:
            o->sustain = f;
            break;
        case FM_P_RELEASE:
            o->release = f;
            break;
        default:
            o->level = f;
        }
    } else {
        return false;
    }
    return true;
}

bool fm_param_is_patch(int which)
{
    return which == FM_P_ALGORITHM || which == FM_P_FEEDBACK || which == FM_P_VOLUME ||
           (which >= FM_P_OP1 && which < FM_P_OP1 + FM_OPS * FM_P_PER_OP);
}

void fm_patch_from_params(const AtParams *reg, FmPatch *p)
{
    fm_patch_default(p);
    for (int w = 0; w < FM_P_COUNT; w++) {
        if (!fm_param_is_patch(w))
            continue;
        int k = at_params_find_key(reg, defs[w].key);
        if (k < 0)
            continue;
        const AtParamValue *v = at_params_get(reg, k);
        fm_param_apply(p, w, v->f, v->i);
    }
}

void fm_patch_write(const AtParams *reg, FILE *out)
{
    char val[256];
    fprintf(out, "# aiotone-fmsynth preset\npatch = {\n");
    for (int w = FM_P_ALGORITHM; w <= FM_P_VOLUME; w++) {
        at_params_format(reg, at_params_find_key(reg, defs[w].key), val, sizeof val);
        fprintf(out, "    %s = %s;\n", defs[w].key + strlen("patch."), val);
    }
    for (int op = 0; op < FM_OPS; op++) {
        fprintf(out, "    op%d = {", op + 1);
        for (int k = 0; k < FM_P_PER_OP; k++) {
            const AtParamDef *d = &defs[FM_P_OP1 + op * FM_P_PER_OP + k];
            at_params_format(reg, at_params_find_key(reg, d->key), val, sizeof val);
            fprintf(out, " %s = %s;", strrchr(d->key, '.') + 1, val);
        }
        fprintf(out, " };\n");
    }
    fprintf(out, "};\n");
}
