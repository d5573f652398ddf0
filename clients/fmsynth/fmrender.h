/* fmrender.h - Standard MIDI Files (through libsmf) rendered offline by
 * the same core to a float WAV (libsndfile). No JACK. */
#ifndef FM_RENDER_H
#define FM_RENDER_H

#include "fmsynth.h"

#include <stddef.h>
#include <stdint.h>

/* One channel message of a song, at its time in seconds. */
typedef struct {
    double seconds;
    uint8_t size;
    uint8_t data[3];
} FmSongEvent;

/* A song: its channel messages in time order (tracks merged). */
typedef struct {
    FmSongEvent *events;
    size_t count;
    double length;  /* seconds to the last event */
    size_t skipped; /* sysex and other messages the synth cannot take */
} FmSong;

/* What a render produced. */
typedef struct {
    uint64_t frames; /* frames written, the release tail included */
    double peak;     /* largest absolute sample */
    uint64_t nans;   /* NaN or infinite samples (should be 0) */
} FmRenderStats;

/* Progress: seconds rendered so far and the song's length. */
typedef void (*FmProgressFn)(void *ctx, double done, double total);

/* Read a Standard MIDI File from memory / a file. On failure returns
 * FM_ERR_ARG (or FM_ERR_NOMEM) with a message in err. */
FmStatus fm_song_load_memory(FmSong *song, const void *buf, size_t len, char *err, size_t errlen);
FmStatus fm_song_load_file(FmSong *song, const char *path, char *err, size_t errlen);
/* Free a song's events. */
void fm_song_free(FmSong *song);

/* Play song through s in periods of period frames (1..8192, as in a JACK
 * period; the output does not depend on it), releasing every note at the end and rendering the
 * release tail (at most max_tail seconds). Writes interleaved stereo float
 * to out (2 * frames floats, frames returned in stats) when out is not
 * NULL, calling sink for each period instead when sink is not NULL. */
typedef int (*FmSinkFn)(void *ctx, const float *l, const float *r, uint32_t n);
FmStatus fm_song_render(FmSynth *s, const FmSong *song, uint32_t rate, uint32_t period,
                        double max_tail, FmSinkFn sink, void *sink_ctx, FmProgressFn progress,
                        void *progress_ctx, FmRenderStats *stats);
/* Render song to a 32-bit float stereo WAV file at path. */
FmStatus fm_song_render_wav(FmSynth *s, const FmSong *song, uint32_t rate, uint32_t period,
                            const char *path, FmProgressFn progress, void *progress_ctx,
                            FmRenderStats *stats, char *err, size_t errlen);

#endif
