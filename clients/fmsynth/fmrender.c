/* fmrender.c - MIDI file reading (libsmf) and offline rendering. */
#include "fmrender.h"

#include <errno.h>
#include <glib.h>
#include <math.h>
#include <smf.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest release tail rendered after the last event. */
#define MAX_TAIL_SECONDS 30.0
#define MAX_PERIOD 8192
/* Events later than this are taken for corruption, not music. */
#define MAX_SONG_SECONDS (4 * 3600.0)

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
            goto bad;
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
            if (type == 0x51 && (buf[c.pos] | buf[c.pos + 1] | buf[c.pos + 2]) == 0)
                goto bad; /* tempo 0 */
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
        if (n < 1 || n > 3 || !e->midi_buffer || !(e->midi_buffer[0] & 0x80) ||
            e->midi_buffer[0] >= 0xF0 || !(e->time_seconds >= 0.0) ||
            e->time_seconds > MAX_SONG_SECONDS) {
            song->skipped++;
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
    char *buf = NULL;
    size_t len = 0, cap = 0, got;
    do {
        if (len == cap) {
            char *more = realloc(buf, cap ? 2 * cap : 65536);
            if (!more)
                goto done;
            buf = more;
            cap = cap ? 2 * cap : 65536;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
    } while (got > 0 && len < ((size_t)1 << 30));
    if (ferror(f)) {
        snprintf(err, errlen, "%s: read error", path);
        st = FM_ERR_ARG;
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
    uint64_t last = song->count ? (uint64_t)llround(song->length * rate) : 0;
    const uint64_t end_frame = (last / FM_BLOCK + 1) * FM_BLOCK;
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
        if (sink && sink(sink_ctx, l, r, period) != 0)
            return FM_ERR_ARG;
        pos += period;
        double done = (double)pos / rate;
        if (progress && done - last_report >= 1.0) {
            progress(progress_ctx, done, song->length);
            last_report = done;
        }
    }
    stats->frames = pos;
    if (progress)
        progress(progress_ctx, (double)pos / rate, song->length);
    return FM_OK;
}

typedef struct {
    SNDFILE *f;
    float buf[2 * MAX_PERIOD];
} WavSink;

static int wav_sink(void *ctx, const float *l, const float *r, uint32_t n)
{
    WavSink *w = ctx;
    for (uint32_t i = 0; i < n; i++) {
        w->buf[2 * i] = l[i];
        w->buf[2 * i + 1] = r[i];
    }
    return sf_writef_float(w->f, w->buf, n) == (sf_count_t)n ? 0 : -1;
}

FmStatus fm_song_render_wav(FmSynth *s, const FmSong *song, uint32_t rate, uint32_t period,
                            const char *path, FmProgressFn progress, void *progress_ctx,
                            FmRenderStats *stats, char *err, size_t errlen)
{
    SF_INFO info = {
        .samplerate = (int)rate, .channels = 2, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
    WavSink *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return FM_ERR_NOMEM;
    }
    w->f = sf_open(path, SFM_WRITE, &info);
    if (!w->f) {
        snprintf(err, errlen, "%s: %s", path, sf_strerror(NULL));
        free(w);
        return FM_ERR_ARG;
    }
    FmStatus st = fm_song_render(s, song, rate, period, MAX_TAIL_SECONDS, wav_sink, w, progress,
                                 progress_ctx, stats);
    if (st != FM_OK)
        snprintf(err, errlen, "%s: %s", path,
                 sf_error(w->f) ? sf_strerror(w->f) : "cannot render (bad period?)");
    if (sf_close(w->f) != 0 && st == FM_OK) {
        snprintf(err, errlen, "%s: cannot close the file", path);
        st = FM_ERR_ARG;
    }
    free(w);
    return st;
}
