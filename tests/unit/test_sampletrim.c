/* test_sampletrim.c - the sampletrim chain on synthetic signals: exact trim
 * points (in frames), normalization gain and the >= 99% rule, the fade
 * curve and the last-sample-zero rule, TPDF dither statistics, resampling
 * rate, output naming, and WAV round trips through libsndfile. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clients/sampletrim/sampletrim.h"
#include "trim_check.h"
#include "clients/sampletrim/instrfile.h"
#include "clients/sampletrim/sampletrim_io.h"
#include <sndfile.h>

static float *zeros(size_t n)
{
    float *p = calloc(n ? n : 1, sizeof *p);
    assert_non_null(p);
    return p;
}

/* --- trim ---------------------------------------------------------------- */

static void test_trim_points_exact(void **state)
{
    float *b = zeros(1000);
    b[40] = 0.0049f;  /* below 0.5%: not a start */
    b[100] = 0.0051f; /* above 0.5%: window 96..111 starts */
    b[500] = 0.9f;
    b[700] = 0.0011f; /* above 0.1%: the last window kept */
    b[900] = 0.0009f; /* below 0.1%: trimmed away */
    /* End windows are aligned to frame 1000: [696, 712) holds frame 700. */
    assert_trim(b, 1000, 1, 16, 0.005, 0.001, 96, 712);
    free(b);
}

static void test_trim_negative_peaks_count(void **state)
{
    float *b = zeros(256);
    b[33] = -0.5f;
    b[34] = 0.002f;
    assert_trim(b, 256, 1, 16, 0.005, 0.001, 32, 48);
    free(b);
}

static void test_trim_counts_frames_not_samples(void **state)
{
    /* Stereo, one loud sample on the right channel of frame 40 (sample 81).
     * Frame windows: [32, 48) -> 32. Interleaved-sample windows would have
     * said sample 80, i.e. frame 40. */
    float *b = zeros(2 * 200);
    b[2 * 40 + 1] = 0.5f;
    /* 200 - 16k > 40 >= 184 - 16k -> k = 9: window [40, 56). */
    assert_trim(b, 200, 2, 16, 0.005, 0.001, 32, 56);
    free(b);
}

static void test_trim_thresholds_differ(void **state)
{
    /* A quiet bed at 0.3% before and after a hit: ignored at the start
     * (below 0.5%), kept at the end (above 0.1%). */
    float *b = zeros(1000);
    for (size_t i = 0; i < 600; i++)
        b[i] = (i % 2 ? -1 : 1) * 0.003f;
    b[300] = 0.8f;
    /* Last bed sample 599: 1000 - 16k > 599 >= 984 - 16k -> k = 25. */
    assert_trim(b, 1000, 1, 16, 0.005, 0.001, 288, 600);
    free(b);
}

static void test_trim_end_partial_first_window(void **state)
{
    /* 40 frames: end windows [24, 40), [8, 24), then the partial [0, 8).
     * A hit in frame 3 ends the kept part at frame 8. */
    float b[40] = {0};
    b[3] = 0.7f;
    assert_trim(b, 40, 1, 16, 0.005, 0.001, 0, 8);
    /* Shorter than one window: one partial window each way. */
    assert_trim(b, 5, 1, 16, 0.005, 0.001, 0, 5);
}

static void test_trim_silence_kept_whole(void **state)
{
    float *b = zeros(100);
    assert_trim(b, 100, 1, 16, 0.005, 0.001, 0, 100);
    assert_trim(b, 0, 1, 16, 0.005, 0.001, 0, 0);
    free(b);
}

static void test_trim_moves_frames(void **state)
{
    float b[2 * 8];
    for (int i = 0; i < 16; i++)
        b[i] = (float)i;
    size_t n = strim_trim(b, 8, 2, 3, 6);
    assert_int_equal(n, 3);
    for (int i = 0; i < 6; i++)
        assert_true(b[i] == (float)(6 + i));
}

/* --- normalize ------------------------------------------------------------ */

static void test_normalize_gain(void **state)
{
    float b[4] = {0.1f, -0.5f, 0.25f, 0.0f};
    double g = strim_normalize(b, 2, 2, 0.99, 1.0);
    assert_float_equal(g, 2.0, 1e-9);
    assert_true(b[1] == -1.0f); /* exactly full scale */
    assert_float_equal(b[0], 0.2, 1e-7);
    assert_float_equal(b[2], 0.5, 1e-7);
    assert_true(b[3] == 0.0f);
}

static void test_normalize_peak_lands_on_full_scale(void **state)
{
    /* Awkward peaks must still map to exactly 1.0, not a hair off. */
    const float peaks[] = {0.3f, 0.7f, 0.123456f, 0.98999f, 1e-4f};
    for (size_t k = 0; k < sizeof peaks / sizeof *peaks; k++) {
        float b[3] = {peaks[k] / 3, peaks[k], -peaks[k] / 2};
        strim_normalize(b, 3, 1, 0.99, 1.0);
        assert_true(b[1] == 1.0f);
        assert_true(strim_peak(b, 3, 1) == 1.0f);
    }
}

static void test_normalize_to_16bit_full_scale(void **state)
{
    /* Full scale for 16 bit is 32767/32768: the peak quantizes to 32767
     * without clipping, the rest keeps its proportion. */
    assert_true(strim_full_scale(16) == 32767.0 / 32768.0);
    assert_true(strim_full_scale(24) == 8388607.0 / 8388608.0);
    float b[3] = {0.0625f, -0.25f, 0.125f};
    double g = strim_normalize(b, 3, 1, 0.99, strim_full_scale(16));
    assert_float_equal(g, 4.0 * 32767.0 / 32768.0, 1e-12);
    int32_t q[3];
    strim_quantize(b, q, 3, 16, NULL);
    assert_int_equal(q[1], -32767);
    assert_int_equal(q[0], 8192);  /* 8191.75 rounds up */
    assert_int_equal(q[2], 16384); /* 16383.5 rounds up */
}

static void test_normalize_99_percent_rule(void **state)
{
    float a[2] = {0.99f, -0.2f};
    assert_true(strim_normalize(a, 2, 1, 0.99, 1.0) == 1.0);
    assert_true(a[0] == 0.99f && a[1] == -0.2f);
    float b[2] = {0.2f, -0.995f};
    assert_true(strim_normalize(b, 2, 1, 0.99, 1.0) == 1.0);
    assert_true(b[1] == -0.995f);
    float c[2] = {0.989f, 0.1f};
    double g = strim_normalize(c, 2, 1, 0.99, 1.0);
    assert_true(g > 1.0);
    assert_true(c[0] == 1.0f);
}

static void test_normalize_silence(void **state)
{
    float b[8] = {0};
    assert_true(strim_normalize(b, 8, 1, 0.99, 1.0) == 1.0);
    for (int i = 0; i < 8; i++)
        assert_true(b[i] == 0.0f);
}

/* --- fade ----------------------------------------------------------------- */

static void test_fade_curve(void **state)
{
    float *b = zeros(2 * 100);
    for (size_t i = 0; i < 200; i++)
        b[i] = i % 2 ? -0.5f : 1.0f;
    assert_true(strim_fade_out(b, 100, 2, 44));
    for (size_t f = 0; f < 56; f++) {
        assert_true(b[2 * f] == 1.0f);
        assert_true(b[2 * f + 1] == -0.5f);
    }
    for (size_t i = 0; i < 44; i++) {
        double x = (double)i / 43.0;
        double g = 1.0 - x * x * x;
        assert_float_equal(b[2 * (56 + i)], g, 1e-6);
        assert_float_equal(b[2 * (56 + i) + 1], -0.5 * g, 1e-6);
    }
    assert_true(b[2 * 99] == 0.0f && b[2 * 99 + 1] == 0.0f);
    /* The curve is an ease-out: it stays high first and falls fast at the end. */
    assert_true(strim_fade_gain(22, 44) > 0.85);
    assert_true(strim_fade_gain(42, 44) < 0.07);
    free(b);
}

static void test_fade_shorter_file(void **state)
{
    float b[10];
    for (int i = 0; i < 10; i++)
        b[i] = 0.5f;
    assert_true(strim_fade_out(b, 10, 1, 44));
    assert_true(b[0] == 0.5f); /* x = 0 */
    assert_float_equal(b[3], 0.5 * (1.0 - pow(3.0 / 9.0, 3)), 1e-6);
    assert_true(b[9] == 0.0f);
}

static void test_fade_skipped_when_last_zero(void **state)
{
    float b[2 * 50];
    for (int i = 0; i < 100; i++)
        b[i] = 0.25f;
    b[98] = b[99] = 0.0f; /* last frame silent on both channels */
    assert_false(strim_fade_out(b, 50, 2, 44));
    for (int i = 0; i < 98; i++)
        assert_true(b[i] == 0.25f);

    b[98] = 0.1f; /* one channel not silent: the frame is not silent */
    assert_true(strim_fade_out(b, 50, 2, 44));
    assert_true(b[98] == 0.0f);
    assert_true(b[2 * 5] == 0.25f); /* before the 44-frame fade */
    assert_true(b[2 * 40] < 0.25f);
}

static void test_fade_zero_length(void **state)
{
    float b[4] = {1, 1, 1, 1};
    assert_false(strim_fade_out(b, 4, 1, 0));
    assert_true(b[3] == 1.0f);
    assert_false(strim_fade_out(b, 0, 1, 44));
}

/* --- dither --------------------------------------------------------------- */

#define DN 200000

static void test_dither_unbiased_constant_error(void **state)
{
    /* TPDF: for any input the error has mean 0 and power 1/4 LSB^2, and
     * never exceeds 1.5 LSB. Plain rounding would be biased (0.3 -> 0). */
    const double levels[] = {0.0, 0.3, 0.5, 0.77, 100.25, -1234.6};
    float *in = malloc(DN * sizeof *in);
    int32_t *out = malloc(DN * sizeof *out);
    assert_non_null(in);
    assert_non_null(out);
    for (size_t k = 0; k < sizeof levels / sizeof *levels; k++) {
        float x = (float)((levels[k] + 0.25) / 32768.0); /* +0.25: never exact 0 */
        double v = (double)x * 32768.0;
        for (size_t i = 0; i < DN; i++)
            in[i] = x;
        AtRand r;
        at_rand_seed(&r, 42 + k);
        strim_quantize(in, out, DN, 16, &r);
        double sum = 0, sum2 = 0, maxe = 0;
        for (size_t i = 0; i < DN; i++) {
            double e = out[i] - v;
            sum += e;
            sum2 += e * e;
            if (fabs(e) > maxe)
                maxe = fabs(e);
        }
        double mean = sum / DN, power = sum2 / DN;
        assert_true(fabs(mean) < 0.01);
        assert_true(fabs(power - 0.25) < 0.01);
        assert_true(maxe < 1.5);
    }
    free(in);
    free(out);
}

static void test_dither_is_triangular_one_lsb(void **state)
{
    /* On an integer level, round(v + d) - v is -1, 0, +1 with chances
     * 1/8, 3/4, 1/8 for triangular d in (-1, 1); rectangular +-0.5 would
     * give 0 always, rectangular +-1 would give 0 half the time. */
    float *in = malloc(DN * sizeof *in);
    int32_t *out = malloc(DN * sizeof *out);
    assert_non_null(in);
    assert_non_null(out);
    for (size_t i = 0; i < DN; i++)
        in[i] = 1000.0f / 32768.0f;
    AtRand r;
    at_rand_seed(&r, 7);
    strim_quantize(in, out, DN, 16, &r);
    size_t hist[3] = {0};
    for (size_t i = 0; i < DN; i++) {
        int d = out[i] - 1000;
        assert_true(d >= -1 && d <= 1);
        hist[d + 1]++;
    }
    assert_float_equal((double)hist[0] / DN, 0.125, 0.005);
    assert_float_equal((double)hist[1] / DN, 0.75, 0.005);
    assert_float_equal((double)hist[2] / DN, 0.125, 0.005);
    free(in);
    free(out);
}

static void test_dither_seeded_and_silence(void **state)
{
    enum { N = 4096 };
    float in[N];
    int32_t a[N], b[N], c[N];
    for (int i = 0; i < N; i++)
        in[i] = i % 3 == 0 ? 0.0f : (float)sin(i * 0.01) * 0.3f;
    AtRand r;
    at_rand_seed(&r, 5);
    strim_quantize(in, a, N, 16, &r);
    at_rand_seed(&r, 5);
    strim_quantize(in, b, N, 16, &r);
    at_rand_seed(&r, 6);
    strim_quantize(in, c, N, 16, &r);
    assert_memory_equal(a, b, sizeof a);
    assert_memory_not_equal(a, c, sizeof a);
    for (int i = 0; i < N; i += 3)
        assert_int_equal(a[i], 0); /* digital silence stays silent */
}

static void test_quantize_no_dither_and_clip(void **state)
{
    /* Scaled by 2^(bits-1) like libsndfile reads, so 16-bit input values
     * pass unchanged; clipped to the integer range. */
    float in[7] = {1.0f, -1.0f, 1.5f, -3.0f, 0.45f / 32768.0f, 0.25f, -12345.0f / 32768.0f};
    int32_t out[7];
    strim_quantize(in, out, 7, 16, NULL);
    assert_int_equal(out[0], 32767);
    assert_int_equal(out[1], -32768);
    assert_int_equal(out[2], 32767);
    assert_int_equal(out[3], -32768);
    assert_int_equal(out[4], 0);
    assert_int_equal(out[5], 8192);
    assert_int_equal(out[6], -12345);
    strim_quantize(in, out, 7, 24, NULL);
    assert_int_equal(out[0], 8388607);
    assert_int_equal(out[5], 2097152);
    assert_int_equal(out[6], -12345 * 256);
    strim_quantize(in, out, 7, 8, NULL);
    assert_int_equal(out[0], 127);
    assert_int_equal(out[3], -128);
    /* Dithered full scale never leaves the range either. */
    AtRand r;
    at_rand_seed(&r, 1);
    for (int k = 0; k < 1000; k++) {
        strim_quantize(in, out, 2, 16, &r);
        assert_int_equal(out[0], 32767);
        assert_true(out[1] >= -32768 && out[1] <= -32767);
    }
}

/* --- resampling ------------------------------------------------------------ */

/* Frequency of a sine from its rising zero crossings, skipping the edges. */
static double sine_freq(const float *b, size_t n, int ch, int rate)
{
    double first = -1, last = -1;
    int count = 0;
    for (size_t i = n / 10; i + 1 < n - n / 10; i++) {
        float y0 = b[i * ch], y1 = b[(i + 1) * ch];
        if (y0 < 0 && y1 >= 0) {
            double t = i + y0 / (y0 - y1);
            if (first < 0)
                first = t;
            else
                count++;
            last = t;
        }
    }
    return count > 0 ? count * rate / (last - first) : 0;
}

static StrimAudio make_sine(int rate, size_t frames, int ch, double freq, double amp)
{
    StrimAudio a = {.frames = frames, .channels = ch, .rate = rate};
    a.data = malloc(frames * ch * sizeof *a.data);
    assert_non_null(a.data);
    for (size_t i = 0; i < frames; i++)
        for (int c = 0; c < ch; c++)
            a.data[i * ch + c] = (float)(amp * sin(2 * M_PI * freq * i / rate + c));
    return a;
}

static void test_resample_48k_to_44k1(void **state)
{
    StrimAudio a = make_sine(48000, 48000, 2, 1000.0, 0.5);
    assert_int_equal(strim_resample(&a, 44100, STRIM_Q_MEDIUM), STRIM_OK);
    assert_int_equal(a.rate, 44100);
    assert_true(a.frames >= 44098 && a.frames <= 44102);
    /* Same pitch at the new rate, both channels, level kept. */
    assert_float_equal(sine_freq(a.data, a.frames, 2, 44100), 1000.0, 0.05);
    assert_float_equal(sine_freq(a.data + 1, a.frames, 2, 44100), 1000.0, 0.05);
    float mid = strim_peak(a.data + 2 * 10000, 20000, 2);
    assert_float_equal(mid, 0.5, 0.01);
    strim_audio_free(&a);
}

static void test_resample_up_and_same_rate(void **state)
{
    StrimAudio a = make_sine(22050, 11025, 1, 440.0, 0.25);
    assert_int_equal(strim_resample(&a, 44100, STRIM_Q_FAST), STRIM_OK);
    assert_true(a.frames >= 22048 && a.frames <= 22052);
    assert_float_equal(sine_freq(a.data, a.frames, 1, 44100), 440.0, 0.05);
    strim_audio_free(&a);

    StrimAudio b = make_sine(44100, 1000, 1, 440.0, 0.25);
    float first = b.data[123];
    assert_int_equal(strim_resample(&b, 44100, STRIM_Q_BEST), STRIM_OK);
    assert_int_equal(b.frames, 1000);
    assert_true(b.data[123] == first);
    strim_audio_free(&b);
}

static void test_resample_bad_ratio(void **state)
{
    StrimAudio a = make_sine(8, 100, 1, 1.0, 0.5); /* 44100 / 8 > 256 */
    assert_int_equal(strim_resample(&a, 44100, STRIM_Q_FAST), STRIM_ERR_FORMAT);
    assert_int_equal(a.frames, 100);
    strim_audio_free(&a);
    /* 128 channels convert; more is a clean error, not a resampler one. */
    StrimAudio b = make_sine(48000, 64, 128, 1000.0, 0.5);
    assert_int_equal(strim_resample(&b, 44100, STRIM_Q_FAST), STRIM_OK);
    strim_audio_free(&b);
    StrimAudio c = make_sine(48000, 64, 129, 1000.0, 0.5);
    assert_int_equal(strim_resample(&c, 44100, STRIM_Q_FAST), STRIM_ERR_FORMAT);
    strim_audio_free(&c);
}

/* --- whole chain ------------------------------------------------------------ */

/* 100 frames of silence, a 0.25 burst of 1000 frames, then 300 frames of
 * tail at tail_level (0 = digital silence). */
static StrimAudio burst(float tail_level)
{
    StrimAudio a = {.frames = 1400, .channels = 1, .rate = 44100};
    a.data = zeros(1400);
    for (size_t i = 100; i < 1100; i++)
        a.data[i] = (float)(0.25 * sin(i * 0.1));
    for (size_t i = 1100; i < 1400; i++)
        a.data[i] = i % 2 ? tail_level : -tail_level;
    return a;
}

static void test_process_chain(void **state)
{
    StrimOptions o;
    strim_options_default(&o);
    StrimReport r;
    /* Tail at 0.0001 x gain 4 stays below 0.1%: trimmed, but the last
     * kept frames are not silent, so the fade applies. */
    StrimAudio a = burst(0.0001f);
    assert_int_equal(strim_process(&a, &o, &r), STRIM_OK);
    assert_true(r.gain > 3.9 && r.gain < 4.01);
    assert_int_equal(r.trim_start, 96);
    /* Last loud frame 1099: 1400 - 16k > 1099 >= 1384 - 16k -> k = 18. */
    assert_int_equal(r.trim_end, 1112);
    assert_int_equal(a.frames, r.trim_end - r.trim_start);
    assert_true(r.faded);
    assert_true(a.data[a.frames - 1] == 0.0f);
    assert_true(strim_peak(a.data, a.frames, 1) == (float)strim_full_scale(16));
    strim_audio_free(&a);

    /* Digital silence after the burst: the kept window ends in zeros, so
     * the last sample is already 0 and nothing is faded. */
    StrimAudio b = burst(0.0f);
    assert_int_equal(strim_process(&b, &o, &r), STRIM_OK);
    assert_int_equal(r.trim_end, 1112);
    assert_false(r.faded);
    assert_float_equal(b.data[1099 - 96], 4 * 0.25 * sin(109.9), 1e-3);
    strim_audio_free(&b);

    StrimAudio c = burst(0.0f);
    o.bits = 12; /* not a WAV depth the tool writes */
    assert_int_equal(strim_process(&c, &o, &r), STRIM_ERR_ARG);
    strim_audio_free(&c);
}

/* --- levels: above full scale, the gain limit, one gain for a set --------- */

/* A float burst peaking at amp (a sine), 44.1 kHz mono, 2000 frames. */
static StrimAudio float_burst(double amp)
{
    StrimAudio a = make_sine(44100, 2000, 1, 441.0, amp);
    return a;
}

static void test_level_above_full_scale_brought_down(void **state)
{
    StrimOptions o;
    StrimReport r;
    strim_options_default(&o);
    /* Peak 2.0 (float input): the 99% rule must not leave it to clip. */
    StrimAudio a = float_burst(2.0);
    assert_int_equal(strim_process(&a, &o, &r), STRIM_OK);
    assert_true(r.gain < 0.51 && r.gain > 0.49);
    assert_int_equal(r.clipped, 0);
    float pos, neg;
    assert_true(strim_peaks(a.data, a.frames, 1, &pos, &neg));
    assert_true((pos > neg ? pos : neg) == (float)strim_full_scale(16));
    int32_t *q = malloc(a.frames * sizeof *q);
    assert_non_null(q);
    strim_quantize(a.data, q, a.frames, 16, NULL);
    size_t at_rail = 0;
    for (size_t i = 0; i < a.frames; i++)
        at_rail += q[i] == 32767 || q[i] == -32768;
    assert_true(at_rail < 40); /* a sine's crests only, not two thirds */
    free(q);
    strim_audio_free(&a);

    /* Only the negative side over: -1.0 is still representable, -1.01 not. */
    assert_true(strim_level_gain(0.5f, 1.0f, 0.99, strim_full_scale(16), 100.0, NULL) == 1.0);
    double g = strim_level_gain(0.5f, 1.01f, 0.99, strim_full_scale(16), 100.0, NULL);
    assert_true(g < 1.0 && (float)(1.01f * g) == (float)strim_full_scale(16));

    /* --no-normalize keeps the level: the clipping is counted, not hidden. */
    StrimAudio b = float_burst(2.0);
    o.normalize = false;
    assert_int_equal(strim_process(&b, &o, &r), STRIM_OK);
    assert_true(r.gain == 1.0);
    assert_true(r.clipped > 1000 && r.clipped < 1400); /* |2 sin| >= 1: two thirds */
    strim_audio_free(&b);
}

static void test_level_max_gain(void **state)
{
    StrimOptions o;
    StrimReport r;
    strim_options_default(&o);
    assert_float_equal(20 * log10(o.max_gain), STRIM_DEFAULT_MAX_GAIN_DB, 1e-9);
    /* +-1 LSB of 16-bit noise: +90 dB would make it full-scale noise. */
    StrimAudio a = {.frames = 4000, .channels = 1, .rate = 44100};
    a.data = zeros(4000);
    for (size_t i = 0; i < 4000; i++)
        a.data[i] = (float)((int)(i * 2654435761u >> 30) % 3 - 1) / 32768.0f;
    assert_int_equal(strim_process(&a, &o, &r), STRIM_OK);
    assert_true(r.gain_capped);
    assert_float_equal(r.gain, o.max_gain, 1e-9);
    assert_true(r.wanted_gain > 30000.0);
    assert_true(strim_peak(a.data, a.frames, 1) <= 100.0f / 32768.0f * 1.0001f);
    strim_audio_free(&a);
    /* Under the limit: not capped. */
    StrimAudio b = float_burst(0.1);
    assert_int_equal(strim_process(&b, &o, &r), STRIM_OK);
    assert_false(r.gain_capped);
    assert_true(r.gain > 9.9 && r.gain < 10.1);
    strim_audio_free(&b);
    /* A one-frame file is held to the same limit. */
    StrimAudio c = {.frames = 1, .channels = 1, .rate = 44100};
    c.data = zeros(1);
    c.data[0] = 1.0f / 32768.0f;
    o.fade = 0;
    assert_int_equal(strim_process(&c, &o, &r), STRIM_OK);
    assert_true(r.gain_capped && c.data[0] <= 100.0f / 32768.0f * 1.0001f);
    strim_audio_free(&c);
}

static void test_level_fixed_gain(void **state)
{
    StrimOptions o;
    StrimReport r;
    strim_options_default(&o);
    o.fixed_gain = 2.0; /* --same-gain: the set's gain, whatever this file's peak */
    StrimAudio a = float_burst(0.25);
    assert_int_equal(strim_process(&a, &o, &r), STRIM_OK);
    assert_true(r.gain == 2.0);
    assert_float_equal(strim_peak(a.data, a.frames, 1), 0.5, 1e-3);
    assert_float_equal(r.peak_pos, 0.25, 1e-3);
    strim_audio_free(&a);
}

static void test_level_non_finite_refused(void **state)
{
    StrimOptions o;
    strim_options_default(&o);
    const float bad[3] = {NAN, INFINITY, -INFINITY};
    for (int k = 0; k < 3; k++) {
        StrimAudio a = float_burst(0.5);
        a.data[700] = bad[k];
        assert_int_equal(strim_process(&a, &o, NULL), STRIM_ERR_DAMAGED);
        strim_audio_free(&a);
    }
    assert_int_equal(strim_apply_gain((float[]){0.5f, -1.0f, 1.0f, -1.1f}, 4, 1.0, 16), 2);
}

/* --- instrument files ---------------------------------------------------- */

/* Samples a.wav and "my b.wav" were trimmed: 48k -> 44.1k, 1000 frames
 * cut at the start, 5000 frames kept; anything else was not. */
static bool lookup_ab(void *user, const char *sample, StrimSampleMap *m)
{
    int *calls = user;
    ++*calls;
    if (!strcmp(sample, "same.wav")) { /* named as it was: the looked-up string itself */
        *m = (StrimSampleMap){.path = sample, .ratio = 1.0, .frames = 10};
        return true;
    }
    if (!strcmp(sample, "a.wav") || !strcmp(sample, "my b.wav") || !strcmp(sample, "sub/a.wav")) {
        *m = (StrimSampleMap){.path = !strcmp(sample, "my b.wav") ? "trim/my b & c.wav" : "t/a.wav",
                              .ratio = 44100.0 / 48000.0,
                              .trim_start = 1000,
                              .frames = 5000};
        return true;
    }
    return false;
}

static char *rewrite(const char *in, StrimInstrKind kind, StrimStatus want, size_t *samples,
                     size_t *clamped, char *detail)
{
    char *out = NULL;
    size_t len = 0;
    int calls = 0;
    assert_int_equal(strim_instr_rewrite(in, strlen(in), kind, lookup_ab, &calls, &out, &len,
                                         samples, clamped, detail, 256),
                     want);
    if (want == STRIM_OK) {
        assert_non_null(out);
        assert_int_equal(len, strlen(out));
    }
    return out;
}

/* in rewritten as kind must read want. */
static void expect_rewrite(const char *in, StrimInstrKind kind, const char *want, size_t *samples,
                           size_t *clamped, char *detail)
{
    char *out = rewrite(in, kind, STRIM_OK, samples, clamped, detail);
    assert_string_equal(out, want);
    free(out);
}

static void test_instr_sfz(void **state)
{
    size_t n = 0, cl = 0;
    char detail[256] = "";
    /* samplesnake's layout, plus offsets and loops (input frames). */
    const char *in = "// Written by aiotone-samplesnake.\n<control>\ndefault_path=\n\n<global>\n"
                     "<group>\n"
                     "<region> sample=a.wav lokey=0 hikey=60 offset=2000 loop_start=4800 "
                     "loop_end=48000 end=-1\n"
                     "<region>sample=my b.wav lovel=1 // a comment: sample=x.wav\n";
    char *out = rewrite(in, STRIM_INSTR_SFZ, STRIM_OK, &n, &cl, detail);
    /* 2000 * 0.91875 = 1837.5 -> 1838 - 1000 = 838; 4800 -> 4410 - 1000;
     * 48000 -> 44100 - 1000 = 43100 > 4999: clamped to the last frame. */
    assert_string_equal(out,
                        "// Written by aiotone-samplesnake.\n<control>\ndefault_path=\n\n"
                        "<global>\n<group>\n"
                        "<region> sample=t/a.wav lokey=0 hikey=60 offset=838 loop_start=3410 "
                        "loop_end=4999 end=-1\n"
                        "<region>sample=trim/my b & c.wav lovel=1 // a comment: sample=x.wav\n");
    assert_int_equal(n, 2);
    assert_int_equal(cl, 1);
    free(out);

    /* default_path is folded into the sample path and emptied. */
    expect_rewrite("<control> default_path=sub/\n<region> sample=a.wav\n", STRIM_INSTR_SFZ,
                   "<control> default_path=\n<region> sample=t/a.wav\n", &n, &cl, detail);

    /* A sample that was not trimmed: refused, named. */
    assert_null(rewrite("<region> sample=a.wav\n<region> sample=gone.wav\n", STRIM_INSTR_SFZ,
                        STRIM_ERR_ARG, &n, &cl, detail));
    assert_non_null(strstr(detail, "gone.wav"));
    /* The lookup may hand back the string it was given. */
    expect_rewrite("<region> sample=same.wav end=20\n", STRIM_INSTR_SFZ,
                   "<region> sample=same.wav end=9\n", &n, &cl, detail);
    /* Built-in generators are not files. */
    out = rewrite("<region> sample=*sine offset=10\n", STRIM_INSTR_SFZ, STRIM_OK, &n, &cl, detail);
    assert_string_equal(out, "<region> sample=*sine offset=10\n");
    assert_int_equal(n, 0);
    free(out);
}

static void test_instr_dspreset(void **state)
{
    size_t n = 0, cl = 0;
    char detail[256] = "";
    const char *in = "<?xml version=\"1.0\"?>\n<!-- <sample path=\"x.wav\"/> -->\n"
                     "<DecentSampler><groups><group>\n"
                     "<sample path=\"a.wav\" rootNote=\"60\" start=\"0\" loopStart = '4800' "
                     "end=\"5000\"/>\n"
                     "<sample loVel=\"1\" path=\"my b.wav\"/>\n"
                     "</group></groups><samples/></DecentSampler>\n";
    char *out = rewrite(in, STRIM_INSTR_DSPRESET, STRIM_OK, &n, &cl, detail);
    /* start 0 -> -1000: clamped to 0; 5000 -> 4594 - 1000 = 3594. */
    assert_string_equal(out, "<?xml version=\"1.0\"?>\n<!-- <sample path=\"x.wav\"/> -->\n"
                             "<DecentSampler><groups><group>\n"
                             "<sample path=\"t/a.wav\" rootNote=\"60\" start=\"0\" "
                             "loopStart = '3410' end=\"3594\"/>\n"
                             "<sample loVel=\"1\" path=\"trim/my b &amp; c.wav\"/>\n"
                             "</group></groups><samples/></DecentSampler>\n");
    assert_int_equal(n, 2);
    assert_int_equal(cl, 1);
    free(out);
    /* Entities in the path are decoded before the lookup. */
    out = rewrite("<sample path=\"sub&#47;a.wav\"/>", STRIM_INSTR_DSPRESET, STRIM_OK, &n, &cl,
                  detail);
    assert_string_equal(out, "<sample path=\"t/a.wav\"/>");
    free(out);
    assert_null(rewrite("<sample path=\"nope.wav\"/>", STRIM_INSTR_DSPRESET, STRIM_ERR_ARG, &n, &cl,
                        detail));
    assert_non_null(strstr(detail, "nope.wav"));

    StrimInstrKind k;
    assert_true(strim_instr_kind("kit.SFZ", &k) && k == STRIM_INSTR_SFZ);
    assert_true(strim_instr_kind("x/kit.dspreset", &k) && k == STRIM_INSTR_DSPRESET);
    assert_false(strim_instr_kind("kit.wav", &k));
    assert_false(strim_instr_kind("sfz", &k));
}

/* --- output names -------------------------------------------------------------- */

static void check_path(const char *in, const char *outdir, int rate, int bits, const char *want,
                       const char *want_dir)
{
    char *p, *d;
    assert_int_equal(strim_output_path(in, outdir, rate, bits, &p, &d), STRIM_OK);
    assert_string_equal(p, want);
    assert_string_equal(d, want_dir);
    free(p);
    free(d);
}

static void test_output_path(void **state)
{
    check_path("kit/kick.flac", NULL, 44100, 16, "kit/44100_16bit/kick.wav", "kit/44100_16bit");
    check_path("snare.wav", NULL, 44100, 16, "./44100_16bit/snare.wav", "./44100_16bit");
    check_path("/hat.v2.aiff", NULL, 48000, 24, "/48000_24bit/hat.v2.wav", "/48000_24bit");
    check_path("a/.hidden", NULL, 44100, 16, "a/44100_16bit/.hidden.wav", "a/44100_16bit");
    check_path("a/b/tom", "out", 44100, 16, "out/tom.wav", "out");
    char *p, *d;
    assert_int_equal(strim_output_path("a/b/", NULL, 44100, 16, &p, &d), STRIM_ERR_ARG);
}

/* --- WAV I/O ------------------------------------------------------------------ */

static char tmpdir[64];

static int make_tmp(void **state)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_sampletrim.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmp(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_wav_roundtrip(void **state)
{
    const int bits[] = {8, 16, 24};
    for (size_t k = 0; k < 3; k++) {
        StrimAudio a = make_sine(44100, 500, 2, 300.0, 0.9);
        char path[128];
        snprintf(path, sizeof path, "%s/rt%d.wav", tmpdir, bits[k]);
        assert_int_equal(strim_write_wav(path, &a, bits[k], NULL, NULL, 0, NULL), STRIM_OK);
        int32_t *q = malloc(1000 * sizeof *q);
        assert_non_null(q);
        strim_quantize(a.data, q, 1000, bits[k], NULL);
        StrimAudio b;
        char detail[128];
        assert_int_equal(strim_read_file(path, STRIM_MAX_SAMPLES, &b, detail, sizeof detail, NULL),
                         STRIM_OK);
        assert_int_equal(b.frames, 500);
        assert_int_equal(b.channels, 2);
        assert_int_equal(b.rate, 44100);
        /* libsndfile reads an n-bit integer v as v / 2^(n-1). */
        double full = (double)(INT32_C(1) << (bits[k] - 1));
        for (size_t i = 0; i < 1000; i++)
            assert_true(lrint(b.data[i] * full) == q[i]);
        free(q);
        strim_audio_free(&a);
        strim_audio_free(&b);
    }
}

/* Read a whole file into memory. */
static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = malloc(*len + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, *len, f), *len);
    fclose(f);
    return p;
}

static void test_read_memory_and_errors(void **state)
{
    StrimAudio a = make_sine(48000, 3000, 1, 100.0, 0.5);
    char path[128], detail[256];
    snprintf(path, sizeof path, "%s/mem.wav", tmpdir);
    assert_int_equal(strim_write_wav(path, &a, 16, NULL, NULL, 0, NULL), STRIM_OK);
    size_t len;
    unsigned char *bytes = slurp(path, &len);
    StrimAudio b;
    assert_int_equal(strim_read_memory(bytes, len, STRIM_MAX_SAMPLES, &b, NULL, 0), STRIM_OK);
    assert_int_equal(b.frames, 3000);
    assert_int_equal(b.rate, 48000);
    strim_audio_free(&b);

    /* Over the sample limit: refused, not truncated. */
    assert_int_equal(strim_read_memory(bytes, len, 2999, &b, NULL, 0), STRIM_ERR_TOO_BIG);
    assert_null(b.data);
    assert_int_equal(strim_read_memory(bytes, len, 3000, &b, NULL, 0), STRIM_OK);
    strim_audio_free(&b);

    /* Empty input (damaged) and a mangled header fail cleanly with a message. */
    detail[0] = 0;
    assert_int_equal(strim_read_memory(bytes, 0, STRIM_MAX_SAMPLES, &b, detail, sizeof detail),
                     STRIM_ERR_DAMAGED);
    assert_non_null(strstr(detail, "empty"));
    memcpy(bytes, "RIFX", 4);
    memset(bytes + 8, 'Z', 8);
    assert_int_not_equal(strim_read_memory(bytes, len, STRIM_MAX_SAMPLES, &b, NULL, 0), STRIM_OK);
    assert_null(b.data);

    snprintf(path, sizeof path, "%s/missing.wav", tmpdir);
    assert_int_equal(strim_read_file(path, STRIM_MAX_SAMPLES, &b, detail, sizeof detail, NULL),
                     STRIM_ERR_OPEN);
    free(bytes);
    strim_audio_free(&a);
}

/* A canonical 16-bit PCM WAV header claiming ch channels and one frame of
 * data (h must hold 44 + 2 * ch bytes; the frame is silent). */
static void wav_header(unsigned char *h, int ch)
{
    unsigned block = 2u * ch, rate = 44100;
    memset(h, 0, 44 + block);
    memcpy(h, "RIFF\x24\0\0\0WAVEfmt \x10\0\0\0\x01\0", 22);
    h[22] = ch & 0xff;
    h[23] = ch >> 8;
    for (int i = 0; i < 4; i++) {
        h[24 + i] = (rate >> (8 * i)) & 0xff;
        h[28 + i] = ((rate * block) >> (8 * i)) & 0xff;
    }
    h[32] = block & 0xff;
    h[33] = block >> 8;
    memcpy(h + 34, "\x10\0data", 6);
    h[40] = block & 0xff;
    h[41] = block >> 8;
    unsigned riff = 36 + block;
    h[4] = riff & 0xff;
    h[5] = riff >> 8;
}

static void test_read_channel_limits(void **state)
{
    unsigned char h[44 + 2 * 300];
    StrimAudio b;
    wav_header(h, 2);
    assert_int_equal(strim_read_memory(h, 48, STRIM_MAX_SAMPLES, &b, NULL, 0), STRIM_OK);
    assert_int_equal(b.frames, 1);
    assert_int_equal(b.channels, 2);
    strim_audio_free(&b);
    wav_header(h, 300); /* more than STRIM_MAX_CHANNELS */
    assert_int_not_equal(strim_read_memory(h, 644, STRIM_MAX_SAMPLES, &b, NULL, 0), STRIM_OK);
    assert_null(b.data);
    wav_header(h, 129); /* the tool's limit is 128 */
    assert_int_not_equal(strim_read_memory(h, 44 + 258, STRIM_MAX_SAMPLES, &b, NULL, 0), STRIM_OK);
    wav_header(h, 128);
    assert_int_equal(strim_read_memory(h, 44 + 256, STRIM_MAX_SAMPLES, &b, NULL, 0), STRIM_OK);
    strim_audio_free(&b);
    wav_header(h, 0);
    assert_int_not_equal(strim_read_memory(h, 44, STRIM_MAX_SAMPLES, &b, NULL, 0), STRIM_OK);
}

/* --- damaged input (issue: nothing accepted that is not whole) ------------ */

static void test_read_damaged(void **state)
{
    unsigned char h[44 + 2 * 4];
    char detail[256];
    StrimAudio b;
    /* Zero frames: a header and nothing else. */
    wav_header(h, 2);
    h[40] = 0;
    h[4] = 36;
    detail[0] = 0;
    assert_int_equal(strim_read_memory(h, 44, STRIM_MAX_SAMPLES, &b, detail, sizeof detail),
                     STRIM_ERR_DAMAGED);
    assert_null(b.data);
    assert_non_null(strstr(detail, "0 frames"));
    /* Truncated: the header promises 4 bytes, the file holds 2. */
    wav_header(h, 2);
    assert_int_equal(strim_read_memory(h, 46, STRIM_MAX_SAMPLES, &b, detail, sizeof detail),
                     STRIM_ERR_DAMAGED);
    assert_non_null(strstr(detail, "truncated"));
    /* A huge claim: 2 GB of data in a 48-byte file. */
    wav_header(h, 2);
    h[40] = 0xf0, h[41] = 0xff, h[42] = 0xff, h[43] = 0x7f;
    assert_int_equal(strim_read_memory(h, 48, STRIM_MAX_SAMPLES, &b, detail, sizeof detail),
                     STRIM_ERR_DAMAGED);
    assert_non_null(strstr(detail, "2147483632"));
    /* Sample rate 0: named, not libsndfile's "SF_INFO struct incomplete". */
    wav_header(h, 2);
    memset(h + 24, 0, 4);
    assert_int_equal(strim_read_memory(h, 48, STRIM_MAX_SAMPLES, &b, detail, sizeof detail),
                     STRIM_ERR_DAMAGED);
    assert_non_null(strstr(detail, "sample rate is 0"));
}

/* Truncate a FLAC and an AIFF written by libsndfile to half their size:
 * both are refused as damaged, not decoded to their first half. */
static void test_read_truncated_flac_aiff(void **state)
{
    const int fmts[2] = {SF_FORMAT_FLAC | SF_FORMAT_PCM_16, SF_FORMAT_AIFF | SF_FORMAT_PCM_16};
    for (int k = 0; k < 2; k++) {
        char path[128], detail[256] = "";
        snprintf(path, sizeof path, "%s/trunc%d", tmpdir, k);
        SF_INFO info = {.samplerate = 44100, .channels = 1, .format = fmts[k]};
        SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
        assert_non_null(sf);
        StrimAudio a = make_sine(44100, 20000, 1, 440.0, 0.5);
        assert_int_equal(sf_writef_float(sf, a.data, 20000), 20000);
        sf_close(sf);
        strim_audio_free(&a);
        size_t len;
        unsigned char *bytes = slurp(path, &len);
        StrimAudio b;
        assert_int_equal(strim_read_memory(bytes, len, STRIM_MAX_SAMPLES, &b, NULL, 0), STRIM_OK);
        assert_int_equal(b.frames, 20000);
        strim_audio_free(&b);
        assert_int_equal(
            strim_read_memory(bytes, len / 2, STRIM_MAX_SAMPLES, &b, detail, sizeof detail),
            STRIM_ERR_DAMAGED);
        assert_null(b.data);
        assert_true(strlen(detail) > 0);
        free(bytes);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trim_points_exact),
        cmocka_unit_test(test_trim_negative_peaks_count),
        cmocka_unit_test(test_trim_counts_frames_not_samples),
        cmocka_unit_test(test_trim_thresholds_differ),
        cmocka_unit_test(test_trim_end_partial_first_window),
        cmocka_unit_test(test_trim_silence_kept_whole),
        cmocka_unit_test(test_trim_moves_frames),
        cmocka_unit_test(test_normalize_gain),
        cmocka_unit_test(test_normalize_peak_lands_on_full_scale),
        cmocka_unit_test(test_normalize_to_16bit_full_scale),
        cmocka_unit_test(test_normalize_99_percent_rule),
        cmocka_unit_test(test_normalize_silence),
        cmocka_unit_test(test_fade_curve),
        cmocka_unit_test(test_fade_shorter_file),
        cmocka_unit_test(test_fade_skipped_when_last_zero),
        cmocka_unit_test(test_fade_zero_length),
        cmocka_unit_test(test_dither_unbiased_constant_error),
        cmocka_unit_test(test_dither_is_triangular_one_lsb),
        cmocka_unit_test(test_dither_seeded_and_silence),
        cmocka_unit_test(test_quantize_no_dither_and_clip),
        cmocka_unit_test(test_resample_48k_to_44k1),
        cmocka_unit_test(test_resample_up_and_same_rate),
        cmocka_unit_test(test_resample_bad_ratio),
        cmocka_unit_test(test_process_chain),
        cmocka_unit_test(test_output_path),
        cmocka_unit_test(test_wav_roundtrip),
        cmocka_unit_test(test_read_memory_and_errors),
        cmocka_unit_test(test_read_channel_limits),
        cmocka_unit_test(test_read_damaged),
        cmocka_unit_test(test_read_truncated_flac_aiff),
        cmocka_unit_test(test_level_above_full_scale_brought_down),
        cmocka_unit_test(test_level_max_gain),
        cmocka_unit_test(test_level_fixed_gain),
        cmocka_unit_test(test_level_non_finite_refused),
        cmocka_unit_test(test_instr_sfz),
        cmocka_unit_test(test_instr_dspreset),
    };
    return cmocka_run_group_tests(tests, make_tmp, remove_tmp);
}
