/* bench_fmsynth - how many fmsynth voices one core renders in real time,
 * and the DSP share of one core for 16 voices at a 64-frame period.
 * Workload: a patch with sustain > 0 on every operator (every operator
 * sounds all the time), algorithm 10 (the default), N voices held. CPU
 * time is the process's (CLOCK_PROCESS_CPUTIME_ID), so other load on the
 * machine costs wall time but not the figure. */
#include "clients/fmsynth/fmsynth.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define RATE 48000

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static FmSynth *held_synth(int voices, int alg)
{
    FmPatch p;
    fm_patch_default(&p);
    p.algorithm = alg;
    for (int op = 0; op < FM_OPS; op++)
        p.op[op].sustain = 0.7;
    FmSynth *s = NULL;
    if (fm_synth_new(&s, RATE, voices, &p) != FM_OK) {
        fprintf(stderr, "bench_fmsynth: cannot make a synth\n");
        exit(1);
    }
    for (int v = 0; v < voices; v++) {
        uint8_t on[3] = {0x90, (uint8_t)(36 + v % 60), 100};
        fm_synth_midi(s, on, 3);
    }
    return s;
}

/* Render seconds of audio in periods of period frames; returns CPU s. */
static double run(FmSynth *s, double seconds, uint32_t period, float *sink)
{
    static float l[4096], r[4096];
    long cycles = (long)(seconds * RATE / period);
    double t0 = cpu_seconds();
    for (long c = 0; c < cycles; c++) {
        fm_synth_process(s, NULL, 0, l, r, period);
        *sink += l[c % period] + r[0];
    }
    return cpu_seconds() - t0;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 10.0;
    const int voices = 64;
    float sink = 0.0f;

    FmSynth *s = held_synth(voices, 10);
    run(s, 0.2, 256, &sink); /* warm up: past the attacks and decays */
    double cpu = run(s, seconds, 256, &sink);
    if (fm_synth_active_voices(s) != voices) {
        fprintf(stderr, "bench_fmsynth: only %d of %d voices sounding\n", fm_synth_active_voices(s),
                voices);
        return 1;
    }
    fm_synth_free(s);
    printf("fmsynth: %d voices x %.1f s audio in %.3f s CPU (algorithm 10, period 256)\n", voices,
           seconds, cpu);
    printf("fmsynth: voices in real time on one core: %.0f\n", voices * seconds / cpu);

    FmSynth *f = held_synth(voices, 10);
    FmPatch p = *fm_synth_patch(f);
    p.feedback = 0.5;
    fm_synth_set_patch(f, &p);
    run(f, 0.2, 256, &sink);
    cpu = run(f, seconds / 2, 256, &sink);
    fm_synth_free(f);
    printf("fmsynth: with op 4 feedback: voices in real time on one core: %.0f\n",
           voices * seconds / 2 / cpu);

    FmSynth *small = held_synth(16, 10);
    run(small, 0.2, 64, &sink);
    cpu = run(small, seconds, 64, &sink);
    fm_synth_free(small);
    printf("fmsynth: 16 voices at a 64-frame period: %.3f%% of one core\n", 100.0 * cpu / seconds);
    return sink == 12345.0f ? 2 : 0;
}
