/* fmwave.c - the operator wave tables and the default patch. */
#include "fmsynth.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const wave_names[FM_WAVE_COUNT] = {"sine", "sine12", "saw", "square"};

/* Half-width of the triangular window that smooths the sawtooth (docs/fmsynth.md). */
#define SAW_SMOOTH 256
/* Highest harmonic of the band-limited square. */
#define SQUARE_HARMONICS 31

const char *fm_wave_name(FmWave w)
{
    return (w >= 0 && w < FM_WAVE_COUNT) ? wave_names[w] : "?";
}

int fm_wave_from_name(const char *name)
{
    for (int w = 0; w < FM_WAVE_COUNT; w++)
        if (name && strcmp(name, wave_names[w]) == 0)
            return w;
    return -1;
}

/* The sawtooth in phase with the sine (its fundamental is +sin), rising
 * through 0 at phase 0, smoothed by a circular triangular window so its
 * jump does not alias as badly. */
static void fill_saw(float *t)
{
    double raw[FM_TABLE_SIZE];
    const int n = FM_TABLE_SIZE;
    for (int i = 0; i < n; i++)
        raw[i] = (i < n / 2) ? 2.0 * i / n : 2.0 * i / n - 2.0;
    raw[n / 2] = 0.0; /* the middle of the jump keeps the wave odd */
    double wsum = 0.0;
    for (int k = -SAW_SMOOTH + 1; k < SAW_SMOOTH; k++)
        wsum += SAW_SMOOTH - abs(k);
    for (int i = 0; i < n; i++) {
        double acc = 0.0;
        for (int k = -SAW_SMOOTH + 1; k < SAW_SMOOTH; k++)
            acc += (SAW_SMOOTH - abs(k)) * raw[(i + k + n) % n];
        t[i] = (float)(acc / wsum);
    }
}

/* Odd harmonics with Lanczos sigma factors (no Gibbs ringing), peak 1. */
static void fill_square(float *t)
{
    double peak = 0.0;
    double acc[FM_TABLE_SIZE];
    for (int i = 0; i < FM_TABLE_SIZE; i++) {
        double x = 2.0 * M_PI * i / FM_TABLE_SIZE, v = 0.0;
        for (int k = 1; k <= SQUARE_HARMONICS; k += 2) {
            double z = M_PI * k / (SQUARE_HARMONICS + 1);
            v += sin(k * x) / k * (sin(z) / z);
        }
        acc[i] = v;
        if (fabs(v) > peak)
            peak = fabs(v);
    }
    for (int i = 0; i < FM_TABLE_SIZE; i++)
        t[i] = (float)(acc[i] / peak);
}

void fm_wave_fill(FmWave w, float *table)
{
    for (int i = 0; i < FM_TABLE_SIZE; i++) {
        double x = 2.0 * M_PI * i / FM_TABLE_SIZE;
        table[i] = (w == FM_WAVE_SINE12) ? (float)(0.5 * sin(x) + 0.5 * sin(2 * x)) : (float)sin(x);
    }
    if (w == FM_WAVE_SAW)
        fill_saw(table);
    else if (w == FM_WAVE_SQUARE)
        fill_square(table);
    table[FM_TABLE_SIZE] = table[0];
}

void fm_patch_default(FmPatch *p)
{
    /* 48 samples at the original's 48 kHz. */
    const double a48 = 48.0 / 48000.0;
    memset(p, 0, sizeof *p);
    p->algorithm = 10;
    p->feedback = 0.0;
    p->volume = 1.0;
    p->op[0] = (FmOpPatch){FM_WAVE_SAW, 0.999, 0.1, 2.0, 0.0, 0.33, 0.0312};
    p->op[1] = (FmOpPatch){FM_WAVE_SINE12, 1.003, a48, 3.0, 0.0, 0.25, 0.45};
    p->op[2] = (FmOpPatch){FM_WAVE_SINE, 1.0, a48, 4.0, 0.0, 0.5, 0.324};
    p->op[3] = (FmOpPatch){FM_WAVE_SINE, 19.0, a48, 1.0 / 9.0, 0.0, 1.0 / 9.0, 0.224};
}
