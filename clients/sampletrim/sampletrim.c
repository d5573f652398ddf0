/* sampletrim.c - the float chain of aiotone-sampletrim (see sampletrim.h). */
#include "sampletrim.h"

#include <math.h>
#include <samplerate.h>
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
        return "cannot open as audio";
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

double strim_normalize(float *buf, size_t frames, int channels, double skip_at, double target)
{
    float peak = strim_peak(buf, frames, channels);
    if (!(peak > 0.0f) || peak >= skip_at)
        return 1.0;
    /* In double, peak * (target / peak) rounds to exactly (float)target:
     * the loudest sample lands on full scale, not a hair off it. */
    double gain = target / peak;
    size_t n = frames * (size_t)channels;
    for (size_t i = 0; i < n; i++)
        buf[i] = (float)(buf[i] * gain);
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

StrimStatus strim_resample(StrimAudio *a, int rate, StrimQuality q)
{
    if (rate <= 0 || a->rate <= 0 || a->channels <= 0)
        return STRIM_ERR_ARG;
    if (a->rate == rate)
        return STRIM_OK;
    double ratio = (double)rate / (double)a->rate;
    if (!src_is_valid_ratio(ratio) || a->channels > STRIM_SRC_MAX_CHANNELS)
        return STRIM_ERR_FORMAT;
    if (a->frames == 0) {
        a->rate = rate;
        return STRIM_OK;
    }
    double want = ceil((double)a->frames * ratio) + 64.0;
    if (want * a->channels > (double)STRIM_MAX_SAMPLES)
        return STRIM_ERR_TOO_BIG;
    size_t cap = (size_t)want;
    float *out = malloc(cap * (size_t)a->channels * sizeof *out);
    if (!out)
        return STRIM_ERR_NOMEM;
    SRC_DATA d = {
        .data_in = a->data,
        .data_out = out,
        .input_frames = (long)a->frames,
        .output_frames = (long)cap,
        .src_ratio = ratio,
        .end_of_input = 1,
    };
    if (src_simple(&d, (int)q, a->channels) != 0) {
        free(out);
        return STRIM_ERR_RESAMPLE;
    }
    free(a->data);
    a->data = out;
    a->frames = (size_t)d.output_frames_gen;
    a->rate = rate;
    return STRIM_OK;
}

StrimStatus strim_process(StrimAudio *a, const StrimOptions *o, StrimReport *rep)
{
    StrimReport r = {.in_rate = a->rate, .in_frames = a->frames, .gain = 1.0};
    if (o->bits != 8 && o->bits != 16 && o->bits != 24)
        return STRIM_ERR_ARG;
    StrimStatus st = strim_resample(a, o->rate, o->quality);
    if (st != STRIM_OK)
        return st;
    r.resampled_frames = a->frames;
    if (o->normalize)
        r.gain = strim_normalize(a->data, a->frames, a->channels, o->normalize_skip,
                                 strim_full_scale(o->bits));
    strim_trim_points(a->data, a->frames, a->channels, o->window, o->start_threshold,
                      o->end_threshold, &r.trim_start, &r.trim_end);
    a->frames = strim_trim(a->data, a->frames, a->channels, r.trim_start, r.trim_end);
    r.faded = strim_fade_out(a->data, a->frames, a->channels, o->fade);
    if (rep)
        *rep = r;
    return STRIM_OK;
}
