/* fuzz_sampletrim.c - libFuzzer target for sampletrim's input handling:
 * arbitrary bytes are decoded through libsndfile's virtual I/O from memory
 * (corrupt headers, zero length, truncation, huge channel counts and frame
 * counts) and, when they decode, run through the whole chain (rate
 * conversion with libsoxr, normalization with the gain limit, trim, fade)
 * and quantized. Must end in a clean status every time: no crash, no leak,
 * no sanitizer report; a file that decodes has frames (0-frame and
 * truncated files are refused as damaged), and nothing clips. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "clients/sampletrim/sampletrim.h"
#include "clients/sampletrim/sampletrim_io.h"

/* Keep each run fast: a few seconds of stereo at most. */
#define FUZZ_MAX_SAMPLES ((size_t)1 << 20)
/* Resampling cost grows with length; process only inputs this small. */
#define FUZZ_MAX_PROCESS ((size_t)1 << 17)

/* Abort (a finding) with the broken expectation named. */
#define check(ok) check_at((ok), #ok, __LINE__)

static void check_at(int ok, const char *what, int line)
{
    if (!ok) {
        fprintf(stderr, "fuzz_sampletrim.c:%d: failed: %s\n", line, what);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    StrimAudio a;
    char detail[256] = "";
    StrimStatus st = strim_read_memory(data, size, FUZZ_MAX_SAMPLES, &a, detail, sizeof detail);
    if (st != STRIM_OK) {
        check(a.data == NULL && strim_strerror(st) != NULL);
        /* Every refusal says why. */
        check(st == STRIM_ERR_NOMEM || detail[0] != 0 || st == STRIM_ERR_TOO_BIG);
        return 0;
    }
    check(a.channels >= 1 && a.channels <= STRIM_MAX_CHANNELS);
    check(a.frames > 0 && a.rate > 0);
    check(a.frames * (size_t)a.channels <= FUZZ_MAX_SAMPLES);
    if (a.frames * (size_t)a.channels <= FUZZ_MAX_PROCESS) {
        StrimOptions o;
        StrimReport r;
        strim_options_default(&o);
        /* The second byte picks the resampler and the output rate, so the
         * default (medium) converter runs on corrupt input too. */
        static const int rates[4] = {44100, 48000, 22050, 96000};
        o.quality = size > 1 ? (StrimQuality)(data[1] % 3) : STRIM_Q_FAST;
        o.rate = size > 1 ? rates[(data[1] >> 2) & 3] : 44100;
        /* The first byte picks the bit depth so every quantizer path runs. */
        o.bits = size && (data[0] & 1) ? 24 : size && (data[0] & 2) ? 8 : 16;
        st = strim_process(&a, &o, &r);
        if (st != STRIM_OK && st != STRIM_ERR_FORMAT)
            fprintf(stderr, "strim_process: %s (%d ch, %d Hz, %zu frames)\n", strim_strerror(st),
                    a.channels, a.rate, a.frames);
        check(st == STRIM_OK || st == STRIM_ERR_FORMAT || st == STRIM_ERR_TOO_BIG ||
              st == STRIM_ERR_NOMEM || st == STRIM_ERR_DAMAGED);
        if (st == STRIM_OK) {
            check(r.trim_start <= r.trim_end && r.trim_end <= r.resampled_frames);
            /* Normalization never leaves anything to clip, and never
             * raises by more than the limit. */
            check(r.clipped == 0);
            check(r.gain <= o.max_gain * (1.0 + 1e-12));
            check(a.frames == r.trim_end - r.trim_start);
            size_t n = a.frames * (size_t)a.channels;
            int32_t *q = malloc((n ? n : 1) * sizeof *q);
            check(q != NULL);
            AtRand rng;
            at_rand_seed(&rng, 1);
            strim_quantize(a.data, q, n, o.bits, &rng);
            int32_t hi = (INT32_C(1) << (o.bits - 1)) - 1;
            for (size_t i = 0; i < n; i++)
                check(q[i] <= hi && q[i] >= -hi - 1);
            free(q);
        }
    }
    strim_audio_free(&a);
    return 0;
}
