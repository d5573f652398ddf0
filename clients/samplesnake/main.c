/* aiotone-samplesnake - automatic multisampler: plays each note of a plan
 * into an instrument over JACK MIDI and records its audio to one float WAV
 * per note, velocity and round robin, plus SFZ / DecentSampler files.
 *
 * Threads: the JACK process callback runs the state machine and copies the
 * recorded frames into a jack_ringbuffer (created here, in the control
 * thread); the writer thread (writer.c) writes the files; the control
 * thread's idle hook ends the run when the writer reports done or failed. */
#include "clients/samplesnake/machine.h"
#include "clients/samplesnake/plan.h"
#include "clients/samplesnake/ssparams.h"
#include "clients/samplesnake/writer.h"

#include "app.h"
#include "params.h"
#include "shellutil.h"

#include <getopt.h>
#include <jack/ringbuffer.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Seconds of audio the ring holds while the disk stalls. */
#define SN_RING_SECONDS 10.0

/* Command-line switches (read by the offline hook, before setup). */
static bool opt_overwrite;

typedef struct {
    /* Control-thread side. */
    AtApp *app;
    SnPlan plan;
    SnNote *notes;
    jack_ringbuffer_t *ring;
    SnWriter *writer;
    char dir[4096];
    char instrument[SN_NAME_MAX];
    atomic_int finished; /* writer status + 1; 0 while running */
    bool quitting;
    atomic_int start_req; /* the control thread asks RT to begin */
    atomic_int started;   /* RT began sampling (set by RT) */
    bool start_when_idle; /* begin at the first idle call (connections made by then) */
    bool said_started;
    /* Shared with the writer and RT. */
    SnShared shared;
    /* RT side. */
    SnMachine machine;
    int h_in_l, h_in_r, h_mon_l, h_mon_r, h_midi;
    bool running; /* sampling has begun */
    bool stopped;
    bool have_time;
    uint64_t next_frame_time; /* where the next cycle should start */
} Snake;

/* ---------- plan from the registry (setup and --dry-run) ---------- */

static AtStatus make_plan(const AtParams *p, SnPlan *plan, char *err, size_t errlen)
{
    const AtParamValue *oct = at_params_get(p, SN_P_OCTAVES);
    const AtParamValue *vel = at_params_get(p, SN_P_VELOCITIES);
    SnPlanSpec spec = {
        .prefix = at_params_str_at(p, SN_P_PREFIX),
        .notes = at_params_str_at(p, SN_P_NOTES),
        .octaves = oct->ilist,
        .n_octaves = (size_t)oct->count,
        .velocities = vel->ilist,
        .n_velocities = (size_t)vel->count,
        .round_robins = at_params_int_at(p, SN_P_ROUND_ROBINS),
    };
    char why[512], where[1200];
    /* The note names first, so their message names the file, line and key. */
    int pcs[SN_LIST_MAX];
    size_t n_pcs;
    if (sn_parse_notes(spec.notes, pcs, SN_LIST_MAX, &n_pcs, why, sizeof why) != AT_OK) {
        at_params_where(p, at_params_key(p, SN_P_NOTES), where, sizeof where);
        snprintf(err, errlen, "%s: %s", where, why);
        return AT_ERR_USAGE;
    }
    if (!sn_prefix_ok(spec.prefix, why, sizeof why)) {
        at_params_where(p, at_params_key(p, SN_P_PREFIX), where, sizeof where);
        snprintf(err, errlen, "%s: %s", where, why);
        return AT_ERR_USAGE;
    }
    AtStatus st = sn_plan_build(&spec, plan, why, sizeof why);
    if (st != AT_OK) {
        snprintf(err, errlen, "sampling: %s", why);
        return st == AT_ERR_USAGE ? AT_ERR_USAGE : AT_ERR_RUNTIME;
    }
    return AT_OK;
}

static AtStatus read_threshold(const AtParams *p, double *level, bool *is_auto, char *err,
                               size_t errlen)
{
    const char *s = at_params_str_at(p, SN_P_SILENCE_THRESHOLD);
    if (!sn_parse_threshold(s, level, is_auto)) {
        char where[1200];
        at_params_where(p, at_params_key(p, SN_P_SILENCE_THRESHOLD), where, sizeof where);
        snprintf(err, errlen,
                 "%s: bad value \"%s\": must be \"auto\", a level between 0 and 1 "
                 "(\"0.000001\") or in dBFS (\"-120dB\")",
                 where, s ? s : "");
        return AT_ERR_USAGE;
    }
    return AT_OK;
}

static void instrument_name(const AtParams *p, char *out, size_t len)
{
    const char *prefix = at_params_str_at(p, SN_P_PREFIX);
    sn_sanitize_name(prefix && *prefix ? prefix : "instrument", out, len);
}

static const char *instrument_kinds(const AtParams *p)
{
    static const char *const kinds[] = {"SFZ and DecentSampler", "SFZ", "DecentSampler", "none"};
    int k = at_params_int_at(p, SN_P_INSTRUMENT);
    return kinds[k >= 0 && k < 4 ? k : 0];
}

/* ---------- offline: --dry-run, --overwrite ---------- */

static int print_plan(AtApp *app)
{
    AtParams *p = at_app_params(app);
    char err[1024];
    SnPlan plan;
    double thr;
    bool is_auto;
    AtStatus st = make_plan(p, &plan, err, sizeof err);
    if (st == AT_OK && (st = read_threshold(p, &thr, &is_auto, err, sizeof err)) != AT_OK)
        sn_plan_free(&plan);
    if (st != AT_OK) {
        fprintf(stderr, "aiotone-samplesnake: %s\n", err);
        return st == AT_ERR_USAGE ? 2 : 1;
    }
    const char *dir = at_params_str_at(p, SN_P_DIRECTORY);
    size_t existing = opt_overwrite ? 0 : sn_plan_mark_existing(&plan, dir);
    printf("plan: %zu samples, %zu to record, %zu already in %s/%s\n", plan.count,
           plan.count - existing, existing, dir, opt_overwrite ? " (overwritten)" : "");
    for (size_t i = 0; i < plan.count; i++) {
        const SnTake *t = &plan.takes[i];
        printf("%4zu  %s.wav  note %d velocity %d", i + 1, t->name, t->note, t->velocity);
        if (t->rr_count > 1)
            printf(" round robin %d/%d", t->rr, t->rr_count);
        printf("%s\n", t->skip ? "  (exists: skipped)" : "");
    }
    char name[SN_NAME_MAX];
    instrument_name(p, name, sizeof name);
    printf("channel %d, hold %gs, cooldown %gs, max-length %gs, silence threshold %s\n",
           at_params_int_at(p, SN_P_CHANNEL), at_params_float_at(p, SN_P_HOLD),
           at_params_float_at(p, SN_P_COOLDOWN), at_params_float_at(p, SN_P_MAX_LENGTH),
           at_params_str_at(p, SN_P_SILENCE_THRESHOLD));
    printf("instrument: %s (%s/%s.sfz, .dspreset)\n", instrument_kinds(p), dir, name);
    sn_plan_free(&plan);
    return 0;
}

static int offline(AtApp *app, int argc, char **argv)
{
    static const struct option opts[] = {
        {"dry-run", no_argument, NULL, 'd'},
        {"overwrite", no_argument, NULL, 'w'},
        {NULL, 0, NULL, 0},
    };
    bool dry_run = false;
    opterr = 0;
    optind = 0;
    int c;
    for (int before = 1; (c = getopt_long(argc, argv, "-", opts, NULL)) != -1; before = optind) {
        if (c == 'd') {
            dry_run = true;
        } else if (c == 'w') {
            opt_overwrite = true;
        } else {
            fprintf(stderr, "aiotone-samplesnake: unexpected argument '%s' (see --help)\n",
                    argv[optind > before ? optind - 1 : optind]);
            return 2;
        }
    }
    if (optind < argc) { /* after a "--" */
        fprintf(stderr, "aiotone-samplesnake: unexpected argument '%s' (see --help)\n",
                argv[optind]);
        return 2;
    }
    return dry_run ? print_plan(app) : -1;
}

/* ---------- RT ---------- */

/* Put one machine event in the ring, with its frames; false if it does
 * not fit (nothing is written then). */
static bool push_event(Snake *s, const SnEvent *e, const float *l, const float *r)
{
    SnMsg m = {(uint32_t)e->kind, e->id, 0, e->status, e->value, e->value2};
    size_t need = sizeof m;
    if (e->kind == SN_EV_AUDIO) {
        m.frames = e->to - e->from;
        need += (size_t)m.frames * 2 * sizeof(float);
    }
    if (jack_ringbuffer_write_space(s->ring) < need)
        return false;
    jack_ringbuffer_write(s->ring, (const char *)&m, sizeof m);
    if (e->kind == SN_EV_AUDIO) {
        jack_ringbuffer_write(s->ring, (const char *)(l + e->from), m.frames * sizeof(float));
        jack_ringbuffer_write(s->ring, (const char *)(r + e->from), m.frames * sizeof(float));
    }
    return true;
}

static void process(void *core, AtCycle *c)
{
    Snake *s = core;
    const float *l = c->audio[s->h_in_l], *r = c->audio[s->h_in_r];
    memcpy(c->audio[s->h_mon_l], l, c->nframes * sizeof(float));
    memcpy(c->audio[s->h_mon_r], r, c->nframes * sizeof(float));
    if (s->stopped)
        return;
    if (!s->running) {
        /* Waiting to be told to begin: monitor only. */
        if (!atomic_load(&s->start_req))
            return;
        s->running = true;
        atomic_store(&s->started, 1);
    }
    AtMidiBuf *midi = c->midi[s->h_midi];
    SnEvents ev = {.count = 0, .dropped = 0};
    if (atomic_load(&s->shared.stop)) {
        /* The writer failed: silence the instrument, record nothing more. */
        sn_machine_stop(&s->machine, c->nframes - 1, midi, &ev);
        s->stopped = true;
        return;
    }
    /* Frames JACK never gave us (an xrun) would be a hole in the take. */
    if (s->have_time && c->frame_time != s->next_frame_time)
        sn_machine_gap(&s->machine, midi, &ev);
    s->have_time = true;
    s->next_frame_time = c->frame_time + c->nframes;
    SnEvents run = {.count = 0, .dropped = 0};
    sn_machine_process(&s->machine, l, r, c->nframes, midi, &run);
    for (size_t i = 0; i < run.count && ev.count < SN_MAX_EVENTS; i++)
        ev.ev[ev.count++] = run.ev[i];
    for (size_t i = 0; i < ev.count; i++) {
        if (!push_event(s, &ev.ev[i], l, r)) {
            atomic_store(&s->shared.overflow, 1);
            SnEvents junk = {.count = 0, .dropped = 0};
            sn_machine_stop(&s->machine, c->nframes - 1, midi, &junk);
            s->stopped = true;
            return;
        }
    }
}

static void param(void *core, AtParamMsg *msg, AtCycle *cycle)
{
    Snake *s = core;
    (void)cycle; /* nothing else is live: the plan is fixed for the run */
    if (msg->index == SN_P_START_ACTION)
        atomic_store(&s->start_req, 1);
}

static void on_shutdown(void *core, AtCycle *c)
{
    Snake *s = core;
    if (s->stopped)
        return;
    SnEvents junk = {.count = 0, .dropped = 0};
    sn_machine_stop(&s->machine, 0, c->midi[s->h_midi], &junk);
    s->stopped = true;
}

/* ---------- control thread ---------- */

/* Seconds the shutdown may take once the job is over. */
#define SN_EXIT_GRACE 20

static void *exit_watchdog(void *arg)
{
    int status = (int)(intptr_t)arg;
    sleep(SN_EXIT_GRACE);
    /* Every file is complete and renamed by now; a shutdown stuck in the
     * JACK client library must not keep a finished job alive. */
    fprintf(stderr, "aiotone-samplesnake: shutdown took over %d s; exiting\n", SN_EXIT_GRACE);
    _exit(status);
    return NULL;
}

static void on_writer_finished(void *ctx, int status)
{
    Snake *s = ctx;
    atomic_store(&s->finished, status + 1);
    pthread_t t;
    if (pthread_create(&t, NULL, exit_watchdog, (void *)(intptr_t)status) == 0)
        pthread_detach(t);
}

static void session_loaded(AtApp *app, void *core)
{
    Snake *s = core;
    if (at_params_int_at(at_app_params(app), SN_P_START) == 0 && !atomic_load(&s->start_req)) {
        printf("samplesnake: the session is loaded: sampling begins\n");
        fflush(stdout);
        atomic_store(&s->start_req, 1);
    }
}

static void idle(AtApp *app, void *core)
{
    Snake *s = core;
    if (s->start_when_idle) {
        s->start_when_idle = false;
        atomic_store(&s->start_req, 1);
    }
    if (!s->said_started && atomic_load(&s->started)) {
        s->said_started = true;
        printf("samplesnake: sampling\n");
        fflush(stdout);
    }
    int f = atomic_load(&s->finished);
    if (f && !s->quitting) {
        s->quitting = true;
        at_app_quit(app, f - 1);
    }
}

static size_t ring_read_space(void *ring)
{
    return jack_ringbuffer_read_space(ring);
}

static size_t ring_read(void *ring, char *dst, size_t n)
{
    return jack_ringbuffer_read(ring, dst, n);
}

static void teardown(void *core)
{
    Snake *s = core;
    if (!s)
        return;
    sn_writer_free(s->writer);
    if (s->ring)
        jack_ringbuffer_free(s->ring);
    free(s->notes);
    sn_plan_free(&s->plan);
    free(s);
}

static AtStatus check_rate(const AtParams *p, uint32_t rate, char *err, size_t errlen)
{
    int want = at_params_int_at(p, SN_P_SAMPLE_RATE);
    if (want == 0 || (uint32_t)want == rate)
        return AT_OK;
    snprintf(err, errlen,
             "key 'audio.sample-rate' asks for %d Hz but the JACK server runs at %u Hz; "
             "samplesnake records at the server's rate and does not resample: set "
             "sample-rate = %u (or 0), or restart jackd with -r %d",
             want, rate, rate, want);
    return AT_ERR_USAGE;
}

static unsigned env_uint(const char *name, unsigned def)
{
    const char *v = getenv(name);
    return v && *v ? (unsigned)strtoul(v, NULL, 10) : def;
}

static uint32_t frames_of(const AtParams *p, int i, uint32_t rate)
{
    double f = at_params_float_at(p, i) * rate + 0.5;
    return f >= 4e9 ? 4000000000u : (uint32_t)f;
}

static AtStatus machine_setup(Snake *s, const AtParams *p, uint32_t rate, char *err, size_t errlen)
{
    double thr;
    bool is_auto;
    if (read_threshold(p, &thr, &is_auto, err, errlen) != AT_OK)
        return AT_ERR_USAGE;
    size_t n = sn_plan_pending(&s->plan);
    s->notes = calloc(n ? n : 1, sizeof *s->notes);
    if (!s->notes)
        return at_shell_oom(err, errlen);
    size_t k = 0;
    for (size_t i = 0; i < s->plan.count; i++) {
        const SnTake *t = &s->plan.takes[i];
        if (!t->skip)
            s->notes[k++] = (SnNote){(uint8_t)t->note, (uint8_t)t->velocity, (int32_t)i};
    }
    SnMachineConfig mc = {
        .channel = (uint8_t)(at_params_int_at(p, SN_P_CHANNEL) - 1),
        .auto_threshold = is_auto,
        .threshold = (float)thr,
        .silence_frames = (uint32_t)(SN_SILENCE_WINDOW * rate + 0.5),
        .cooldown_frames = frames_of(p, SN_P_COOLDOWN, rate),
        .hold_frames = frames_of(p, SN_P_HOLD, rate),
        .max_frames = frames_of(p, SN_P_MAX_LENGTH, rate),
        .noise_frames = (uint32_t)(SN_NOISE_WINDOW * rate + 0.5),
        .wait_frames = frames_of(p, SN_P_WAIT_FOR_SOUND, rate),
    };
    sn_machine_init(&s->machine, &mc, s->notes, k);
    return AT_OK;
}

static AtStatus writer_setup(Snake *s, const AtParams *p, uint32_t rate, char *err, size_t errlen)
{
    /* Test hooks: a slow disk, a small ring. */
    unsigned delay_us = env_uint("SAMPLESNAKE_TEST_WRITE_DELAY_US", 0);
    unsigned ring_ms = env_uint("SAMPLESNAKE_TEST_RING_MS", (unsigned)(SN_RING_SECONDS * 1000));
    size_t bytes = (size_t)((double)rate * ring_ms / 1000.0) * 2 * sizeof(float) + 4096;
    s->ring = jack_ringbuffer_create(bytes);
    if (!s->ring) {
        snprintf(err, errlen, "out of memory for a %zu-byte recording buffer", bytes);
        return AT_ERR_RUNTIME;
    }
    jack_ringbuffer_mlock(s->ring); /* best effort: no page faults in RT */
    int kind = at_params_int_at(p, SN_P_INSTRUMENT);
    SnWriterConfig wc = {
        .dir = s->dir,
        .plan = &s->plan,
        .rate = rate,
        .instrument = s->instrument,
        .sfz = kind == 0 || kind == 1,
        .dspreset = kind == 0 || kind == 2,
        .delay_us = delay_us,
        .out = stdout,
        .err = stderr,
        .finished = on_writer_finished,
        .ctx = s,
    };
    SnSource src = {ring_read_space, ring_read, s->ring};
    s->writer = sn_writer_new(&wc, &src, &s->shared);
    if (!s->writer || sn_writer_start(s->writer) != AT_OK) {
        snprintf(err, errlen, "cannot start the writer thread");
        return AT_ERR_RUNTIME;
    }
    return AT_OK;
}

static AtStatus add_ports(Snake *s, AtApp *app, char *err, size_t errlen)
{
    const AtParams *p = at_app_params(app);
    s->h_in_l = at_app_add_port(app, "in_L", AT_PORT_AUDIO_IN, "Record L", "Record",
                                at_params_key(p, SN_P_RECORD_LEFT));
    s->h_in_r = at_app_add_port(app, "in_R", AT_PORT_AUDIO_IN, "Record R", "Record",
                                at_params_key(p, SN_P_RECORD_RIGHT));
    s->h_mon_l = at_app_add_port(app, "monitor_L", AT_PORT_AUDIO_OUT, "Monitor L", "Monitor",
                                 at_params_key(p, SN_P_MONITOR_LEFT));
    s->h_mon_r = at_app_add_port(app, "monitor_R", AT_PORT_AUDIO_OUT, "Monitor R", "Monitor",
                                 at_params_key(p, SN_P_MONITOR_RIGHT));
    s->h_midi = at_app_add_port(app, "midi_out", AT_PORT_MIDI_OUT, "Notes out", NULL,
                                at_params_key(p, SN_P_MIDI_CONNECT));
    if (s->h_in_l < 0 || s->h_in_r < 0 || s->h_mon_l < 0 || s->h_mon_r < 0 || s->h_midi < 0) {
        snprintf(err, errlen, "cannot register the JACK ports");
        return AT_ERR_RUNTIME;
    }
    return AT_OK;
}

/* Where the samples go: sampling.directory; under a session manager a
 * relative one is inside the client's own session folder (the NSM path,
 * e.g. SESSION/samplesnake/samples), never the current directory. */
static AtStatus sample_dir(AtApp *app, char *out, size_t outlen, char *err, size_t errlen)
{
    const char *dir = at_params_str_at(at_app_params(app), SN_P_DIRECTORY);
    const char *base = at_app_session_path(app);
    int w = dir[0] != '/' && base ? snprintf(out, outlen, "%s/%s", base, dir)
                                  : snprintf(out, outlen, "%s", dir);
    if (w < 0 || (size_t)w >= outlen) {
        snprintf(err, errlen, "key 'sampling.directory': the path is too long");
        return AT_ERR_USAGE;
    }
    return AT_OK;
}

static AtStatus setup(AtApp *app, void **core, char *err, size_t errlen)
{
    AtParams *p = at_app_params(app);
    uint32_t rate = at_app_rate(app);
    AtStatus st = check_rate(p, rate, err, errlen);
    if (st != AT_OK)
        return st;
    Snake *s = calloc(1, sizeof *s);
    if (!s)
        return at_shell_oom(err, errlen);
    *core = s;
    s->app = app;
    atomic_init(&s->finished, 0);
    atomic_init(&s->shared.overflow, 0);
    atomic_init(&s->shared.stop, 0);
    if ((st = sample_dir(app, s->dir, sizeof s->dir, err, errlen)) != AT_OK)
        goto fail;
    instrument_name(p, s->instrument, sizeof s->instrument);
    atomic_init(&s->start_req, 0);
    atomic_init(&s->started, 0);
    if ((st = make_plan(p, &s->plan, err, errlen)) != AT_OK)
        goto fail;
    char why[1024];
    /* Refuse an unusable directory before any note is played. */
    if (sn_prepare_dir(s->dir, why, sizeof why) != AT_OK) {
        snprintf(err, errlen, "%s", why);
        st = AT_ERR_RUNTIME;
        goto fail;
    }
    size_t existing = opt_overwrite ? 0 : sn_plan_mark_existing(&s->plan, s->dir);
    if ((st = machine_setup(s, p, rate, err, errlen)) != AT_OK)
        goto fail;
    if ((st = writer_setup(s, p, rate, err, errlen)) != AT_OK)
        goto fail;
    if ((st = add_ports(s, app, err, errlen)) != AT_OK)
        goto fail;
    printf("samplesnake: %zu samples to record into %s/ at %u Hz (%zu already there%s)\n",
           s->plan.count - existing, s->dir, rate, existing,
           existing ? "; --overwrite records them again" : "");
    int start = at_params_int_at(p, SN_P_START);
    bool now = start == 1 || (start == 0 && !at_app_session_path(app));
    if (now) {
        /* Not yet: the shell makes the connect-list connections after
         * setup; the first idle call comes after them, so the first note
         * is not played into an instrument that is not connected yet. */
        s->start_when_idle = true;
    } else {
        int port = at_params_int(p, "osc.port");
        char how[128] = "";
        if (port > 0)
            snprintf(how, sizeof how, " (OSC port %d)", port);
        printf("samplesnake: waiting for %s%s%s\n",
               start == 0 ? "the session to be loaded or " : "", "/samplesnake/start", how);
    }
    fflush(stdout);
    return AT_OK;
fail:
    teardown(s);
    *core = NULL;
    return st;
}

/* --check-config: what setup would refuse before JACK is needed. */
static AtStatus validate(AtApp *app, char *err, size_t errlen)
{
    AtParams *p = at_app_params(app);
    SnPlan plan;
    double thr;
    bool is_auto;
    AtStatus st = make_plan(p, &plan, err, errlen);
    if (st != AT_OK)
        return st;
    sn_plan_free(&plan);
    return read_threshold(p, &thr, &is_auto, err, errlen);
}

AT_TOOL(samplesnake, sn_params,
        "automatic multisampler: plays notes into an instrument, records float WAVs",
        .usage_extra = "  --dry-run        print the sampling plan and exit\n"
                       "  --overwrite      record samples again even if their files exist\n",
        .shutdown = on_shutdown, .offline = offline, .idle = idle, .validate = validate,
        .session_loaded = session_loaded);
