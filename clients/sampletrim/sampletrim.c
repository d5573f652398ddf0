/* sampletrim.c - the float chain of aiotone-sampletrim (see sampletrim.h). */
#include "sampletrim.h"

#include <math.h>
#include <soxr.h>
#include <stdlib.h>
#include <string.h>

const char *strim_strerror(StrimStatus st)
{
    switch (st) {
    case STRIM_OK:
        return "success";
    case STRIM_ERR_NOMEM:
        return "out of memory";
    case STRIM_ERR_OPEN:
        return "not readable as audio, skipped";
    case STRIM_ERR_FORMAT:
        return "unsupported audio parameters";
    case STRIM_ERR_TOO_BIG:
        return "too large";
    case STRIM_ERR_READ:
        return "decoding failed";
    case STRIM_ERR_RESAMPLE:
        return "sample rate conversion failed";
    case STRIM_ERR_WRITE:
        return "cannot write output";
    case STRIM_ERR_ARG:
        return "invalid argument";
    case STRIM_ERR_DAMAGED:
        return "damaged file, skipped";
    }
    return "unknown error";
}

void strim_options_default(StrimOptions *o)
{
    *o = (StrimOptions){
        .rate = 44100,
        .bits = 16,
        .normalize = true,
        .normalize_skip = 0.99,
        .start_threshold = 0.005,
        .end_threshold = 0.001,
        .window = 16,
        .fade = 44,
        .dither = true,
        .quality = STRIM_Q_MEDIUM,
        .max_gain = pow(10.0, STRIM_DEFAULT_MAX_GAIN_DB / 20.0),
        .fixed_gain = 0.0,
    };
}

void strim_audio_free(StrimAudio *a)
{
    free(a->data);
    *a = (StrimAudio){0};
}

float strim_peak(const float *buf, size_t frames, int channels)
{
    size_t n = frames * (size_t)channels;
    float peak = 0.0f;
    for (size_t i = 0; i < n; i++) {
        float v = fabsf(buf[i]);
        if (v > peak)
            peak = v;
    }
    return peak;
}

double strim_full_scale(int bits)
{
    double one = (double)(INT32_C(1) << (bits - 1));
    return (one - 1.0) / one;
}

bool strim_peaks(const float *buf, size_t frames, int channels, float *pos, float *neg)
{
    size_t n = frames * (size_t)channels;
    float hi = 0.0f, lo = 0.0f;
    for (size_t i = 0; i < n; i++) {
        float v = buf[i];
        hi = v > hi ? v : hi;
        lo = v < lo ? v : lo;
    }
    *pos = hi;
    *neg = -lo;
    /* NaN never wins a comparison; infinity does: check both ends once. */
    if (!isfinite(hi) || !isfinite(lo))
        return false;
    for (size_t i = 0; i < n; i++) {
        if (buf[i] != buf[i])
            return false;
    }
    return true;
}

double strim_level_gain(float pos, float neg, double skip_at, double target, double max_gain,
                        bool *capped)
{
    float peak = pos > neg ? pos : neg;
    if (capped)
        *capped = false;
    if (!(peak > 0.0f))
        return 1.0;
    /* Over full scale (float input): always down to the target, never
     * left to the quantizer to clip. */
    bool over = pos > target || neg > 1.0f;
    if (!over && peak >= skip_at)
        return 1.0;
    /* In double, peak * (target / peak) rounds to exactly (float)target:
     * the loudest sample lands on full scale, not a hair off it. */
    double gain = target / peak;
    if (gain > max_gain) {
        gain = max_gain;
        if (capped)
            *capped = true;
    }
    return gain;
}

size_t strim_apply_gain(float *buf, size_t n, double gain, int bits)
{
    /* strim_quantize clips what rounds outside [-2^(b-1), 2^(b-1) - 1].
     * The limits stay in double: at 24 bit the lower one, -(1 + 2^-24),
     * would round to -1.0 in float and count -1.0 itself as clipped. */
    const double scale = (double)(INT32_C(1) << (bits - 1));
    const double hi = (scale - 0.5) / scale, lo = (-scale - 0.5) / scale;
    size_t clipped = 0;
    if (gain == 1.0) {
        for (size_t i = 0; i < n; i++)
            clipped += buf[i] >= hi || buf[i] <= lo;
        return clipped;
    }
    for (size_t i = 0; i < n; i++) {
        buf[i] = (float)(buf[i] * gain);
        clipped += buf[i] >= hi || buf[i] <= lo;
    }
    return clipped;
}

double strim_normalize(float *buf, size_t frames, int channels, double skip_at, double target)
{
    float pos, neg;
    strim_peaks(buf, frames, channels, &pos, &neg);
    double gain = strim_level_gain(pos, neg, skip_at, target, INFINITY, NULL);
    if (gain != 1.0)
        strim_apply_gain(buf, frames * (size_t)channels, gain, 24);
    return gain;
}

void strim_trim_points(const float *buf, size_t frames, int channels, size_t window,
                       double start_thr, double end_thr, size_t *start, size_t *end)
{
    size_t w = window ? window : 1;
    *start = 0;
    *end = frames;
    for (size_t off = 0; off < frames; off += w) {
        size_t len = frames - off < w ? frames - off : w;
        if (strim_peak(buf + off * (size_t)channels, len, channels) > start_thr) {
            *start = off;
            break;
        }
    }
    /* End windows are aligned to the last frame, as in the original. */
    for (size_t hi = frames; hi > 0; hi = hi > w ? hi - w : 0) {
        size_t lo = hi > w ? hi - w : 0;
        if (strim_peak(buf + lo * (size_t)channels, hi - lo, channels) > end_thr) {
            *end = hi;
            break;
        }
    }
    if (*end < *start) /* cannot happen for end_thr <= start_thr; stay safe */
        *end = *start;
}

size_t strim_trim(float *buf, size_t frames, int channels, size_t start, size_t end)
{
    if (end > frames)
        end = frames;
    if (start >= end)
        return 0;
    if (start > 0)
        memmove(buf, buf + start * (size_t)channels,
                (end - start) * (size_t)channels * sizeof *buf);
    return end - start;
}

double strim_fade_gain(size_t i, size_t n)
{
    if (n <= 1)
        return 0.0;
    double x = (double)i / (double)(n - 1);
    return 1.0 - x * x * x;
}

bool strim_fade_out(float *buf, size_t frames, int channels, size_t len)
{
    if (frames == 0 || len == 0)
        return false;
    const float *last = buf + (frames - 1) * (size_t)channels;
    bool silent = true;
    for (int c = 0; c < channels; c++)
        silent = silent && last[c] == 0.0f;
    if (silent)
        return false;
    size_t n = len < frames ? len : frames;
    float *p = buf + (frames - n) * (size_t)channels;
    for (size_t i = 0; i < n; i++) {
        double g = strim_fade_gain(i, n);
        for (int c = 0; c < channels; c++, p++)
            *p = (float)(*p * g);
    }
    return true;
}

void strim_quantize(const float *in, int32_t *out, size_t n, int bits, AtRand *r)
{
    const double scale = (double)(INT32_C(1) << (bits - 1));
    const double k = 1.0 / 16777216.0; /* 2^-24: 24-bit uniforms */
    for (size_t i = 0; i < n; i++) {
        double d = 0.0;
        if (r) {
            /* Difference of two uniforms in [0, 1): triangular in (-1, 1). */
            uint64_t u = at_rand_next(r);
            d = (double)(u >> 40) * k - (double)((u >> 16) & 0xFFFFFF) * k;
        }
        if (in[i] == 0.0f) {
            out[i] = 0;
            continue;
        }
        double q = floor(in[i] * scale + d + 0.5);
        if (q > scale - 1.0)
            q = scale - 1.0;
        else if (q < -scale)
            q = -scale;
        else if (q != q) /* NaN from a corrupt float file */
            q = 0.0;
        out[i] = (int32_t)q;
    }
}

/* Input frames handed to the resampler per call (progress granularity). */
#define RESAMPLE_CHUNK 65536

/* libsoxr's recipe for q. The default (medium) keeps the bandwidth of
 * `sox rate -h` (flat to 95% of the output's Nyquist frequency, stopband
 * from Nyquist on, linear phase) at 24-bit precision instead of 20, with
 * no passband roll-off (flat to the band edge): measured against sox by
 * tests/integration/test_sampletrim_quality.sh, no worse on ripple, alias
 * rejection and THD+N, at the same speed. best: 28-bit, flat to 97%;
 * fast: libsoxr's 20-bit default (flat to 91%, 0.01 dB roll-off). */
static soxr_quality_spec_t quality_spec(StrimQuality q)
{
    if (q == STRIM_Q_FAST)
        return soxr_quality_spec(SOXR_HQ | SOXR_LINEAR_PHASE, 0);
    bool best = q == STRIM_Q_BEST;
    soxr_quality_spec_t spec =
        soxr_quality_spec((best ? SOXR_VHQ : SOXR_24_BITQ) | SOXR_LINEAR_PHASE, SOXR_ROLLOFF_NONE);
    spec.passband_end = best ? 0.97 : 0.95;
    return spec;
}

static StrimStatus resample(StrimAudio *a, int rate, StrimQuality q, const StrimProgress *pr)
{
    if (rate <= 0 || a->rate <= 0 || a->channels <= 0)
        return STRIM_ERR_ARG;
    if (a->rate == rate)
        return STRIM_OK;
    double ratio = (double)rate / (double)a->rate;
    if (ratio < 1.0 / 256.0 || ratio > 256.0 || a->channels > STRIM_SRC_MAX_CHANNELS)
        return STRIM_ERR_FORMAT;
    if (a->frames == 0) {
        a->rate = rate;
        return STRIM_OK;
    }
    double want = ceil((double)a->frames * ratio) + 64.0;
    if (want * a->channels > (double)STRIM_MAX_SAMPLES)
        return STRIM_ERR_TOO_BIG;
    size_t cap = (size_t)want, ch = (size_t)a->channels;
    float *out = malloc(cap * ch * sizeof *out);
    if (!out)
        return STRIM_ERR_NOMEM;
    soxr_error_t err = NULL;
    soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
    soxr_quality_spec_t qs = quality_spec(q);
    soxr_runtime_spec_t rt = soxr_runtime_spec(1); /* one thread: --jobs decides */
    soxr_t s = soxr_create(a->rate, rate, (unsigned)a->channels, &err, &io, &qs, &rt);
    if (!s || err) {
        free(out);
        return STRIM_ERR_RESAMPLE;
    }
    size_t in_pos = 0, out_pos = 0;
    while (!err && in_pos < a->frames && out_pos < cap) {
        size_t n = a->frames - in_pos < RESAMPLE_CHUNK ? a->frames - in_pos : RESAMPLE_CHUNK;
        size_t used = 0, made = 0;
        err = soxr_process(s, a->data + in_pos * ch, n, &used, out + out_pos * ch, cap - out_pos,
                           &made);
        in_pos += used;
        out_pos += made;
        if (pr)
            pr->fn(pr->user, STRIM_STAGE_CONVERT, in_pos, a->frames);
    }
    /* End of input: drain what the filter still holds. */
    for (size_t made = 1; !err && made && out_pos < cap; out_pos += made)
        err = soxr_process(s, NULL, 0, NULL, out + out_pos * ch, cap - out_pos, &made);
    soxr_delete(s);
    if (err || in_pos < a->frames) {
        free(out);
        return STRIM_ERR_RESAMPLE;
    }
    free(a->data);
    a->data = out;
    a->frames = out_pos;
    a->rate = rate;
    return STRIM_OK;
}

StrimStatus strim_resample(StrimAudio *a, int rate, StrimQuality q)
{
    return resample(a, rate, q, NULL);
}

StrimStatus strim_process(StrimAudio *a, const StrimOptions *o, StrimReport *rep)
{
    StrimReport r = {.in_rate = a->rate, .in_frames = a->frames, .gain = 1.0, .wanted_gain = 1.0};
    if (o->bits != 8 && o->bits != 16 && o->bits != 24)
        return STRIM_ERR_ARG;
    StrimStatus st = resample(a, o->rate, o->quality, o->progress);
    if (st != STRIM_OK)
        return st;
    r.resampled_frames = a->frames;
    /* One pass for the peaks, after conversion; a NaN or an infinity in
     * the input is still there (the filter spreads it, never removes it). */
    if (!strim_peaks(a->data, a->frames, a->channels, &r.peak_pos, &r.peak_neg))
        return STRIM_ERR_DAMAGED;
    if (o->fixed_gain > 0.0)
        r.gain = r.wanted_gain = o->fixed_gain;
    else if (o->normalize) {
        double t = strim_full_scale(o->bits);
        r.wanted_gain =
            strim_level_gain(r.peak_pos, r.peak_neg, o->normalize_skip, t, INFINITY, NULL);
        r.gain = strim_level_gain(r.peak_pos, r.peak_neg, o->normalize_skip, t, o->max_gain,
                                  &r.gain_capped);
    }
    /* No gain and nothing that could clip: no pass over the samples. */
    const double scale = (double)(INT32_C(1) << (o->bits - 1));
    if (r.gain != 1.0 || r.peak_pos >= (float)((scale - 0.5) / scale) ||
        -r.peak_neg <= (float)((-scale - 0.5) / scale))
        r.clipped = strim_apply_gain(a->data, a->frames * (size_t)a->channels, r.gain, o->bits);
    strim_trim_points(a->data, a->frames, a->channels, o->window, o->start_threshold,
                      o->end_threshold, &r.trim_start, &r.trim_end);
    a->frames = strim_trim(a->data, a->frames, a->channels, r.trim_start, r.trim_end);
    r.faded = strim_fade_out(a->data, a->frames, a->channels, o->fade);
    if (rep)
        *rep = r;
    return STRIM_OK;
}
