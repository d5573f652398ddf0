/* test_sampletrim_edges.c - the sampletrim float chain (docs/sampletrim.md,
 * clients/sampletrim/sampletrim.h) at its edges, written
 * where mutation testing (make mutate, docs/mutation.md) showed that
 * test_sampletrim.c let a changed rule pass: thresholds that must be
 * crossed (not reached), windows at both ends, the fade's exact gains, the
 * 99% rule's boundary, rounding and clipping of every bit depth, the
 * resampler's refusals and the report of the whole chain. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clients/sampletrim/sampletrim.h"
#include "trim_check.h"

static float *zeros(size_t n)
{
    float *p = calloc(n ? n : 1, sizeof *p);
    assert_non_null(p);
    return p;
}

static void defaults_are_the_original_tool(void **state)
{
    (void)state;
    StrimOptions o;
    memset(&o, 0xAB, sizeof o);
    strim_options_default(&o);
    assert_int_equal(o.rate, 44100);
    assert_int_equal(o.bits, 16);
    assert_true(o.normalize);
    assert_true(o.normalize_skip == 0.99);
    assert_true(o.start_threshold == 0.005);
    assert_true(o.end_threshold == 0.001);
    assert_int_equal(o.window, 16);
    assert_int_equal(o.fade, 44);
    assert_true(o.dither);
    assert_int_equal(o.quality, STRIM_Q_MEDIUM);
}

static void every_status_has_its_own_text(void **state)
{
    (void)state;
    const char *want[] = {"success",
                          "out of memory",
                          "not readable as audio, skipped",
                          "unsupported audio parameters",
                          "too large",
                          "decoding failed",
                          "sample rate conversion failed",
                          "cannot write output",
                          "invalid argument"};
    for (int st = STRIM_OK; st <= STRIM_ERR_ARG; st++)
        assert_string_equal(strim_strerror((StrimStatus)st), want[st]);
    assert_string_equal(strim_strerror((StrimStatus)99), "unknown error");
}

static void peak_reads_every_sample_of_every_frame(void **state)
{
    (void)state;
    float b[8] = {0.1f, -0.2f, 0.3f, 0.0f, 0.0f, 0.0f, 0.0f, -0.7f};
    assert_true(strim_peak(b, 4, 2) == 0.7f); /* the last sample counts */
    assert_true(strim_peak(b, 3, 2) == 0.3f); /* frames, not samples */
    assert_true(strim_peak(b, 1, 2) == 0.2f);
    assert_true(strim_peak(b, 0, 2) == 0.0f);
    float one[1] = {-1.0f};
    assert_true(strim_peak(one, 1, 1) == 1.0f);
}

static void full_scale_of_each_depth(void **state)
{
    (void)state;
    assert_true(strim_full_scale(8) == 127.0 / 128.0);
    assert_true(strim_full_scale(16) == 32767.0 / 32768.0);
    assert_true(strim_full_scale(24) == 8388607.0 / 8388608.0);
}

/* ---- normalize ---------------------------------------------------------- */

static void normalize_boundary_and_gain(void **state)
{
    (void)state;
    /* A peak exactly at the skip level is left alone, a hair below is not. */
    float a[4] = {0.5f, -0.99f, 0.25f, 0.0f};
    assert_true(strim_normalize(a, 2, 2, 0.99, 1.0) == 1.0);
    assert_true(a[1] == -0.99f && a[0] == 0.5f);
    float b[4] = {0.5f, -0.98f, 0.25f, 0.0f};
    double g = strim_normalize(b, 2, 2, 0.99, 1.0);
    assert_true(g == 1.0 / (double)0.98f);
    assert_true(b[1] == -1.0f);
    assert_true(b[0] == (float)(0.5f * g));
    assert_true(b[2] == (float)(0.25f * g)); /* the second frame too */
    /* Louder than full scale (a float file): brought down only when the
     * skip level allows it. */
    float c[2] = {2.0f, -1.0f};
    assert_true(strim_normalize(c, 2, 1, 4.0, 0.5) == 0.25);
    assert_true(c[0] == 0.5f && c[1] == -0.25f);
    /* Silence: no gain. */
    float z[3] = {0};
    assert_true(strim_normalize(z, 3, 1, 0.99, 1.0) == 1.0);
}

/* ---- trim ---------------------------------------------------------------- */

static void thresholds_must_be_crossed(void **state)
{
    (void)state;
    /* A window peaking exactly at a threshold does not count (thresholds
     * a float holds exactly, so "exactly" means exactly). */
    float *b = zeros(64);
    b[20] = 0.25f; /* reaches the end threshold only */
    b[40] = 0.25f;
    /* nothing crossed: kept whole */
    assert_trim(b, 64, 1, 16, 0.5, 0.25, 0, 64);
    b[20] = 0.5f; /* reaches the start threshold, crosses the end one */
    assert_trim(b, 64, 1, 16, 0.5, 0.25, 0, 32);
    b[20] = 0.50001f;
    b[40] = 0.25001f;
    assert_trim(b, 64, 1, 16, 0.5, 0.25, 16, 48);
    free(b);
}

static void first_and_last_windows(void **state)
{
    (void)state;
    /* Sound in the first frame and in the last frame: nothing trimmed. */
    float *b = zeros(50);
    b[0] = 0.5f;
    b[49] = 0.5f;
    assert_trim(b, 50, 1, 16, 0.005, 0.001, 0, 50);
    /* Sound only in frame 1 of a 50-frame file: the end windows are aligned
     * to the end (34..50, 18..34, 2..18, 0..2): the one holding frame 1 is
     * the short first window 0..2. */
    b[0] = 0.0f;
    b[49] = 0.0f;
    b[1] = 0.5f;
    assert_trim(b, 50, 1, 16, 0.005, 0.001, 0, 2);
    /* Start windows are aligned to frame 0: the last, short one (48..50)
     * is searched too. */
    b[1] = 0.0f;
    b[49] = 0.5f;
    assert_trim(b, 50, 1, 16, 0.005, 0.001, 48, 50);
    /* A window of 0 frames is taken as 1. */
    assert_trim(b, 50, 1, 0, 0.005, 0.001, 49, 50);
    /* Stereo: the right channel of the last frame. */
    float st[2 * 40] = {0};
    st[2 * 39 + 1] = 0.5f;
    st[2 * 5 + 1] = 0.002f; /* above the end threshold only */
    assert_trim(st, 40, 2, 8, 0.005, 0.001, 32, 40);
    free(b);
}

static void samples_past_the_end_are_not_the_file(void **state)
{
    (void)state;
    /* The buffer goes on after the file's frames: what is there is no
     * sound of the file, for the search and for the gain. */
    float *b = zeros(200);
    b[100] = 0.9f; /* past frame 50 */
    /* nothing in the file: kept whole */
    assert_trim(b, 50, 1, 16, 0.005, 0.001, 0, 50);
    b[10] = 0.25f;
    b[50] = 0.1f; /* the first sample past the end */
    assert_true(strim_normalize(b, 50, 1, 0.99, 0.5) == 2.0);
    assert_true(b[10] == 0.5f);
    assert_true(b[100] == 0.9f); /* untouched */
    assert_true(b[50] == 0.1f);
    free(b);
}

static void end_never_before_start(void **state)
{
    (void)state;
    /* An end threshold above the start threshold: the end window search
     * may stop before the start window; the kept part is then empty. */
    float *b = zeros(64);
    b[5] = 0.01f;
    assert_trim(b, 64, 1, 16, 0.005, 0.5, 0, 64); /* no end window crosses: kept to the end */
    b[60] = 0.6f;
    b[5] = 0.0f;
    b[30] = 0.01f;
    assert_trim(b, 64, 1, 16, 0.005, 0.5, 16, 64);
    free(b);
}

static void trim_moves_exactly_the_kept_frames(void **state)
{
    (void)state;
    float b[12];
    for (int i = 0; i < 12; i++)
        b[i] = (float)i;
    /* stereo, 6 frames: keep frames 2..5 */
    assert_int_equal(strim_trim(b, 6, 2, 2, 5), 3);
    for (int i = 0; i < 6; i++)
        assert_true(b[i] == (float)(i + 4));
    for (int i = 0; i < 12; i++)
        b[i] = (float)i;
    assert_int_equal(strim_trim(b, 6, 2, 0, 6), 6); /* nothing to move */
    assert_true(b[11] == 11.0f);
    assert_int_equal(strim_trim(b, 6, 2, 1, 99), 5); /* end clamped */
    assert_true(b[0] == 2.0f && b[9] == 11.0f);
    assert_int_equal(strim_trim(b, 6, 2, 4, 4), 0);
    assert_int_equal(strim_trim(b, 6, 2, 5, 3), 0);
}

/* ---- fade ------------------------------------------------------------------- */

static void fade_gains_exactly(void **state)
{
    (void)state;
    assert_true(strim_fade_gain(0, 44) == 1.0);
    assert_true(strim_fade_gain(43, 44) == 0.0);
    double x = 10.0 / 43.0;
    assert_true(strim_fade_gain(10, 44) == 1.0 - x * x * x);
    assert_true(strim_fade_gain(1, 3) == 1.0 - 0.125);
    assert_true(strim_fade_gain(0, 1) == 0.0);
    assert_true(strim_fade_gain(0, 0) == 0.0);
    assert_true(strim_fade_gain(0, 2) == 1.0);
    assert_true(strim_fade_gain(1, 2) == 0.0);
}

static void fade_every_channel_of_the_last_frames(void **state)
{
    (void)state;
    /* 10 stereo frames of 1.0, fade 4: frames 6..9 get 1, 1 - (1/3)^3, ... */
    float b[20];
    for (int i = 0; i < 20; i++)
        b[i] = 1.0f;
    assert_true(strim_fade_out(b, 10, 2, 4));
    for (int f = 0; f < 10; f++) {
        double g = f < 6 ? 1.0 : strim_fade_gain((size_t)(f - 6), 4);
        assert_true(b[2 * f] == (float)g);
        assert_true(b[2 * f + 1] == (float)g);
    }
    /* Only the left channel of the last frame is 0: not silent, faded. */
    for (int i = 0; i < 20; i++)
        b[i] = 0.5f;
    b[18] = 0.0f;
    assert_true(strim_fade_out(b, 10, 2, 2));
    assert_true(b[19] == 0.0f && b[17] == 0.5f);
    /* Only the right channel is 0: faded too. */
    for (int i = 0; i < 20; i++)
        b[i] = 0.5f;
    b[19] = 0.0f;
    assert_true(strim_fade_out(b, 10, 2, 2));
    assert_true(b[18] == 0.0f);
    /* Both 0: nothing to do. */
    for (int i = 0; i < 20; i++)
        b[i] = 0.5f;
    b[18] = b[19] = 0.0f;
    assert_false(strim_fade_out(b, 10, 2, 2));
    assert_true(b[16] == 0.5f);
    /* Nothing to fade in an empty file. */
    assert_false(strim_fade_out(b, 0, 2, 4));
}

/* ---- quantize ---------------------------------------------------------------- */

static void quantize_rounds_half_up_and_clips(void **state)
{
    (void)state;
    const float lsb = 1.0f / 32768.0f;
    float in[8] = {0.5f * lsb,     -0.5f * lsb,     1.5f * lsb,  -1.5f * lsb,
                   32766.5f * lsb, -32768.5f * lsb, 0.49f * lsb, NAN};
    int32_t out[8];
    strim_quantize(in, out, 8, 16, NULL);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 0);
    assert_int_equal(out[2], 2);
    assert_int_equal(out[3], -1);
    assert_int_equal(out[4], 32767);
    assert_int_equal(out[5], -32768);
    assert_int_equal(out[6], 0);
    assert_int_equal(out[7], 0); /* NaN from a corrupt file */
    /* the largest and smallest value of each depth pass unchanged */
    for (int bits = 8; bits <= 24; bits += 8) {
        double scale = (double)(1 << (bits - 1));
        float ends[2] = {(float)((scale - 1.0) / scale), -1.0f};
        strim_quantize(ends, out, 2, bits, NULL);
        assert_int_equal(out[0], (int32_t)scale - 1);
        assert_int_equal(out[1], -(int32_t)scale);
    }
}

static void dither_stays_within_one_lsb(void **state)
{
    (void)state;
    /* A value exactly on an integer: with dither the result is that
     * integer or a neighbour, and both neighbours happen. */
    AtRand r;
    at_rand_seed(&r, 7);
    float in[1] = {100.0f / 32768.0f};
    int32_t out[1];
    int seen[3] = {0};
    for (int k = 0; k < 4000; k++) {
        strim_quantize(in, out, 1, 16, &r);
        assert_true(out[0] >= 99 && out[0] <= 101);
        seen[out[0] - 99]++;
    }
    assert_true(seen[0] > 0 && seen[2] > 0);
    assert_true(seen[1] > seen[0] && seen[1] > seen[2]); /* triangular */
    /* The mean error is about zero: no offset. */
    long sum = 0;
    for (int k = 0; k < 20000; k++) {
        strim_quantize(in, out, 1, 16, &r);
        sum += out[0] - 100;
    }
    assert_true(labs(sum) < 400);
}

/* ---- resample ------------------------------------------------------------------- */

static void resample_refusals(void **state)
{
    (void)state;
    StrimAudio a = {.data = zeros(100), .frames = 100, .channels = 1, .rate = 48000};
    assert_int_equal(strim_resample(&a, 0, STRIM_Q_FAST), STRIM_ERR_ARG);
    assert_int_equal(strim_resample(&a, -44100, STRIM_Q_FAST), STRIM_ERR_ARG);
    a.channels = 0;
    assert_int_equal(strim_resample(&a, 44100, STRIM_Q_FAST), STRIM_ERR_ARG);
    a.channels = 1;
    a.rate = 0;
    assert_int_equal(strim_resample(&a, 44100, STRIM_Q_FAST), STRIM_ERR_ARG);
    a.rate = 48000;
    /* libsamplerate takes ratios up to 256 either way */
    assert_int_equal(strim_resample(&a, 48000 * 300, STRIM_Q_FAST), STRIM_ERR_FORMAT);
    assert_int_equal(a.rate, 48000);
    assert_int_equal(a.frames, 100);
    a.channels = STRIM_SRC_MAX_CHANNELS + 1;
    assert_int_equal(strim_resample(&a, 44100, STRIM_Q_FAST), STRIM_ERR_FORMAT);
    a.channels = 1;
    /* any positive rate is a rate: 200 Hz down to 1 Hz (ratio 1/200) */
    StrimAudio slow = {.data = zeros(400), .frames = 400, .channels = 1, .rate = 200};
    assert_int_equal(strim_resample(&slow, 1, STRIM_Q_FAST), STRIM_OK);
    assert_int_equal(slow.rate, 1);
    assert_true(slow.frames >= 1 && slow.frames <= 3);
    strim_audio_free(&slow);
    /* more output samples than the limit, counting every channel */
    StrimAudio wide = {
        .data = zeros(1), .frames = STRIM_MAX_SAMPLES / 4, .channels = 2, .rate = 8000};
    assert_int_equal(strim_resample(&wide, 16000, STRIM_Q_FAST), STRIM_ERR_TOO_BIG);
    assert_int_equal(wide.rate, 8000);
    strim_audio_free(&wide);
    /* more output samples than the limit */
    StrimAudio big = {
        .data = zeros(1), .frames = STRIM_MAX_SAMPLES / 2, .channels = 1, .rate = 8000};
    assert_int_equal(strim_resample(&big, 48000, STRIM_Q_FAST), STRIM_ERR_TOO_BIG);
    assert_int_equal(big.rate, 8000);
    strim_audio_free(&big);
    assert_null(big.data);
    assert_int_equal(big.frames, 0);
    /* an empty file just changes its rate */
    StrimAudio e = {.data = NULL, .frames = 0, .channels = 2, .rate = 96000};
    assert_int_equal(strim_resample(&e, 44100, STRIM_Q_BEST), STRIM_OK);
    assert_int_equal(e.rate, 44100);
    assert_int_equal(e.frames, 0);
    /* halving the rate halves the frames (within the filter's edge) */
    assert_int_equal(strim_resample(&a, 24000, STRIM_Q_FAST), STRIM_OK);
    assert_int_equal(a.rate, 24000);
    assert_true(a.frames >= 49 && a.frames <= 51);
    strim_audio_free(&a);
}

/* ---- the whole chain ------------------------------------------------------------ */

static void chain_reports_each_step(void **state)
{
    (void)state;
    /* 48 kHz stereo: silence, a tone at 0.2 on the left, silence. */
    const size_t n = 4800;
    StrimAudio a = {.data = zeros(2 * n), .frames = n, .channels = 2, .rate = 48000};
    for (size_t i = 1000; i < 3000; i++)
        a.data[2 * i] = (float)(0.2 * sin((double)i * 0.05));
    StrimOptions o;
    strim_options_default(&o);
    o.dither = false;
    StrimReport r;
    memset(&r, 0xAB, sizeof r);
    assert_int_equal(strim_process(&a, &o, &r), STRIM_OK);
    assert_int_equal(r.in_rate, 48000);
    assert_int_equal(r.in_frames, n);
    assert_true(r.resampled_frames >= 4409 && r.resampled_frames <= 4411);
    assert_int_equal(a.rate, 44100);
    assert_true(r.gain > 4.9 && r.gain < 5.1);
    /* the tone starts near 1000 * 44100 / 48000 = 918.75, ends near 2756 */
    assert_true(r.trim_start % 16 == 0);
    assert_true(r.trim_start >= 880 && r.trim_start <= 928);
    /* the end window may hold the resampler's ringing after the tone's
     * abrupt end: libsoxr's steep filter stays above 0.1% for about 70
     * frames (measured: trim_end 2826) */
    assert_true(r.trim_end > 2740 && r.trim_end < 2850);
    assert_int_equal(a.frames, r.trim_end - r.trim_start);
    /* normalized to full scale (the fade may take the very loudest sample,
     * the resampler's ringing at the tone's abrupt end) */
    float peak = strim_peak(a.data, a.frames, 2);
    assert_true(peak > 0.99f && peak <= (float)strim_full_scale(16));
    /* without normalization the gain is 1 and the level unchanged */
    StrimAudio b = {.data = zeros(2 * 100), .frames = 100, .channels = 2, .rate = 44100};
    for (size_t i = 0; i < 100; i++)
        b.data[2 * i + 1] = 0.1f;
    o.normalize = false;
    assert_int_equal(strim_process(&b, &o, &r), STRIM_OK);
    assert_true(r.gain == 1.0);
    assert_int_equal(r.resampled_frames, 100);
    assert_true(b.data[1] == 0.1f);
    assert_true(r.faded);
    assert_true(b.data[2 * 99 + 1] == 0.0f);
    /* no report wanted */
    assert_int_equal(strim_process(&b, &o, NULL), STRIM_OK);
    /* the three depths are accepted, others refused before anything */
    int depths[] = {8, 24, 0, 32, 17};
    for (int k = 0; k < 5; k++) {
        o.bits = depths[k];
        StrimStatus st = strim_process(&b, &o, &r);
        assert_int_equal(st, k < 2 ? STRIM_OK : STRIM_ERR_ARG);
    }
    o.bits = 16;
    o.rate = 0; /* the resampler's refusal is the chain's */
    assert_int_equal(strim_process(&b, &o, &r), STRIM_ERR_ARG);
    strim_audio_free(&a);
    strim_audio_free(&b);
}

/* ---- gains, clip counts and the converter's alignment --------------------------- */

static void clip_count_of_each_depth(void **state)
{
    (void)state;
    /* a sample clips when x * 2^(b-1) rounds (half up) outside
     * [-2^(b-1), 2^(b-1) - 1]: for 16 bit 0.99999 -> 32767.67 -> 32768
     * clips, 0.99997 -> 32767.02 -> 32767 does not, -1.0 is -32768 and
     * -1.00002 -> -32768.66 -> -32769 clips */
    float x[] = {0.99999f, 0.99997f, -1.0f, -1.00002f, 0.0f};
    float y[5];
    memcpy(y, x, sizeof x);
    /* unity gain: nothing is changed, the first sample counts too */
    assert_int_equal(strim_apply_gain(y, 5, 1.0, 16), 2);
    assert_memory_equal(y, x, sizeof x);
    assert_int_equal(strim_apply_gain(y, 1, 1.0, 16), 1);
    /* the count matches what the quantizer makes of the samples */
    int32_t q[5];
    strim_quantize(x, q, 5, 16, NULL);
    assert_int_equal(q[0], 32767);
    assert_int_equal(q[1], 32767);
    assert_int_equal(q[2], -32768);
    assert_int_equal(q[3], -32768);
    /* at 24 bit the same values fit, but 1.0 itself does not */
    float z[] = {0.99999f, -1.0f, 1.0f};
    assert_int_equal(strim_apply_gain(z, 3, 1.0, 24), 1);
    /* a gain: every sample is scaled, then counted */
    float g[] = {0.5f, -0.25f, 0.49f};
    assert_int_equal(strim_apply_gain(g, 3, 2.0, 16), 1);
    assert_true(g[0] == 1.0f && g[1] == -0.5f && g[2] == 0.98f);
}

static void fixed_gain_is_applied_as_given(void **state)
{
    (void)state;
    /* --same-gain hands every file the one gain of the set, also one
     * below 1 (the loudest file of the set was over full scale) */
    const size_t n = 200;
    StrimAudio a = {.data = zeros(n), .frames = n, .channels = 1, .rate = 44100};
    for (size_t i = 0; i < n; i++)
        a.data[i] = 0.4f;
    StrimOptions o;
    strim_options_default(&o);
    o.dither = false;
    o.fixed_gain = 0.5;
    StrimReport r;
    assert_int_equal(strim_process(&a, &o, &r), STRIM_OK);
    assert_true(r.gain == 0.5);
    assert_true(a.data[0] == 0.2f);
    strim_audio_free(&a);
}

/* index of the largest |sample| of channel 0 */
static size_t loudest_frame(const StrimAudio *a)
{
    size_t at = 0;
    for (size_t i = 0; i < a->frames; i++)
        if (fabsf(a->data[i * (size_t)a->channels]) > fabsf(a->data[at * (size_t)a->channels]))
            at = i;
    return at;
}

static void conversion_keeps_time_and_length(void **state)
{
    (void)state;
    /* linear phase with the filter's delay removed: an impulse at input
     * frame 300 comes out at frame 600 after doubling the rate, and the
     * length doubles exactly, at every quality */
    StrimQuality qs[] = {STRIM_Q_BEST, STRIM_Q_MEDIUM, STRIM_Q_FAST};
    for (int k = 0; k < 3; k++) {
        StrimAudio a = {.data = zeros(2 * 1000), .frames = 1000, .channels = 2, .rate = 24000};
        a.data[2 * 300] = 0.5f;
        assert_int_equal(strim_resample(&a, 48000, qs[k]), STRIM_OK);
        assert_int_equal(a.frames, 2000);
        assert_int_equal(loudest_frame(&a), 600);
        strim_audio_free(&a);
    }
}

static double tone_rms(const StrimAudio *a, size_t from, size_t to)
{
    double sum = 0.0;
    for (size_t i = from; i < to; i++)
        sum += (double)a->data[i] * a->data[i];
    return sqrt(sum / (double)(to - from));
}

static void best_quality_band(void **state)
{
    (void)state;
    /* best: flat to 97% of the output's Nyquist frequency, the stopband
     * from Nyquist on. 96 kHz -> 48 kHz: a tone at 23 kHz (95.8%) keeps
     * its level, one at 30 kHz (above 24 kHz) is removed, not folded
     * down to 18 kHz */
    const size_t n = 9600;
    double freq[] = {23000.0, 30000.0};
    for (int k = 0; k < 2; k++) {
        StrimAudio a = {.data = zeros(n), .frames = n, .channels = 1, .rate = 96000};
        for (size_t i = 0; i < n; i++)
            a.data[i] = (float)(0.5 * sin(2.0 * M_PI * freq[k] * (double)i / 96000.0));
        assert_int_equal(strim_resample(&a, 48000, STRIM_Q_BEST), STRIM_OK);
        assert_int_equal(a.frames, n / 2);
        double rms = tone_rms(&a, 1000, 3800); /* away from the ends */
        if (k == 0)
            assert_true(fabs(rms - 0.5 / sqrt(2.0)) < 0.001);
        else
            assert_true(rms < 1e-5);
        strim_audio_free(&a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_are_the_original_tool),
        cmocka_unit_test(every_status_has_its_own_text),
        cmocka_unit_test(peak_reads_every_sample_of_every_frame),
        cmocka_unit_test(full_scale_of_each_depth),
        cmocka_unit_test(normalize_boundary_and_gain),
        cmocka_unit_test(thresholds_must_be_crossed),
        cmocka_unit_test(first_and_last_windows),
        cmocka_unit_test(samples_past_the_end_are_not_the_file),
        cmocka_unit_test(end_never_before_start),
        cmocka_unit_test(trim_moves_exactly_the_kept_frames),
        cmocka_unit_test(fade_gains_exactly),
        cmocka_unit_test(fade_every_channel_of_the_last_frames),
        cmocka_unit_test(quantize_rounds_half_up_and_clips),
        cmocka_unit_test(dither_stays_within_one_lsb),
        cmocka_unit_test(resample_refusals),
        cmocka_unit_test(chain_reports_each_step),
        cmocka_unit_test(clip_count_of_each_depth),
        cmocka_unit_test(fixed_gain_is_applied_as_given),
        cmocka_unit_test(conversion_keeps_time_and_length),
        cmocka_unit_test(best_quality_band),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
