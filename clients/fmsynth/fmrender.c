/* fmrender.c - MIDI file reading (libsmf) and offline rendering. */
#include "fmrender.h"
#include "fileio.h"

#include <errno.h>
#include <glib.h>
#include <limits.h>
#include <math.h>
#include <smf.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_PERIOD 8192

/* libsmf reports file problems through glib's log; keep the last message
 * for our own error line instead of letting glib print it. */
static char smf_message[256];

static void smf_log(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer user)
{
    snprintf(smf_message, sizeof smf_message, "%s", msg ? msg : "");
}

/* ---- a strict structural check before libsmf sees the bytes ----
 * libsmf 1.3 asserts (aborts the process) on several malformed inputs,
 * e.g. a track that runs out without an End Of Track event. Walk every
 * chunk and event first and refuse anything it could trip on, naming the
 * byte offset. */

typedef struct {
    const uint8_t *p;
    size_t pos, end;
} Cursor;

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool read_vlq(Cursor *c, uint32_t *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        if (c->pos >= c->end)
            return false;
        uint8_t b = c->p[c->pos++];
        *v = (*v << 7) | (b & 0x7F);
        if (!(b & 0x80))
            return true;
    }
    return false; /* longer than 4 bytes */
}

/* Lengths a meta event must have (-1: any). */
static int meta_length(uint8_t type)
{
    switch (type) {
    case 0x2F:
        return 0;
    case 0x20:
    case 0x21:
        return 1;
    case 0x59:
        return 2;
    case 0x51:
        return 3;
    case 0x58:
        return 4;
    case 0x54:
        return 5;
    default:
        return -1;
    }
}

static bool check_track(const uint8_t *buf, size_t start, size_t end, char *err, size_t errlen)
{
    Cursor c = {buf, start, end};
    uint8_t running = 0;
    while (c.pos < c.end) {
        uint32_t delta, len;
        size_t at = c.pos;
        if (!read_vlq(&c, &delta) || c.pos >= c.end)
            goto bad;
        at = c.pos;
        uint8_t st = buf[c.pos];
        if (st & 0x80) {
            c.pos++;
        } else if (!running) {
            snprintf(err, errlen,
                     "data byte %#x at byte %zu where a status byte must be (no running status)",
                     st, at);
            return false;
        } else {
            st = running;
        }
        if (st == 0xFF) {
            if (c.pos >= c.end)
                goto bad;
            uint8_t type = buf[c.pos++];
            if (type & 0x80 || !read_vlq(&c, &len) || len > c.end - c.pos)
                goto bad;
            int want = meta_length(type);
            if (want >= 0 && len != (uint32_t)want)
                goto bad;
            if (type == 0x51 && (buf[c.pos] | buf[c.pos + 1] | buf[c.pos + 2]) == 0) {
                snprintf(err, errlen, "tempo 0 (a quarter note lasting no time) at byte %zu", at);
                return false;
            }
            c.pos += len;
            running = 0;
            if (type == 0x2F)
                return c.pos == c.end
                           ? true
                           : (snprintf(err, errlen, "data after End Of Track at byte %zu", c.pos),
                              false);
        } else if (st == 0xF0 || st == 0xF7) {
            if (!read_vlq(&c, &len) || len > c.end - c.pos)
                goto bad;
            c.pos += len;
            running = 0;
        } else if (st >= 0xF0) {
            goto bad;
        } else {
            int need = at_midi_message_size(st) - 1;
            if ((size_t)need > c.end - c.pos)
                goto bad;
            for (int i = 0; i < need; i++)
                if (buf[c.pos + (size_t)i] & 0x80)
                    goto bad;
            c.pos += (size_t)need;
            running = st;
        }
        continue;
    bad:
        snprintf(err, errlen, "corrupt or truncated event at byte %zu", at);
        return false;
    }
    snprintf(err, errlen, "track ending at byte %zu has no End Of Track event", end);
    return false;
}

static bool check_smf(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
    if (len == 0) {
        snprintf(err, errlen, "empty file (0 bytes): not a Standard MIDI File");
        return false;
    }
    if (len >= 4 && len < 14 && memcmp(buf, "MThd", 4) == 0) {
        snprintf(err, errlen, "truncated header (%zu bytes, a MIDI header has 14)", len);
        return false;
    }
    if (len < 14 || memcmp(buf, "MThd", 4) != 0) {
        snprintf(err, errlen, "not a Standard MIDI File (no MThd header)");
        return false;
    }
    uint32_t hlen = be32(buf + 4);
    if (hlen < 6 || hlen > len - 8) {
        snprintf(err, errlen, "bad header length %u", hlen);
        return false;
    }
    /* A longer header is allowed by the standard, but libsmf 1.3 refuses
     * it after allocating (and leaks that): refuse it here, saying why. */
    if (hlen != 6) {
        snprintf(err, errlen, "header length %u is not supported (only 6)", hlen);
        return false;
    }
    unsigned format = (unsigned)buf[8] << 8 | buf[9], ntracks = (unsigned)buf[10] << 8 | buf[11];
    unsigned division = (unsigned)buf[12] << 8 | buf[13];
    if (format > 2 || ntracks == 0 || (format == 0 && ntracks != 1)) {
        snprintf(err, errlen, "bad header (format %u, %u tracks)", format, ntracks);
        return false;
    }
    /* libsmf 1.3 refuses format 2 after allocating, and leaks that. */
    if (format == 2) {
        snprintf(err, errlen,
                 "format 2 (independent sequences) is not supported; format 0 and 1 are");
        return false;
    }
    if (division == 0 || (division & 0x8000)) {
        snprintf(err, errlen, "time division %#x not supported (SMPTE or zero)", division);
        return false;
    }
    size_t pos = 8 + hlen;
    unsigned tracks = 0;
    while (pos + 8 <= len && tracks < ntracks) {
        uint32_t clen = be32(buf + pos + 4);
        if (clen > len - pos - 8) {
            snprintf(err, errlen, "chunk at byte %zu is truncated (%u bytes announced)", pos, clen);
            return false;
        }
        if (memcmp(buf + pos, "MTrk", 4) == 0) {
            if (!check_track(buf, pos + 8, pos + 8 + clen, err, errlen))
                return false;
            tracks++;
        }
        pos += 8 + (size_t)clen;
    }
    if (tracks != ntracks) {
        snprintf(err, errlen, "%u of %u tracks found: file truncated", tracks, ntracks);
        return false;
    }
    return true;
}

static FmStatus song_from_smf(FmSong *song, smf_t *smf, char *err, size_t errlen)
{
    size_t cap = 1024;
    song->events = malloc(cap * sizeof *song->events);
    if (!song->events) {
        snprintf(err, errlen, "out of memory");
        return FM_ERR_NOMEM;
    }
    smf_event_t *e;
    while ((e = smf_get_next_event(smf)) != NULL) {
        if (smf_event_is_metadata(e))
            continue;
        int n = e->midi_buffer_length;
        if (e->time_seconds > FM_SONG_MAX_SECONDS) {
            if (!song->late || e->time_seconds < song->first_late)
                song->first_late = e->time_seconds;
            song->late++;
            continue;
        }
        if (n >= 1 && e->midi_buffer && (e->midi_buffer[0] == 0xF0 || e->midi_buffer[0] == 0xF7)) {
            song->sysex++;
            continue;
        }
        if (n < 1 || n > 3 || !e->midi_buffer || !(e->midi_buffer[0] & 0x80) ||
            e->midi_buffer[0] >= 0xF0 || !(e->time_seconds >= 0.0)) {
            song->other++;
            continue;
        }
        if (song->count == cap) {
            FmSongEvent *more = realloc(song->events, 2 * cap * sizeof *more);
            if (!more) {
                snprintf(err, errlen, "out of memory");
                return FM_ERR_NOMEM;
            }
            song->events = more;
            cap *= 2;
        }
        FmSongEvent *se = &song->events[song->count++];
        memset(se, 0, sizeof *se);
        se->seconds = e->time_seconds;
        se->size = (uint8_t)n;
        memcpy(se->data, e->midi_buffer, (size_t)n);
        if ((se->data[0] & 0xF0) == 0x90 && n == 3 && se->data[2] > 0)
            song->notes[se->data[0] & 0x0F]++;
        if (se->seconds > song->length)
            song->length = se->seconds;
    }
    return FM_OK;
}

FmStatus fm_song_load_memory(FmSong *song, const void *buf, size_t len, char *err, size_t errlen)
{
    memset(song, 0, sizeof *song);
    if (len > (size_t)1 << 30) {
        snprintf(err, errlen, "file too large (%zu bytes)", len);
        return FM_ERR_ARG;
    }
    if (!check_smf(buf, len, err, errlen))
        return FM_ERR_ARG;
    smf_message[0] = 0;
    guint h = g_log_set_handler("libsmf", G_LOG_LEVEL_MASK, smf_log, NULL);
    smf_t *smf = smf_load_from_memory(buf, (int)len);
    FmStatus st = FM_ERR_ARG;
    if (!smf)
        snprintf(err, errlen, "not a valid Standard MIDI File%s%s", smf_message[0] ? ": " : "",
                 smf_message);
    else
        st = song_from_smf(song, smf, err, errlen);
    g_log_remove_handler("libsmf", h);
    if (smf)
        smf_delete(smf);
    if (st != FM_OK)
        fm_song_free(song);
    return st;
}

FmStatus fm_song_load_file(FmSong *song, const char *path, char *err, size_t errlen)
{
    memset(song, 0, sizeof *song);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return FM_ERR_ARG;
    }
    FmStatus st = FM_ERR_NOMEM;
    size_t len = 0;
    char *buf = at_file_read_stream(f, (size_t)1 << 30, &len);
    if (!buf) {
        if (errno == EFBIG)
            snprintf(err, errlen, "%s: larger than 1 GiB: not a MIDI file", path);
        else if (errno != ENOMEM)
            snprintf(err, errlen, "%s: read error", path);
        st = errno == ENOMEM ? FM_ERR_NOMEM : FM_ERR_ARG;
        goto done;
    }
    char why[300];
    st = fm_song_load_memory(song, buf, len, why, sizeof why);
    if (st != FM_OK)
        snprintf(err, errlen, "%s: %s", path, why);
done:
    if (st == FM_ERR_NOMEM && !err[0])
        snprintf(err, errlen, "%s: out of memory", path);
    free(buf);
    fclose(f);
    return st;
}

void fm_song_free(FmSong *song)
{
    free(song->events);
    memset(song, 0, sizeof *song);
}

static void account(FmRenderStats *st, const float *x, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (!isfinite(x[i])) {
            st->nans++;
            continue;
        }
        double a = fabs(x[i]);
        if (a > st->peak)
            st->peak = a;
    }
}

/* Progress in the song's own terms: the song part never runs past its
 * length (the render goes on to the next grid frame and a period beyond
 * it), the rest is release tail. */
static void report(FmProgressFn progress, void *ctx, const FmSong *song, uint64_t pos,
                   uint64_t end_frame, uint32_t rate)
{
    double done = (double)pos / rate;
    double tail = pos > end_frame ? (double)(pos - end_frame) / rate : 0.0;
    if (done > song->length || tail > 0)
        done = song->length;
    progress(ctx, done, song->length, tail);
}

static uint64_t song_end_frame(const FmSong *song, uint32_t rate)
{
    uint64_t last = song->count ? (uint64_t)llround(song->length * rate) : 0;
    return (last / FM_BLOCK + 1) * FM_BLOCK;
}

uint64_t fm_song_max_frames(const FmSong *song, uint32_t rate, uint32_t period, double max_tail)
{
    return song_end_frame(song, rate) + (uint64_t)(max_tail * rate) + period;
}

FmStatus fm_song_render(FmSynth *s, const FmSong *song, uint32_t rate, uint32_t period,
                        double max_tail, FmSinkFn sink, void *sink_ctx, FmProgressFn progress,
                        void *progress_ctx, FmRenderStats *stats)
{
    float l[MAX_PERIOD], r[MAX_PERIOD];
    AtMidiEvent evs[512];
    memset(stats, 0, sizeof *stats);
    if (period == 0 || period > MAX_PERIOD)
        return FM_ERR_ARG;
    /* Every key goes up on the first grid frame after the last event, so
     * the result does not depend on the period. */
    const uint64_t end_frame = song_end_frame(song, rate);
    const uint64_t tail_end = end_frame + (uint64_t)(max_tail * rate);
    size_t next = 0;
    uint64_t pos = 0;
    double last_report = -1.0;
    for (;;) {
        if (pos >= end_frame && (fm_synth_active_voices(s) == 0 || pos >= tail_end))
            break;
        size_t n = 0;
        while (next < song->count && n < sizeof evs / sizeof evs[0]) {
            uint64_t f = (uint64_t)llround(song->events[next].seconds * rate);
            if (f >= pos + period)
                break;
            const FmSongEvent *se = &song->events[next++];
            evs[n].frame = f > pos ? (uint32_t)(f - pos) : 0;
            evs[n].size = se->size;
            memcpy(evs[n].data, se->data, 3);
            n++;
        }
        if (end_frame >= pos && end_frame < pos + period) {
            uint32_t k = (uint32_t)(end_frame - pos);
            fm_synth_process(s, evs, n, l, r, k);
            fm_synth_release_all(s);
            fm_synth_process(s, NULL, 0, l + k, r + k, period - k);
        } else {
            fm_synth_process(s, evs, n, l, r, period);
        }
        account(stats, l, period);
        account(stats, r, period);
        if (sink && sink(sink_ctx, l, r, period) != 0) {
            stats->frames = pos;
            return FM_ERR_IO;
        }
        pos += period;
        double at = (double)pos / rate;
        if (progress && at - last_report >= 1.0) {
            report(progress, progress_ctx, song, pos, end_frame, rate);
            last_report = at;
        }
    }
    stats->frames = pos;
    if (progress)
        report(progress, progress_ctx, song, pos, end_frame, rate);
    return FM_OK;
}

/* ---- writing the WAV: a temporary file, renamed when complete ---- */

/* A RIFF WAV stores the RIFF and data chunk sizes in 32 bits: the whole
 * file must stay below 4 GiB. Keep a margin for the header chunks. */
#define WAV_MAX_BYTES (UINT64_C(0xFFFFFFFF) - 4096)

int fm_render_container(uint64_t max_frames)
{
    const uint64_t bytes_per_frame = 2 * sizeof(float);
    return max_frames <= WAV_MAX_BYTES / bytes_per_frame ? SF_FORMAT_WAV : SF_FORMAT_RF64;
}

FmStatus fm_render_check_output(const char *in, const char *out, char *final, size_t finallen,
                                char *err, size_t errlen)
{
    struct stat si, so, lo;
    snprintf(final, finallen, "%s", out);
    bool have_in = stat(in, &si) == 0;
    if (lstat(out, &lo) != 0)
        return FM_OK; /* a new file (its folder is checked when it is created) */
    if (stat(out, &so) != 0)
        return FM_OK; /* a dangling symlink: replaced by the new file */
    if (S_ISDIR(so.st_mode)) {
        snprintf(err, errlen, "output %s is a directory (give a file name, e.g. %s/song.wav)", out,
                 out);
        return FM_ERR_ARG;
    }
    if (have_in && si.st_dev == so.st_dev && si.st_ino == so.st_ino) {
        snprintf(err, errlen,
                 "output %s is the input file %s%s: refusing to overwrite it (choose another "
                 "-o name)",
                 out, in, S_ISLNK(lo.st_mode) ? " (through a symlink)" : "");
        return FM_ERR_ARG;
    }
    char rin[PATH_MAX], rout[PATH_MAX];
    if (have_in && realpath(in, rin) && realpath(out, rout) && strcmp(rin, rout) == 0) {
        snprintf(err, errlen, "output %s is the input file %s: refusing to overwrite it", out, in);
        return FM_ERR_ARG;
    }
    if (!S_ISREG(so.st_mode)) {
        snprintf(err, errlen, "output %s exists and is not a regular file: refusing to replace it",
                 out);
        return FM_ERR_ARG;
    }
    /* An existing symlink keeps pointing at the new render. */
    if (S_ISLNK(lo.st_mode) && realpath(out, rout))
        snprintf(final, finallen, "%s", rout);
    return FM_OK;
}

typedef struct {
    SNDFILE *f;
    const volatile sig_atomic_t *stop;
    bool stopped;
    float buf[2 * MAX_PERIOD];
} WavSink;

static int wav_sink(void *ctx, const float *l, const float *r, uint32_t n)
{
    WavSink *w = ctx;
    if (w->stop && *w->stop) {
        w->stopped = true;
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        w->buf[2 * i] = l[i];
        w->buf[2 * i + 1] = r[i];
    }
    return sf_writef_float(w->f, w->buf, n) == (sf_count_t)n ? 0 : -1;
}

FmStatus fm_song_render_wav(FmSynth *s, const FmSong *song, uint32_t rate, uint32_t period,
                            const char *path, const volatile sig_atomic_t *stop,
                            FmProgressFn progress, void *progress_ctx, FmRenderStats *stats,
                            char *err, size_t errlen)
{
    memset(stats, 0, sizeof *stats);
    if (period == 0 || period > MAX_PERIOD) {
        snprintf(err, errlen, "period %u out of range 1..%d", period, MAX_PERIOD);
        return FM_ERR_ARG;
    }
    int container = fm_render_container(fm_song_max_frames(song, rate, period, FM_RENDER_MAX_TAIL));
    SF_INFO info = {.samplerate = (int)rate, .channels = 2, .format = container | SF_FORMAT_FLOAT};
    WavSink *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return FM_ERR_NOMEM;
    }
    w->stop = stop;
    AtAtomicFile out;
    if (at_atomic_begin(&out, path, NULL, err, errlen) != 0) {
        free(w);
        return FM_ERR_IO;
    }
    FmStatus st = FM_OK;
    w->f = sf_open_fd(out.fd, SFM_WRITE, &info, SF_FALSE);
    if (!w->f) {
        snprintf(err, errlen, "cannot write %s: %s", path, sf_strerror(NULL));
        st = FM_ERR_IO;
        goto out;
    }
    /* A song that ends below 4 GiB after all is written as a plain WAV. */
    if (container == SF_FORMAT_RF64)
        sf_command(w->f, SFC_RF64_AUTO_DOWNGRADE, NULL, SF_TRUE);
    st = fm_song_render(s, song, rate, period, FM_RENDER_MAX_TAIL, wav_sink, w, progress,
                        progress_ctx, stats);
    if (w->stopped) {
        snprintf(err, errlen, "%s: stopped by a signal after %.1f s; nothing written", path,
                 (double)stats->frames / rate);
        st = FM_ERR_STOP;
    } else if (st != FM_OK) {
        snprintf(err, errlen, "cannot write %s after %.1f s of audio: %s", path,
                 (double)stats->frames / rate,
                 sf_error(w->f) ? sf_strerror(w->f) : fm_strerror(st));
        st = FM_ERR_IO;
    }
    int closed = sf_close(w->f);
    if (closed != 0 && st == FM_OK) {
        snprintf(err, errlen, "cannot write %s: %s", path, sf_error_number(closed));
        st = FM_ERR_IO;
    }
out:
    if (st == FM_OK && stop && *stop) {
        snprintf(err, errlen, "%s: stopped by a signal; nothing written", path);
        st = FM_ERR_STOP;
    }
    /* Errors of delayed writes (a full disk) show up at fsync or close. */
    if (st == FM_OK && at_atomic_commit(&out, err, errlen) != 0)
        st = FM_ERR_IO;
    if (st != FM_OK)
        at_atomic_abort(&out);
    free(w);
    return st;
}
