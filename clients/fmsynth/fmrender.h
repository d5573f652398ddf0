/* fmrender.h - Standard MIDI Files (through libsmf) rendered offline by
 * the same core to a float WAV (libsndfile). No JACK. */
#ifndef FM_RENDER_H
#define FM_RENDER_H

#include "fmsynth.h"

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* Events later than this are taken for a damaged file, not music: they
 * are skipped, and counted in FmSong.late. */
#define FM_SONG_MAX_SECONDS (4 * 3600.0)
/* Longest release tail --render plays after the last event. */
#define FM_RENDER_MAX_TAIL 30.0

/* One channel message of a song, at its time in seconds. */
typedef struct {
    double seconds;
    uint8_t size;
    uint8_t data[3];
} FmSongEvent;

/* A song: its channel messages in time order (tracks merged), and what
 * was left out of it. */
typedef struct {
    FmSongEvent *events;
    size_t count;
    double length;      /* seconds to the last event */
    size_t sysex;       /* sysex messages (the synth takes none) */
    size_t late;        /* events later than FM_SONG_MAX_SECONDS */
    double first_late;  /* the time of the first of them, seconds */
    size_t other;       /* anything else libsmf handed over that is no channel message */
    uint32_t notes[16]; /* note-ons (velocity > 0) per channel, 0-based */
} FmSong;

/* What a render produced. */
typedef struct {
    uint64_t frames; /* frames written, the release tail included */
    double peak;     /* largest absolute sample */
    uint64_t nans;   /* NaN or infinite samples (should be 0) */
} FmRenderStats;

/* Progress: seconds of the song rendered so far (never more than total),
 * the song's length, and the seconds of release tail rendered after it. */
typedef void (*FmProgressFn)(void *ctx, double done, double total, double tail);

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
/* Most frames a render of song can write: the song, the grid frame after
 * it, max_tail seconds of release and one period. */
uint64_t fm_song_max_frames(const FmSong *song, uint32_t rate, uint32_t period, double max_tail);

/* The libsndfile container for a stereo float render of at most
 * max_frames frames: SF_FORMAT_WAV when it surely fits in a RIFF WAV's
 * 32-bit sizes, else SF_FORMAT_RF64 (the render then asks libsndfile to
 * write a plain WAV anyway if it ends below 4 GiB). */
int fm_render_container(uint64_t max_frames);

/* Check the output path of a render of in: refuses (FM_ERR_ARG, message in
 * err) an output that is the input (same device and inode, through
 * symlinks or hard links, or the same real path), a directory, or an
 * existing file that is not a regular file. Writes to final the path to
 * replace: out itself, or the file an existing symlink points to. */
FmStatus fm_render_check_output(const char *in, const char *out, char *final, size_t finallen,
                                char *err, size_t errlen);

/* Render song to a 32-bit float stereo WAV (RF64 past 4 GiB) at path.
 * The samples go to a temporary file in the same folder, renamed to path
 * only when everything was written and synced; on any failure (a write
 * error, disk full, a file-size limit, *stop set by a signal handler:
 * FM_ERR_STOP) the temporary file is removed and path is left as it was.
 * stop may be NULL. */
FmStatus fm_song_render_wav(FmSynth *s, const FmSong *song, uint32_t rate, uint32_t period,
                            const char *path, const volatile sig_atomic_t *stop,
                            FmProgressFn progress, void *progress_ctx, FmRenderStats *stats,
                            char *err, size_t errlen);

#endif
