/* main.c - aiotone-fmsynth: the FM core behind the shared JACK shell
 * (common/app.h), plus the offline modes --render and --save-preset. */
#include "app.h"
#include "fileio.h"
#include "fmparams.h"
#include "fmrender.h"
#include "fmsynth.h"
#include "shellutil.h"
#include "sigpipe.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef AT_PREFIX
#define AT_PREFIX "/usr/local"
#endif

typedef struct {
    FmSynth *synth;
    int midi_in, out_l, out_r;
    AtCycle *cycle; /* the cycle being processed, for the RT logger */
} Fm;

/* RT: the core's messages about ignored input go to the shell's log ring. */
static void rt_log(void *ctx, const char *fmt, int a, int b)
{
    Fm *fm = ctx;
    if (fm->cycle)
        at_cycle_log(fm->cycle, fmt, a, b);
}

static FmStatus make_synth(const AtParams *reg, uint32_t rate, FmSynth **out)
{
    FmPatch patch;
    fm_patch_from_params(reg, &patch);
    FmStatus st = fm_synth_new(out, rate, at_params_int_at(reg, FM_P_POLYPHONY), &patch);
    if (st == FM_OK)
        fm_synth_set_channel(*out, at_params_int_at(reg, FM_P_CHANNEL));
    return st;
}

static bool find_preset(const AtParams *reg, const char *name, char *out, size_t outlen,
                        char *looked, size_t lookedlen);

/* A preset named in the config file is loaded over it at start-up. */
static AtStatus startup_preset(AtApp *app, char *err, size_t errlen)
{
    const char *name = at_params_str_at(at_app_params(app), FM_P_PRESET);
    char path[4096], looked[3000];
    if (!name || !*name)
        return AT_OK;
    if (!find_preset(at_app_params(app), name, path, sizeof path, looked, sizeof looked)) {
        snprintf(err, errlen, "no preset '%s': looked for %s.conf in %s", name, name, looked);
        return AT_ERR_USAGE;
    }
    return at_app_load_values(app, path, err, errlen) == AT_OK ? AT_OK : AT_ERR_USAGE;
}

static AtStatus setup(AtApp *app, void **core, char *err, size_t errlen)
{
    AtStatus pst = startup_preset(app, err, errlen);
    if (pst != AT_OK)
        return pst;
    Fm *fm = calloc(1, sizeof *fm);
    if (!fm)
        return at_shell_oom(err, errlen);
    FmStatus st = make_synth(at_app_params(app), at_app_rate(app), &fm->synth);
    if (st != FM_OK) {
        snprintf(err, errlen, "cannot make the synth: %s", fm_strerror(st));
        free(fm);
        return st == FM_ERR_ARG ? AT_ERR_USAGE : AT_ERR_RUNTIME;
    }
    fm_synth_set_logger(fm->synth, rt_log, fm);
    const AtParams *p = at_app_params(app);
    fm->midi_in = at_app_add_port(app, "midi_in", AT_PORT_MIDI_IN, "MIDI In", NULL,
                                  at_params_key(p, FM_P_MIDI_CONNECT));
    fm->out_l = at_app_add_port(app, "out_L", AT_PORT_AUDIO_OUT, "Left", "Main Out",
                                at_params_key(p, FM_P_CONNECT_LEFT));
    fm->out_r = at_app_add_port(app, "out_R", AT_PORT_AUDIO_OUT, "Right", "Main Out",
                                at_params_key(p, FM_P_CONNECT_RIGHT));
    if (fm->midi_in < 0 || fm->out_l < 0 || fm->out_r < 0) {
        snprintf(err, errlen, "cannot declare the ports");
        fm_synth_free(fm->synth);
        free(fm);
        return AT_ERR_RUNTIME;
    }
    *core = fm;
    return AT_OK;
}

static void teardown(void *core)
{
    Fm *fm = core;
    fm_synth_free(fm->synth);
    free(fm);
}

static void process(void *core, AtCycle *c)
{
    Fm *fm = core;
    const AtMidiBuf *in = c->midi[fm->midi_in];
    fm->cycle = c;
    fm_synth_process(fm->synth, in->events, in->count, c->audio[fm->out_l], c->audio[fm->out_r],
                     c->nframes);
    fm->cycle = NULL;
}

static void param(void *core, AtParamMsg *m, AtCycle *c)
{
    Fm *fm = core;
    if (m->index == FM_P_POLYPHONY) {
        /* The voices were made by prepare(); the old set goes back to be
         * freed outside this thread. */
        if (m->ptr)
            m->ptr = fm_synth_swap_voices(fm->synth, m->ptr);
    } else if (m->index == FM_P_CHANNEL) {
        fm_synth_set_channel(fm->synth, m->i);
    } else if (m->index == FM_P_PANIC) {
        fm_synth_all_notes_off(fm->synth);
    } else {
        /* A patch entry writes its AT_BIND field of the patch. */
        size_t n;
        const AtParamDef *defs = fm_param_defs(&n);
        FmPatch p = *fm_synth_patch(fm->synth);
        if (at_shell_store(defs, (int)n, m, &p))
            fm_synth_set_patch(fm->synth, &p);
    }
}

static void *prepare(void *core, const AtParams *params, int index, bool *fail)
{
    if (index != FM_P_POLYPHONY)
        return NULL;
    FmVoiceSet *set = fm_voice_set_new(at_params_int_at(params, FM_P_POLYPHONY));
    *fail = set == NULL;
    return set;
}

static void release(void *resource)
{
    fm_voice_set_free(resource);
}

/* Where preset NAME lives: preset-dir, else $XDG_DATA_HOME/aiotone/presets
 * (~/.local/share/...), else the source tree's clients/fmsynth/presets
 * when the program runs from a build tree (BUILD/bin/), else
 * ../share/aiotone/presets beside the program's bin/, else
 * PREFIX/share/aiotone/presets, else /usr/share/aiotone/presets. A name
 * with a slash is a path. When it is not found, looked gets the folders
 * tried. */
static bool find_preset(const AtParams *reg, const char *name, char *out, size_t outlen,
                        char *looked, size_t lookedlen)
{
    if (looked && lookedlen)
        looked[0] = 0;
    if (strchr(name, '/')) {
        snprintf(out, outlen, "%s", name);
        if (looked)
            snprintf(looked, lookedlen, "%s", name);
        return access(out, R_OK) == 0;
    }
    const char *dir = at_params_str_at(reg, FM_P_PRESET_DIR);
    const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    char cand[6][2048], exe[2048];
    int n = 0;
    if (dir && *dir)
        snprintf(cand[n++], sizeof cand[0], "%s", dir);
    if (xdg && *xdg)
        snprintf(cand[n++], sizeof cand[0], "%s/aiotone/presets", xdg);
    else if (home && *home)
        snprintf(cand[n++], sizeof cand[0], "%s/.local/share/aiotone/presets", home);
    at_exe_dir(exe, sizeof exe);
    if (exe[0]) {
        snprintf(cand[n++], sizeof cand[0], "%.2000s/../../clients/fmsynth/presets", exe);
        snprintf(cand[n++], sizeof cand[0], "%.2000s/../share/aiotone/presets", exe);
    }
    snprintf(cand[n++], sizeof cand[0], "%s/share/aiotone/presets", AT_PREFIX);
    snprintf(cand[n++], sizeof cand[0], "/usr/share/aiotone/presets");
    size_t used = 0;
    for (int i = 0; i < n; i++) {
        int k = snprintf(out, outlen, "%s/%s.conf", cand[i], name);
        if (k > 0 && (size_t)k < outlen && access(out, R_OK) == 0)
            return true;
        /* the folders tried, in order, each with its real path */
        char real[4096];
        const char *shown = realpath(cand[i], real) ? real : cand[i];
        if (looked && used < lookedlen) {
            k = snprintf(looked + used, lookedlen - used, "%s%s", used ? ", " : "", shown);
            if (k > 0)
                used += (size_t)k < lookedlen - used ? (size_t)k : lookedlen - used - 1;
        }
    }
    return false;
}

static bool changed(AtApp *app, void *core, int index, char *err, size_t errlen)
{
    if (index != FM_P_PRESET)
        return true;
    const char *name = at_params_str_at(at_app_params(app), FM_P_PRESET);
    if (!name || !*name)
        return true;
    char path[4096], looked[3000];
    if (!find_preset(at_app_params(app), name, path, sizeof path, looked, sizeof looked)) {
        snprintf(err, errlen, "no preset '%s': looked for %s.conf in %s", name, name, looked);
        return false;
    }
    return at_app_load_values(app, path, err, errlen) == AT_OK;
}

/* ---- offline modes ---- */

/* The progress line, on a terminal only (logs would fill with lines). */
static void progress(void *ctx, double done, double total, double tail)
{
    const char *name = ctx;
    if (!isatty(STDERR_FILENO))
        return;
    double pct = total > 0 ? 100.0 * done / total : 100.0;
    fprintf(stderr, "\raiotone-fmsynth: rendering %s: %5.1f s of %.1f s (%3.0f%%)", name, done,
            total, pct);
    if (tail >= 0.05)
        fprintf(stderr, " + %.1f s release tail", tail);
}

/* SIGINT, SIGTERM, SIGHUP during a render set the flag of common/sigpipe.h:
 * the render stops, removes its temporary file and leaves the output as it
 * was. */
static void render_signals(void)
{
    at_sigpipe_open(0);
    /* Past a file-size limit (ulimit -f) a write then fails with EFBIG,
     * which the render reports, instead of killing the process with the
     * partial file left behind. */
    signal(SIGXFSZ, SIG_IGN);
}

/* Say what the song holds that the render leaves out, and why. */
static void report_skipped(const char *in, const FmSong *song, int channel)
{
    if (song->sysex)
        fprintf(stderr, "aiotone-fmsynth: %s: skipped %zu sysex message%s (the synth takes none)\n",
                in, song->sysex, song->sysex == 1 ? "" : "s");
    if (song->late)
        fprintf(stderr,
                "aiotone-fmsynth: %s: skipped %zu event%s later than %.0f h (the first at %.1f "
                "h): the renderer takes events that late for a damaged file\n",
                in, song->late, song->late == 1 ? "" : "s", FM_SONG_MAX_SECONDS / 3600.0,
                song->first_late / 3600.0);
    if (song->other)
        fprintf(stderr,
                "aiotone-fmsynth: %s: skipped %zu message%s that are not channel messages\n", in,
                song->other, song->other == 1 ? "" : "s");
    if (channel <= 0)
        return;
    unsigned long total = 0, other = 0;
    char chans[64] = "";
    size_t used = 0;
    for (int c = 0; c < 16; c++) {
        total += song->notes[c];
        if (c == channel - 1 || !song->notes[c])
            continue;
        other += song->notes[c];
        int k = snprintf(chans + used, sizeof chans - used, "%s%d", used ? ", " : "", c + 1);
        if (k > 0 && (size_t)k < sizeof chans - used)
            used += (size_t)k;
    }
    if (other)
        fprintf(stderr,
                "aiotone-fmsynth: %s: %lu of %lu notes ignored: they are on channel%s %s, and "
                "midi.channel = %d (0 plays every channel)\n",
                in, other, total, strchr(chans, ',') ? "s" : "", chans, channel);
}

static int render(const AtParams *reg, const char *in, const char *out, uint32_t rate,
                  uint32_t period)
{
    char err[4600] = "";
    char final[4200];
    if (fm_render_check_output(in, out, final, sizeof final, err, sizeof err) != FM_OK) {
        fprintf(stderr, "aiotone-fmsynth: %s\n", err);
        return 2;
    }
    FmSong song;
    if (fm_song_load_file(&song, in, err, sizeof err) != FM_OK) {
        fprintf(stderr, "aiotone-fmsynth: %s\n", err);
        return 1;
    }
    FmSynth *s = NULL;
    FmStatus st = make_synth(reg, rate, &s);
    if (st != FM_OK) {
        fprintf(stderr, "aiotone-fmsynth: cannot make the synth: %s\n", fm_strerror(st));
        fm_song_free(&song);
        return 2;
    }
    report_skipped(in, &song, at_params_int_at(reg, FM_P_CHANNEL));
    render_signals();
    FmRenderStats stats;
    st = fm_song_render_wav(s, &song, rate, period, final, at_sigpipe_flag(), progress, (void *)in,
                            &stats, err, sizeof err);
    if (isatty(STDERR_FILENO))
        fprintf(stderr, "\n");
    unsigned long long ignored = fm_synth_ignored(s);
    fm_synth_free(s);
    fm_song_free(&song);
    if (st != FM_OK) {
        fprintf(stderr, "aiotone-fmsynth: %s\n", err);
        return 1;
    }
    fprintf(stderr,
            "aiotone-fmsynth: wrote %s: %.2f s, peak %.3f, %llu bad samples, %llu messages "
            "ignored\n",
            final, (double)stats.frames / rate, stats.peak, (unsigned long long)stats.nans,
            ignored);
    return stats.nans ? 1 : 0;
}

static int save_preset(const AtParams *reg, const char *path)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
    if (!f) {
        fprintf(stderr, "aiotone-fmsynth: %s: %s\n", path, strerror(errno));
        return 1;
    }
    fm_patch_write(reg, f);
    if (f != stdout && fclose(f) != 0) {
        fprintf(stderr, "aiotone-fmsynth: %s: %s\n", path, strerror(errno));
        return 1;
    }
    return 0;
}

static bool parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *v)
{
    char *end;
    errno = 0;
    unsigned long x = strtoul(s, &end, 10);
    if (errno || *end || end == s || x < lo || x > hi)
        return false;
    *v = (uint32_t)x;
    return true;
}

enum { OPT_RENDER = 256, OPT_RATE, OPT_PERIOD, OPT_SAVE_PRESET };

static const struct option offline_opts[] = {
    {"render", required_argument, NULL, OPT_RENDER},
    {"output", required_argument, NULL, 'o'},
    {"rate", required_argument, NULL, OPT_RATE},
    {"period", required_argument, NULL, OPT_PERIOD},
    {"save-preset", required_argument, NULL, OPT_SAVE_PRESET},
    {NULL, 0, NULL, 0},
};

/* The offline options among the words the shell left (argv[0] first);
 * -1 to go on, or an exit status. */
static int offline_options(int argc, char **argv, const char **in, const char **out,
                           const char **preset, uint32_t *rate, uint32_t *period)
{
    opterr = 0;
    optind = 0;
    int c;
    for (int before = 1; (c = getopt_long(argc, argv, "-:o:", offline_opts, NULL)) != -1;
         before = optind) {
        const char *word = argv[optind > before ? optind - 1 : optind];
        if (c == 1 || c == '?') {
            fprintf(stderr, "aiotone-fmsynth: unknown argument '%s' (see --help)\n", word);
            return 2;
        } else if (c == ':') {
            fprintf(stderr, "aiotone-fmsynth: %s needs a value (see --help)\n", word);
            return 2;
        } else if (c == OPT_RENDER) {
            *in = optarg;
        } else if (c == 'o') {
            *out = optarg;
        } else if (c == OPT_SAVE_PRESET) {
            *preset = optarg;
        } else if (c == OPT_RATE && !parse_u32(optarg, 8000, 384000, rate)) {
            fprintf(stderr, "aiotone-fmsynth: --rate: '%s' is not a rate 8000..384000\n", optarg);
            return 2;
        } else if (c == OPT_PERIOD && !parse_u32(optarg, 1, 8192, period)) {
            fprintf(stderr, "aiotone-fmsynth: --period: '%s' is not a number 1..8192\n", optarg);
            return 2;
        }
    }
    if (optind < argc) { /* after a "--" */
        fprintf(stderr, "aiotone-fmsynth: unknown argument '%s' (see --help)\n", argv[optind]);
        return 2;
    }
    return -1;
}

static int offline(AtApp *app, int argc, char **argv)
{
    const char *in = NULL, *out = NULL, *preset = NULL;
    uint32_t rate = 48000, period = 256;
    if (argc <= 1)
        return -1;
    int rc = offline_options(argc, argv, &in, &out, &preset, &rate, &period);
    if (rc >= 0)
        return rc;
    char err[4200];
    if (startup_preset(app, err, sizeof err) != AT_OK) {
        fprintf(stderr, "aiotone-fmsynth: %s\n", err);
        return 2;
    }
    if (preset && !in)
        return save_preset(at_app_params(app), preset);
    if (!in || !out) {
        fprintf(stderr, "aiotone-fmsynth: --render needs IN.mid and -o OUT.wav\n");
        return 2;
    }
    return render(at_app_params(app), in, out, rate, period);
}

/* The tool, for the JACK shell and the LV2 shell (plugins/lv2/); its
 * table is fmparams.c's. */
AT_TOOL(fmsynth, fm_params, "polyphonic 4-operator FM synthesizer (MIDI in, stereo audio out)",
        .usage_extra =
            "\nOffline:\n"
            "  --render IN.mid -o OUT.wav  render a MIDI file to a 32-bit float WAV\n"
            "  --rate R                    sample rate of the render (default 48000)\n"
            "  --period N                  frames per block (default 256; any gives the same "
            "output)\n"
            "  --save-preset FILE          write the patch of --config as a preset\n",
        .prepare = prepare, .release = release, .changed = changed, .offline = offline);
