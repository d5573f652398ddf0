/* test_fmsynth_render - fmsynth's parameter table and presets, and the MIDI
 * file reader and offline renderer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "testutil.h"

#include "clients/fmsynth/fmparams.h"
#include "clients/fmsynth/fmrender.h"
#include "clients/fmsynth/fmsynth.h"

#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PRESET_DIR
#define PRESET_DIR "clients/fmsynth/presets"
#endif

static AtParams *registry(void)
{
    size_t n;
    const AtParamDef *d = fm_param_defs(&n);
    AtParams *p = at_params_new("fmsynth", d, n);
    assert_non_null(p);
    return p;
}

static void assert_patch_equal(const FmPatch *a, const FmPatch *b)
{
    assert_int_equal(a->algorithm, b->algorithm);
    assert_true(fabs(a->feedback - b->feedback) < 1e-9);
    assert_true(fabs(a->volume - b->volume) < 1e-9);
    for (int op = 0; op < FM_OPS; op++) {
        const FmOpPatch *x = &a->op[op], *y = &b->op[op];
        assert_int_equal(x->wave, y->wave);
        assert_true(fabs(x->ratio - y->ratio) < 1e-9);
        assert_true(fabs(x->attack - y->attack) < 1e-9);
        assert_true(fabs(x->decay - y->decay) < 1e-9);
        assert_true(fabs(x->sustain - y->sustain) < 1e-9);
        assert_true(fabs(x->release - y->release) < 1e-9);
        assert_true(fabs(x->level - y->level) < 1e-9);
    }
}

/* The registry's defaults are the default patch of docs/fmsynth.md. */
static void test_param_defaults_are_default_patch(void **state)
{
    AtParams *reg = registry();
    FmPatch a, b;
    fm_patch_from_params(reg, &a);
    fm_patch_default(&b);
    assert_patch_equal(&a, &b);
    assert_int_equal(at_params_int(reg, "audio.polyphony"), 16);
    assert_int_equal(at_params_int(reg, "midi.channel"), 0);
    at_params_free(reg);
}

/* Every patch parameter reaches its FmPatch field, and is on OSC, live. */
static void test_param_apply_every_field(void **state)
{
    AtParams *reg = registry();
    char err[256];
    int k = at_params_find_osc(reg, "op/3/decay");
    assert_true(k >= 0);
    assert_true(at_params_set_number(reg, k, 1.25, err, sizeof err));
    k = at_params_find_osc(reg, "op/2/wave");
    assert_true(at_params_set_string(reg, k, "square", err, sizeof err));
    k = at_params_find_osc(reg, "algorithm");
    assert_false(at_params_set_number(reg, k, 12, err, sizeof err));
    assert_true(at_params_set_number(reg, k, 3, err, sizeof err));
    FmPatch p;
    fm_patch_from_params(reg, &p);
    assert_true(p.op[2].decay == 1.25);
    assert_int_equal(p.op[1].wave, FM_WAVE_SQUARE);
    assert_int_equal(p.algorithm, 3);
    size_t n;
    const AtParamDef *d = fm_param_defs(&n);
    int patch_params = 0;
    for (size_t i = 0; i < n; i++) {
        if (!fm_param_is_patch((int)i))
            continue;
        patch_params++;
        assert_non_null(d[i].osc);
        assert_true(d[i].flags & AT_PARAM_LIVE);
        FmPatch before;
        fm_patch_default(&before);
        FmPatch after = before;
        /* square is no operator's default wave; 3 is not the algorithm */
        double v = d[i].type == AT_PARAM_ENUM || d[i].type == AT_PARAM_INT ? 3 : 0.123;
        assert_true(fm_param_apply(&after, (int)i, v, (int)v));
        assert_memory_not_equal(&before, &after, sizeof before);
    }
    assert_int_equal(patch_params, 3 + 4 * 7);
    assert_int_equal(at_params_find_osc(reg, "panic"), FM_P_PANIC);
    assert_int_equal(at_params_find_osc(reg, "polyphony"), FM_P_POLYPHONY);
    at_params_free(reg);
}

/* A preset written by fm_patch_write loads back to the same patch, and the
 * shipped presets load. */
static void test_preset_round_trip(void **state)
{
    AtParams *reg = registry();
    char err[512];
    assert_int_equal(at_params_load_file(reg, PRESET_DIR "/bell.conf", err, sizeof err), AT_OK);
    FmPatch bell;
    fm_patch_from_params(reg, &bell);
    assert_int_equal(bell.algorithm, 8);
    char path[] = "/tmp/fmpresetXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fm_patch_write(reg, f);
    fclose(f);
    AtParams *again = registry();
    assert_int_equal(at_params_load_file(again, path, err, sizeof err), AT_OK);
    FmPatch back;
    fm_patch_from_params(again, &back);
    assert_patch_equal(&bell, &back);
    remove(path);
    const char *names[] = {"default", "epiano", "bass", "organ"};
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s", "");
        char file[256];
        snprintf(file, sizeof file, PRESET_DIR "/%s.conf", names[i]);
        assert_int_equal(at_params_load_file(again, file, err, sizeof err), AT_OK);
        FmPatch p;
        fm_patch_from_params(again, &p);
        FmSynth *s = NULL;
        assert_int_equal(fm_synth_new(&s, 48000, 4, &p), FM_OK);
        fm_synth_free(s);
    }
    FmPatch def, loaded;
    assert_int_equal(at_params_load_file(again, PRESET_DIR "/default.conf", err, sizeof err),
                     AT_OK);
    fm_patch_from_params(again, &loaded);
    fm_patch_default(&def);
    assert_patch_equal(&def, &loaded);
    at_params_free(reg);
    at_params_free(again);
}

/* ---- MIDI files ---- */

/* A format-0 file, 480 ticks per quarter, tempo 10 ms per quarter: one
 * tick = 1/48000 s. Track bytes are given without the End Of Track. */
static size_t smf(uint8_t *out, const uint8_t *trk, size_t n, bool eot)
{
    static const uint8_t head[] = {'M', 'T', 'h', 'd',  0,    0,   0,   6,   0,
                                   0,   0,   1,   0x01, 0xE0, 'M', 'T', 'r', 'k'};
    static const uint8_t tempo[] = {0x00, 0xFF, 0x51, 0x03, 0x00, 0x27, 0x10};
    static const uint8_t end[] = {0x00, 0xFF, 0x2F, 0x00};
    size_t len = sizeof tempo + n + (eot ? sizeof end : 0), pos = 0;
    memcpy(out, head, sizeof head);
    pos = sizeof head;
    out[pos++] = (uint8_t)(len >> 24);
    out[pos++] = (uint8_t)(len >> 16);
    out[pos++] = (uint8_t)(len >> 8);
    out[pos++] = (uint8_t)len;
    memcpy(out + pos, tempo, sizeof tempo);
    pos += sizeof tempo;
    memcpy(out + pos, trk, n);
    pos += n;
    if (eot) {
        memcpy(out + pos, end, sizeof end);
        pos += sizeof end;
    }
    return pos;
}

static const uint8_t melody[] = {
    0x83, 0x60, 0x90, 0x45, 0x7F,          /* 480: A4 on */
    0x83, 0x60, 0x40, 0x40,                /* +480: running status note-on E4 */
    0x81, 0x00, 0xF0, 0x03, 1,    2, 0xF7, /* +128: a sysex (skipped; ends running status) */
    0xBA, 0x00, 0x80, 0x45, 0x00,          /* +7424 (VLQ BA 00): A4 off */
};

static void test_song_load(void **state)
{
    uint8_t buf[256];
    char err[256];
    FmSong song;
    size_t n = smf(buf, melody, sizeof melody, true);
    assert_int_equal(fm_song_load_memory(&song, buf, n, err, sizeof err), FM_OK);
    assert_int_equal(song.count, 3);
    assert_int_equal(song.sysex, 1);
    assert_int_equal(song.late + song.other, 0);
    assert_int_equal(song.notes[0], 2); /* A4 and E4 on channel 1 */
    assert_true(fabs(song.events[0].seconds * 48000 - 480) < 1e-6);
    assert_true(fabs(song.events[1].seconds * 48000 - 960) < 1e-6);
    assert_int_equal(song.events[1].data[0], 0x90); /* running status expanded */
    assert_int_equal(song.events[1].data[1], 0x40);
    assert_true(fabs(song.events[2].seconds * 48000 - 8512) < 1e-6);
    fm_song_free(&song);
}

static void test_song_load_rejects_bad_files(void **state)
{
    uint8_t buf[256], bad[256];
    char err[256];
    FmSong song;
    size_t n = smf(buf, melody, sizeof melody, true);
    /* truncated anywhere: refused with a message, never a crash */
    for (size_t cut = 0; cut < n; cut++) {
        err[0] = 0;
        assert_int_equal(fm_song_load_memory(&song, buf, cut, err, sizeof err), FM_ERR_ARG);
        assert_true(strlen(err) > 5);
        assert_null(song.events);
    }
    /* no End Of Track (libsmf would abort) */
    size_t m = smf(bad, melody, sizeof melody, false);
    assert_int_equal(fm_song_load_memory(&song, bad, m, err, sizeof err), FM_ERR_ARG);
    assert_non_null(strstr(err, "End Of Track"));
    /* a data byte where a status byte must be: no running status at the
     * start, nor after a sysex (SMF 1.0: sysex and meta cancel it) */
    const uint8_t after_sysex[] = {0x00, 0x90, 0x45, 0x7F, 0x00, 0xF0,
                                   0x01, 0xF7, 0x00, 0x45, 0x00};
    m = smf(bad, after_sysex, sizeof after_sysex, true);
    assert_int_equal(fm_song_load_memory(&song, bad, m, err, sizeof err), FM_ERR_ARG);
    const uint8_t stray[] = {0x00, 0x45, 0x7F};
    m = smf(bad, stray, sizeof stray, true);
    assert_int_equal(fm_song_load_memory(&song, bad, m, err, sizeof err), FM_ERR_ARG);
    /* tempo 0, SMPTE division, more tracks announced than present */
    memcpy(bad, buf, n);
    bad[26] = bad[27] = bad[28] = 0;
    assert_int_equal(fm_song_load_memory(&song, bad, n, err, sizeof err), FM_ERR_ARG);
    memcpy(bad, buf, n);
    bad[12] = 0xE7;
    assert_int_equal(fm_song_load_memory(&song, bad, n, err, sizeof err), FM_ERR_ARG);
    memcpy(bad, buf, n);
    bad[9] = 1;
    bad[11] = 2;
    assert_int_equal(fm_song_load_memory(&song, bad, n, err, sizeof err), FM_ERR_ARG);
    assert_non_null(strstr(err, "truncated"));
    /* format 2 (libsmf refuses it, leaking): refused first, saying so */
    memcpy(bad, buf, n);
    bad[9] = 2;
    assert_int_equal(fm_song_load_memory(&song, bad, n, err, sizeof err), FM_ERR_ARG);
    assert_non_null(strstr(err, "format 2"));
    /* a header longer than 6 bytes (libsmf refuses it too, leaking) */
    memcpy(bad, buf, n);
    bad[7] = 7;
    assert_int_equal(fm_song_load_memory(&song, bad, n, err, sizeof err), FM_ERR_ARG);
    assert_non_null(strstr(err, "header length 7"));
    /* not MIDI at all */
    assert_int_equal(fm_song_load_memory(&song, "hello world, not midi", 21, err, sizeof err),
                     FM_ERR_ARG);
}

typedef struct {
    float *l;
    size_t n, cap;
} Capture;

static int capture(void *ctx, const float *l, const float *r, uint32_t n)
{
    Capture *c = ctx;
    for (uint32_t i = 0; i < n && c->n < c->cap; i++)
        c->l[c->n++] = l[i];
    return 0;
}

/* Offline rendering: events at their frames, the release tail rendered
 * until silence, the same samples for any period (multiple of 32). */
static void test_render(void **state)
{
    uint8_t buf[256];
    char err[256];
    FmSong song;
    size_t n = smf(buf, melody, sizeof melody, true);
    assert_int_equal(fm_song_load_memory(&song, buf, n, err, sizeof err), FM_OK);
    static float a[200000], b[200000];
    Capture ca = {a, 0, 200000}, cb = {b, 0, 200000};
    FmRenderStats sa, sb;
    FmSynth *s1 = NULL, *s2 = NULL;
    assert_int_equal(fm_synth_new(&s1, 48000, 16, NULL), FM_OK);
    assert_int_equal(fm_synth_new(&s2, 48000, 16, NULL), FM_OK);
    assert_int_equal(fm_song_render(s1, &song, 48000, 256, 30.0, capture, &ca, NULL, NULL, &sa),
                     FM_OK);
    assert_int_equal(fm_song_render(s2, &song, 48000, 1000, 30.0, capture, &cb, NULL, NULL, &sb),
                     FM_OK);
    for (int i = 0; i < 480; i++)
        assert_true(a[i] == 0.0f);
    assert_true(a[480] != 0.0f);
    /* E4 is never released by the file: the render releases it at the end
     * and goes on until every voice is silent (longest release 0.5 s). */
    assert_int_equal(fm_synth_active_voices(s1), 0);
    assert_true(sa.frames > 8512 && sa.frames < 8512 + 24000 + 2 * 256);
    assert_int_equal(sa.nans, 0);
    assert_true(sa.peak > 0.01 && sa.peak < 1.0);
    size_t common = ca.n < cb.n ? ca.n : cb.n;
    assert_true(common >= sa.frames - 256);
    assert_memory_equal(a, b, common * sizeof(float));
    assert_int_equal(fm_song_render(s1, &song, 48000, 0, 30.0, NULL, NULL, NULL, NULL, &sa),
                     FM_ERR_ARG);
    fm_synth_free(s1);
    fm_synth_free(s2);
    fm_song_free(&song);
}

/* A real song from the openmsx set loads and renders sanely. */
static void test_render_real_song(void **state)
{
    const char *path = "/usr/share/games/openttd/baseset/openmsx/busy_schedule.mid";
    FmSong song;
    char err[512];
    if (fm_song_load_file(&song, path, err, sizeof err) != FM_OK) {
        print_message("openmsx not installed: %s\n", err);
        skip();
    }
    assert_true(song.count > 100);
    assert_true(song.length > 30.0);
    FmSynth *s = NULL;
    assert_int_equal(fm_synth_new(&s, 48000, 16, NULL), FM_OK);
    FmRenderStats st;
    assert_int_equal(fm_song_render(s, &song, 48000, 256, 30.0, NULL, NULL, NULL, NULL, &st),
                     FM_OK);
    assert_int_equal(st.nans, 0);
    assert_true(st.peak > 0.05 && st.peak <= 2 * 0.8052);
    assert_true(st.frames >= (uint64_t)(song.length * 48000));
    fm_synth_free(s);
    fm_song_free(&song);
    assert_int_equal(fm_song_load_file(&song, "/nonexistent.mid", err, sizeof err), FM_ERR_ARG);
    assert_non_null(strstr(err, "/nonexistent.mid"));
}

/* Events past the renderer's limit are counted as such (with the time
 * of the first), not as sysex; note-ons are counted per channel. */
static void test_song_skipped_kinds(void **state)
{
    /* one tick = 1/48000 s; a delta of 0x0FFFFFFF ticks is 1.55 h */
    const uint8_t trk[] = {
        0x00, 0x91, 0x45, 0x7F,                   /* note on, channel 2 */
        0x00, 0x95, 0x40, 0x7F,                   /* note on, channel 6 */
        0x00, 0x95, 0x41, 0x00,                   /* velocity 0: a note-off */
        0x81, 0x00, 0x81, 0x45, 0x00,             /* note off */
        0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0x01, 0x00, /* a text meta, 1.55 h */
        0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0x01, 0x00, /* 3.1 h */
        0xFF, 0xFF, 0xFF, 0x7F, 0x91, 0x45, 0x7F, /* note on at 4.66 h: too late */
        0x00, 0xF0, 0x02, 0x01, 0xF7,             /* a sysex, late too */
    };
    uint8_t buf[256];
    char err[256];
    FmSong song;
    size_t n = smf(buf, trk, sizeof trk, true);
    assert_int_equal(fm_song_load_memory(&song, buf, n, err, sizeof err), FM_OK);
    assert_int_equal(song.count, 4);
    assert_int_equal(song.late, 2);
    assert_int_equal(song.sysex, 0);
    assert_true(fabs(song.first_late - (128 + 3.0 * 0x0FFFFFFF) / 48000.0) < 1e-6);
    assert_true(song.length < 1.0);
    assert_int_equal(song.notes[1], 1);
    assert_int_equal(song.notes[5], 1);
    assert_int_equal(song.notes[0], 0);
    fm_song_free(&song);
}

typedef struct {
    double max_done, total, max_tail;
    int calls;
} Progress;

static void on_progress(void *ctx, double done, double total, double tail)
{
    Progress *p = ctx;
    if (done > p->max_done)
        p->max_done = done;
    if (tail > p->max_tail)
        p->max_tail = tail;
    p->total = total;
    p->calls++;
}

/* Progress never runs past the song's length; the release tail is
 * reported apart. */
static void test_render_progress(void **state)
{
    uint8_t buf[256];
    char err[256];
    FmSong song;
    size_t n = smf(buf, melody, sizeof melody, true);
    assert_int_equal(fm_song_load_memory(&song, buf, n, err, sizeof err), FM_OK);
    FmSynth *s = NULL;
    assert_int_equal(fm_synth_new(&s, 48000, 16, NULL), FM_OK);
    Progress p = {0};
    FmRenderStats st;
    assert_int_equal(fm_song_render(s, &song, 48000, 4096, 30.0, NULL, NULL, on_progress, &p, &st),
                     FM_OK);
    assert_true(p.calls >= 1);
    assert_true(p.total == song.length);
    assert_true(p.max_done <= song.length);
    assert_true(p.max_done == song.length); /* the last report says "all of it" */
    /* the render went on past the song: that part is the tail */
    assert_true((double)st.frames / 48000 > song.length);
    assert_true(p.max_tail > 0.0 && p.max_tail <= (double)st.frames / 48000 - song.length);
    fm_synth_free(s);
    fm_song_free(&song);
}

/* The container: a RIFF WAV while every size fits in 32 bits (3 h of
 * stereo float at 48 kHz does), RF64 beyond. */
static void test_render_container(void **state)
{
    assert_int_equal(fm_render_container(0), SF_FORMAT_WAV);
    assert_int_equal(fm_render_container((uint64_t)3 * 3600 * 48000), SF_FORMAT_WAV);
    assert_int_equal(fm_render_container((uint64_t)4 * 3600 * 48000), SF_FORMAT_RF64);
    /* 8 bytes a frame: the data chunk size must stay below 2^32 with the
     * header chunks before it */
    assert_int_equal(fm_render_container(UINT64_C(0xFFFFFFFF) / 8), SF_FORMAT_RF64);
    assert_int_equal(fm_render_container(UINT64_C(0xFFFFFFFF) / 8 - 1024), SF_FORMAT_WAV);
    /* a song at the renderer's limit picks RF64 (at 8 kHz too) */
    FmSong song = {.count = 1, .length = FM_SONG_MAX_SECONDS};
    assert_int_equal(fm_render_container(fm_song_max_frames(&song, 48000, 256, 30.0)),
                     SF_FORMAT_RF64);
    song.length = 60.0;
    assert_int_equal(fm_render_container(fm_song_max_frames(&song, 384000, 8192, 30.0)),
                     SF_FORMAT_WAV);
}

static bool file_is(const char *path, const char *text)
{
    char buf[256];
    return tu_read(path, buf, sizeof buf) && strcmp(buf, text) == 0;
}

/* An output that is the input, by any path, is refused. */
static void test_render_check_output(void **state)
{
    char dir[] = "/tmp/fmrender-test.XXXXXX", in[PATH_MAX], p[PATH_MAX], fin[PATH_MAX];
    char err[512];
    assert_non_null(mkdtemp(dir));
    snprintf(in, sizeof in, "%s/song.mid", dir);
    tu_write(in, "MThd");
    /* the same name, and the same file by another spelling */
    assert_int_equal(fm_render_check_output(in, in, fin, sizeof fin, err, sizeof err), FM_ERR_ARG);
    assert_non_null(strstr(err, "is the input"));
    snprintf(p, sizeof p, "%s/./song.mid", dir);
    assert_int_equal(fm_render_check_output(in, p, fin, sizeof fin, err, sizeof err), FM_ERR_ARG);
    /* a symlink to the input, a hard link to it */
    snprintf(p, sizeof p, "%s/link.wav", dir);
    assert_int_equal(symlink("song.mid", p), 0);
    assert_int_equal(fm_render_check_output(in, p, fin, sizeof fin, err, sizeof err), FM_ERR_ARG);
    assert_non_null(strstr(err, "symlink"));
    unlink(p);
    snprintf(p, sizeof p, "%s/hard.wav", dir);
    assert_int_equal(link(in, p), 0);
    assert_int_equal(fm_render_check_output(in, p, fin, sizeof fin, err, sizeof err), FM_ERR_ARG);
    unlink(p);
    /* a directory, a device */
    assert_int_equal(fm_render_check_output(in, dir, fin, sizeof fin, err, sizeof err), FM_ERR_ARG);
    assert_non_null(strstr(err, "directory"));
    assert_int_equal(fm_render_check_output(in, "/dev/null", fin, sizeof fin, err, sizeof err),
                     FM_ERR_ARG);
    assert_non_null(strstr(err, "not a regular file"));
    /* a new file, an existing other file: fine; a symlink to another file
     * is followed (the link keeps pointing at the render) */
    snprintf(p, sizeof p, "%s/new.wav", dir);
    assert_int_equal(fm_render_check_output(in, p, fin, sizeof fin, err, sizeof err), FM_OK);
    assert_string_equal(fin, p);
    char target[PATH_MAX], real[PATH_MAX];
    snprintf(target, sizeof target, "%s/old.wav", dir);
    tu_write(target, "old");
    assert_int_equal(symlink("old.wav", p), 0);
    assert_int_equal(fm_render_check_output(in, p, fin, sizeof fin, err, sizeof err), FM_OK);
    assert_non_null(realpath(target, real));
    assert_string_equal(fin, real);
    unlink(p);
    unlink(target);
    unlink(in);
    rmdir(dir);
}

static int count_entries(const char *dir)
{
    char cmd[PATH_MAX + 32];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
    FILE *f = popen(cmd, "r");
    int n = -1;
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%d", &n), 1);
    pclose(f);
    return n;
}

/* The WAV appears under its name only when complete; a stopped render
 * leaves the old file as it was and no temporary file. */
static void test_render_wav_atomic(void **state)
{
    char dir[] = "/tmp/fmrender-test.XXXXXX", out[PATH_MAX], err[512];
    assert_non_null(mkdtemp(dir));
    snprintf(out, sizeof out, "%s/out.wav", dir);
    uint8_t buf[256];
    FmSong song;
    size_t n = smf(buf, melody, sizeof melody, true);
    assert_int_equal(fm_song_load_memory(&song, buf, n, err, sizeof err), FM_OK);
    FmSynth *s = NULL;
    assert_int_equal(fm_synth_new(&s, 48000, 16, NULL), FM_OK);
    FmRenderStats st;
    tu_write(out, "precious");
    volatile sig_atomic_t stop = 1;
    assert_int_equal(
        fm_song_render_wav(s, &song, 48000, 256, out, &stop, NULL, NULL, &st, err, sizeof err),
        FM_ERR_STOP);
    assert_non_null(strstr(err, out));
    assert_true(file_is(out, "precious"));
    assert_int_equal(count_entries(dir), 1);
    stop = 0;
    assert_int_equal(
        fm_song_render_wav(s, &song, 48000, 256, out, &stop, NULL, NULL, &st, err, sizeof err),
        FM_OK);
    assert_int_equal(count_entries(dir), 1);
    SF_INFO info = {0};
    SNDFILE *f = sf_open(out, SFM_READ, &info);
    assert_non_null(f);
    assert_int_equal(info.format, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    assert_int_equal(info.frames, st.frames);
    assert_int_equal(info.samplerate, 48000);
    sf_close(f);
    struct stat sb;
    mode_t mask = umask(0);
    umask(mask);
    assert_int_equal(stat(out, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0666 & ~mask);
    /* a folder that does not exist: the message names the output */
    char missing[PATH_MAX];
    snprintf(missing, sizeof missing, "%s/nosuch/out.wav", dir);
    assert_int_equal(
        fm_song_render_wav(s, &song, 48000, 256, missing, NULL, NULL, NULL, &st, err, sizeof err),
        FM_ERR_IO);
    assert_non_null(strstr(err, missing));
    fm_synth_free(s);
    fm_song_free(&song);
    unlink(out);
    rmdir(dir);
}

/* The first seconds of a few openmsx songs (16 voices, the default patch)
 * render to the same bits on every SIMD path this CPU has, at two
 * periods, and to the bits main's build rendered before the SIMD kernels
 * (hashes below: 64-bit FNV-1a over the left and right float samples,
 * interleaved), also with a feedback patch. The whole set is checked by
 * tests/bench/bench_fmsynth_songs.sh. */
typedef struct {
    uint64_t h;
} Fnv;

static int fnv_sink(void *ctx, const float *l, const float *r, uint32_t n)
{
    Fnv *f = ctx;
    for (uint32_t i = 0; i < n; i++)
        for (int c = 0; c < 2; c++) {
            uint32_t bits;
            memcpy(&bits, c ? &r[i] : &l[i], sizeof bits);
            for (int b = 0; b < 4; b++) {
                f->h ^= (bits >> (8 * b)) & 0xFF;
                f->h *= 0x100000001b3ULL;
            }
        }
    return 0;
}

static uint64_t song_hash_with(const FmSong *song, FmSimd path, uint32_t period, int voices,
                               const FmPatch *patch)
{
    FmSynth *s = NULL;
    assert_int_equal(fm_synth_new(&s, 48000, voices, patch), FM_OK);
    assert_int_equal(fm_synth_set_simd(s, path), FM_OK);
    Fnv f = {0xcbf29ce484222325ULL};
    FmRenderStats st;
    assert_int_equal(fm_song_render(s, song, 48000, period, 30.0, fnv_sink, &f, NULL, NULL, &st),
                     FM_OK);
    assert_int_equal(st.nans, 0);
    fm_synth_free(s);
    return f.h;
}

static uint64_t song_hash(const FmSong *song, FmSimd path, uint32_t period)
{
    return song_hash_with(song, path, period, 16, NULL);
}

static void test_songs_same_bits_on_every_path(void **state)
{
    static const struct {
        const char *file;
        uint64_t main_hash[2]; /* of the first 12 s, periods 256 and 100 */
    } songs[] = {
        {"busy_schedule.mid", {0xe50a0e1bb4e6a3b2ULL, 0xf2a7bc5efe676cb2ULL}},
        {"5432gone_redfarn.mid", {0x149edf104bb9513bULL, 0xf23fc5ba7317833bULL}},
        {"chuggachugga.mid", {0x39c7000d0db37f44ULL, 0x9c72c406ff3b5944ULL}},
    };
    for (size_t k = 0; k < sizeof songs / sizeof *songs; k++) {
        char path[256], err[512];
        snprintf(path, sizeof path, "/usr/share/games/openttd/baseset/openmsx/%s", songs[k].file);
        FmSong song;
        if (fm_song_load_file(&song, path, err, sizeof err) != FM_OK) {
            print_message("openmsx not installed: %s\n", err);
            skip();
        }
        FmSong head = song;
        while (head.count > 0 && head.events[head.count - 1].seconds >= 12.0)
            head.count--;
        assert_true(head.count > 50);
        head.length = head.events[head.count - 1].seconds;
        for (int p = 0; p < FM_SIMD_COUNT; p++) {
            if (!fm_simd_supported((FmSimd)p)) {
                print_message("SIMD path %s not supported here: not tested\n",
                              fm_simd_name((FmSimd)p));
                continue;
            }
            uint64_t h = song_hash(&head, (FmSimd)p, 256);
            if (h != songs[k].main_hash[0])
                print_message("%s on %s: %016llx\n", songs[k].file, fm_simd_name((FmSimd)p),
                              (unsigned long long)h);
            assert_true(h == songs[k].main_hash[0]);
        }
        /* (a render ends on a period boundary: another period, other frames) */
        assert_true(song_hash(&head, FM_SIMD_BASE, 100) == songs[k].main_hash[1]);
        assert_true(song_hash(&head, fm_simd_best(), 100) == songs[k].main_hash[1]);
        if (k == 0) {
            /* operator 4 feedback (lanes of voices), 16 and 48 voices */
            FmPatch p;
            fm_patch_default(&p);
            p.feedback = 0.6;
            p.algorithm = 8;
            p.op[3].level = 0.6;
            p.op[3].sustain = 0.5;
            for (int q = 0; q < FM_SIMD_COUNT; q++) {
                if (!fm_simd_supported((FmSimd)q))
                    continue;
                assert_true(song_hash_with(&head, (FmSimd)q, 256, 16, &p) == 0x436084f2ce16f41dULL);
                assert_true(song_hash_with(&head, (FmSimd)q, 256, 48, &p) == 0x251c85943e066a0cULL);
            }
        }
        fm_song_free(&song);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_param_defaults_are_default_patch),
        cmocka_unit_test(test_param_apply_every_field),
        cmocka_unit_test(test_preset_round_trip),
        cmocka_unit_test(test_song_load),
        cmocka_unit_test(test_song_load_rejects_bad_files),
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_render_real_song),
        cmocka_unit_test(test_song_skipped_kinds),
        cmocka_unit_test(test_render_progress),
        cmocka_unit_test(test_render_container),
        cmocka_unit_test(test_render_check_output),
        cmocka_unit_test(test_render_wav_atomic),
        cmocka_unit_test(test_songs_same_bits_on_every_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
