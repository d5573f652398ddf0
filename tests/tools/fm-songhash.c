/* fm-songhash - render MIDI files through the fmsynth core (default patch,
 * 16 voices, 48 kHz) and print one line per file and SIMD path: a 64-bit
 * FNV-1a hash of the output's float bits, the frame count, the peak and
 * RMS level (dBFS), the CPU seconds the render took, and whether every
 * path gave the same bits.
 *
 *   fm-songhash [--period N] [--path base|avx2|avx512|all] FILE.mid...
 *
 * Paths the CPU lacks are reported as skipped. --compare FILE reads lines
 * printed earlier (by another build) and prints, per song, the peak and
 * RMS difference in dB and whether the hash is the same. Exit status 1
 * when two paths disagree, 2 on bad usage or an unreadable file. */
#include "clients/fmsynth/fmrender.h"
#include "clients/fmsynth/fmsynth.h"

#include <math.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#define RATE 48000

typedef struct {
    uint64_t hash;
    double sum2;
    uint64_t n;
} Acc;

static int sink(void *ctx, const float *l, const float *r, uint32_t n)
{
    Acc *a = ctx;
    for (uint32_t i = 0; i < n; i++) {
        const float x[2] = {l[i], r[i]};
        for (int c = 0; c < 2; c++) {
            uint32_t bits;
            memcpy(&bits, &x[c], sizeof bits);
            for (int b = 0; b < 4; b++) {
                a->hash ^= (bits >> (8 * b)) & 0xFF;
                a->hash *= 0x100000001b3ULL;
            }
            a->sum2 += (double)x[c] * x[c];
        }
    }
    a->n += n;
    return 0;
}

static double db(double x)
{
    return x > 0.0 ? 20.0 * log10(x) : -999.0;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Render one file on one path; false when the path is not available. */
static bool render(const FmSong *song, FmSimd path, uint32_t period, Acc *acc, FmRenderStats *st)
{
    FmSynth *s = NULL;
    if (fm_synth_new(&s, RATE, 16, NULL) != FM_OK) {
        fprintf(stderr, "fm-songhash: cannot make a synth\n");
        exit(2);
    }
    if (fm_synth_set_simd(s, path) != FM_OK) {
        fm_synth_free(s);
        return false;
    }
    memset(acc, 0, sizeof *acc);
    acc->hash = 0xcbf29ce484222325ULL;
    if (fm_song_render(s, song, RATE, period, 30.0, sink, acc, NULL, NULL, st) != FM_OK) {
        fprintf(stderr, "fm-songhash: render failed\n");
        exit(2);
    }
    fm_synth_free(s);
    return true;
}

/* Lines "name hash frames peak_db rms_db" of an earlier run. */
static int compare(const char *file, const char *name, uint64_t hash, double peak, double rms)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        fprintf(stderr, "fm-songhash: %s: cannot open\n", file);
        exit(2);
    }
    char line[1024], n[512], path[64];
    unsigned long long h, frames;
    double p, r;
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%511s %63s %llx %llu %lf %lf", n, path, &h, &frames, &p, &r) != 6)
            continue;
        if (strcmp(n, name) != 0 || found)
            continue;
        found = 1;
        printf("  vs earlier: %s, peak %+.6f dB, RMS %+.6f dB\n",
               h == hash ? "same bits" : "bits differ", peak - p, rms - r);
    }
    fclose(f);
    if (!found)
        printf("  vs earlier: %s not in %s\n", name, file);
    return 0;
}

int main(int argc, char **argv)
{
    uint32_t period = 256;
    int first = FM_SIMD_BASE, last = FM_SIMD_COUNT - 1;
    const char *cmp = NULL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i += 2) {
        if (i + 1 >= argc)
            goto usage;
        if (!strcmp(argv[i], "--period")) {
            period = (uint32_t)atoi(argv[i + 1]);
        } else if (!strcmp(argv[i], "--compare")) {
            cmp = argv[i + 1];
        } else if (!strcmp(argv[i], "--path")) {
            if (!strcmp(argv[i + 1], "all"))
                continue;
            int p = -1;
            for (int k = 0; k < FM_SIMD_COUNT; k++)
                if (!strcmp(argv[i + 1], fm_simd_name((FmSimd)k)))
                    p = k;
            if (p < 0)
                goto usage;
            first = last = p;
        } else {
            goto usage;
        }
    }
    if (i >= argc)
        goto usage;
    int status = 0;
    for (; i < argc; i++) {
        FmSong song;
        char err[512];
        if (fm_song_load_file(&song, argv[i], err, sizeof err) != FM_OK) {
            fprintf(stderr, "fm-songhash: %s\n", err);
            return 2;
        }
        uint64_t ref = 0;
        bool have_ref = false;
        for (int p = first; p <= last; p++) {
            Acc acc;
            FmRenderStats st;
            const char *name = base_name(argv[i]);
            struct timespec t0, t1;
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
            bool ok = render(&song, (FmSimd)p, period, &acc, &st);
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
            double cpu = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
            if (!ok) {
                printf("%s %s skipped (not supported by this CPU)\n", name,
                       fm_simd_name((FmSimd)p));
                continue;
            }
            double rms = sqrt(acc.sum2 / (2.0 * (double)(acc.n ? acc.n : 1)));
            printf("%s %s %016llx %llu %.6f %.6f %.3f%s\n", name, fm_simd_name((FmSimd)p),
                   (unsigned long long)acc.hash, (unsigned long long)acc.n, db(st.peak), db(rms),
                   cpu, have_ref && acc.hash != ref ? " DIFFERS" : "");
            if (have_ref && acc.hash != ref)
                status = 1;
            if (!have_ref && cmp)
                compare(cmp, name, acc.hash, db(st.peak), db(rms));
            ref = acc.hash;
            have_ref = true;
        }
        fm_song_free(&song);
    }
    return status;
usage:
    fprintf(stderr, "usage: fm-songhash [--period N] [--path base|avx2|avx512|all] "
                    "[--compare EARLIER] FILE.mid...\n");
    return 2;
}
