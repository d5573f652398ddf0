/* sampletrim.h - the pure core of aiotone-sampletrim: resample, normalize,
 * trim, fade and dither a sample held as interleaved float frames (full
 * scale = 1.0). No file I/O here (see sampletrim_io.h), no globals: every
 * function is a function of its arguments, so unit tests and the fuzzer
 * drive exactly the code the tool runs. */
#ifndef STRIM_H
#define STRIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rand.h"

/* Largest sample count (frames x channels) the tool holds in memory: 1 GiB
 * of floats, about 50 minutes of stereo at 44.1 kHz. */
#define STRIM_MAX_SAMPLES ((size_t)1 << 28)

/* Most channels the tool converts (no sample has more). */
#define STRIM_SRC_MAX_CHANNELS 128

/* Status codes of the core and of the I/O layer. */
typedef enum {
    STRIM_OK = 0,
    STRIM_ERR_NOMEM,    /* allocation failed */
    STRIM_ERR_OPEN,     /* file missing, unreadable or not audio */
    STRIM_ERR_FORMAT,   /* audio parameters we refuse (rate, channels) */
    STRIM_ERR_TOO_BIG,  /* more samples than the configured limit */
    STRIM_ERR_READ,     /* decoder error while reading */
    STRIM_ERR_RESAMPLE, /* libsoxr failed */
    STRIM_ERR_WRITE,    /* output could not be created or written */
    STRIM_ERR_ARG,      /* bad argument (a caller bug or bad option) */
    STRIM_ERR_DAMAGED,  /* truncated, empty, 0 frames, or non-finite samples */
} StrimStatus;

/* Human-readable text for a status code. */
const char *strim_strerror(StrimStatus st);

/* Resampler quality, mapped onto libsoxr's recipes (see quality_spec in
 * sampletrim.c and docs/man/aiotone-sampletrim.1). */
typedef enum {
    STRIM_Q_BEST = 0,   /* 28-bit, flat to 97% of Nyquist */
    STRIM_Q_MEDIUM = 1, /* 24-bit, flat to 95% (the default; sox rate -h's band) */
    STRIM_Q_FAST = 2,   /* 20-bit, flat to 91% */
} StrimQuality;

/* Stages of one file, for progress reports. */
typedef enum { STRIM_STAGE_READ, STRIM_STAGE_CONVERT, STRIM_STAGE_WRITE } StrimStage;

/* Progress within one file: fn is called from the thread doing the work,
 * now and then, with the stage and how much of it is done (done of total,
 * in frames for reading and converting, samples for writing). */
typedef struct {
    void (*fn)(void *user, StrimStage stage, size_t done, size_t total);
    void *user;
} StrimProgress;

/* Everything the chain can be told; strim_options_default gives the
 * original tool's behaviour. */
typedef struct {
    int rate;                      /* output sample rate, Hz */
    int bits;                      /* output bit depth: 8, 16 or 24 */
    bool normalize;                /* false: never change the level */
    double normalize_skip;         /* no gain when the peak is >= this (0.99) */
    double start_threshold;        /* trim start: first window peaking above (0.005) */
    double end_threshold;          /* trim end: after last window peaking above (0.001) */
    size_t window;                 /* trim window length in frames (16) */
    size_t fade;                   /* fade-out length in frames (44), 0 = none */
    bool dither;                   /* TPDF dither before quantizing */
    StrimQuality quality;          /* resampler */
    double max_gain;               /* most a file is raised, linear (100 = +40 dB) */
    double fixed_gain;             /* > 0: this gain for every file (--same-gain) */
    const StrimProgress *progress; /* NULL: none */
} StrimOptions;

/* The default largest gain: +40 dB. More than that turns the noise floor
 * of a near-silent file into loud noise. */
#define STRIM_DEFAULT_MAX_GAIN_DB 40.0

/* Interleaved float audio owned by the struct (free with strim_audio_free). */
typedef struct {
    float *data;
    size_t frames;
    int channels;
    int rate;
} StrimAudio;

/* What the chain did to one file (for --verbose and the tests). */
typedef struct {
    int in_rate;
    size_t in_frames;        /* as decoded */
    size_t resampled_frames; /* after rate conversion */
    double gain;             /* linear gain applied by normalization */
    size_t trim_start;       /* first kept frame (after rate conversion) */
    size_t trim_end;         /* one past the last kept frame */
    bool faded;              /* false when the last frame was already silent */
    float peak_pos;          /* largest sample after rate conversion, before gain */
    float peak_neg;          /* largest magnitude of a negative sample, ditto */
    double wanted_gain;      /* the gain normalization asked for (before max_gain) */
    bool gain_capped;        /* wanted_gain was above max_gain: max_gain used */
    size_t clipped;          /* samples outside the output range after the gain */
} StrimReport;

/* Fill o with the defaults: 44100 Hz, 16 bit, thresholds 0.5%/0.1%,
 * 16-frame windows, 44-frame fade, normalize unless peak >= 99%. */
void strim_options_default(StrimOptions *o);

/* Release the samples of a and zero it. */
void strim_audio_free(StrimAudio *a);

/* Largest absolute sample value over all channels of frames [0, frames). */
float strim_peak(const float *buf, size_t frames, int channels);

/* Largest positive sample (*pos) and largest magnitude of a negative one
 * (*neg), both >= 0; returns false when a sample is NaN or infinite. */
bool strim_peaks(const float *buf, size_t frames, int channels, float *pos, float *neg);

/* The normalization gain for peaks pos/neg (as strim_peaks gives them):
 * target / max(pos, neg), except 1.0 when there is no signal or when the
 * peak is already >= skip_at without going over full scale (pos > target
 * or neg > 1.0: such input, float above full scale, is always brought down
 * to target). A raise above max_gain is limited to max_gain and sets
 * *capped (may be NULL). */
double strim_level_gain(float pos, float neg, double skip_at, double target, double max_gain,
                        bool *capped);

/* Scale buf by strim_level_gain (without a gain limit): its peak becomes
 * exactly target; returns the linear gain applied (1.0 when none). */
double strim_normalize(float *buf, size_t frames, int channels, double skip_at, double target);

/* Multiply n samples by gain; returns how many of them then fall outside
 * what bits can hold (they would clip in strim_quantize). */
size_t strim_apply_gain(float *buf, size_t n, double gain, int bits);

/* The normalization target for a bit depth: the largest positive integer
 * sample, (2^(bits-1) - 1) / 2^(bits-1) (32767/32768 for 16 bit). */
double strim_full_scale(int bits);

/* Find the part to keep: start = first window (aligned to frame 0) peaking
 * above start_thr, end = end of the last window (aligned to the end)
 * peaking above end_thr. Without such windows the file is kept whole. */
void strim_trim_points(const float *buf, size_t frames, int channels, size_t window,
                       double start_thr, double end_thr, size_t *start, size_t *end);

/* Move frames [start, end) to the front of buf; returns end - start. */
size_t strim_trim(float *buf, size_t frames, int channels, size_t start, size_t end);

/* Fade-out gain of frame i of an n-frame fade: 1 - x^3, x = i / (n - 1). */
double strim_fade_gain(size_t i, size_t n);

/* Fade out the last min(len, frames) frames unless the last frame is
 * already silent (every channel exactly 0); returns whether it faded. */
bool strim_fade_out(float *buf, size_t frames, int channels, size_t len);

/* Quantize n samples to signed integers of the given bit depth: x times
 * 2^(bits-1) (libsndfile's scaling, so integer input passes unchanged),
 * rounded with TPDF dither of +-1 LSB when r is not NULL, clipped to the
 * integer range.
 * Exact zeros stay zero (digital silence is not dithered) but still use
 * their random numbers, so the sequence does not depend on the signal. */
void strim_quantize(const float *in, int32_t *out, size_t n, int bits, AtRand *r);

/* Convert a to rate with libsoxr; a keeps its samples on failure. */
StrimStatus strim_resample(StrimAudio *a, int rate, StrimQuality q);

/* The whole float chain on a: resample, normalize (or o->fixed_gain),
 * trim, fade. rep may be NULL. Input with NaN or infinite samples is
 * refused (STRIM_ERR_DAMAGED). Quantization happens when writing
 * (strim_quantize). */
StrimStatus strim_process(StrimAudio *a, const StrimOptions *o, StrimReport *rep);

#endif
