/* writer.c - the writer thread: recording ring -> float WAV files. */
#include "writer.h"
#include "fileio.h"

#include "instrument.h"
#include "machine.h"
#include "monotime.h"

#include <errno.h>
#include <pthread.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct SnWriter {
    SnWriterConfig cfg;
    SnSource src;
    SnShared *shared;
    pthread_t thread;
    bool thread_running;
    atomic_int quit;
    atomic_int status; /* -1 running, 0 done, 1 failed */

    bool have_header; /* msg read, its payload not yet */
    SnMsg msg;
    float *planar, *stereo;
    size_t scratch_frames;

    int32_t take; /* take being written, -1 if none */
    SNDFILE *file;
    AtAtomicFile out; /* the take's temporary file (common/fileio.h) */
    char tmp_path[4096], final_path[4096];
    uint64_t take_frames;

    bool *present;     /* per take: a file exists (old or new) */
    unsigned *retries; /* per take: attempts lost to xruns */
    size_t pending, started, saved, silent;
    double t0; /* at_mono_now() when made */
};

SnWriter *sn_writer_new(const SnWriterConfig *cfg, const SnSource *src, SnShared *shared)
{
    SnWriter *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    size_t n = cfg->plan->count ? cfg->plan->count : 1;
    w->present = calloc(n, sizeof *w->present);
    w->retries = calloc(n, sizeof *w->retries);
    if (!w->present || !w->retries) {
        free(w->present);
        free(w->retries);
        free(w);
        return NULL;
    }
    w->cfg = *cfg;
    w->src = *src;
    w->shared = shared;
    w->take = -1;
    atomic_init(&w->quit, 0);
    atomic_init(&w->status, -1);
    for (size_t i = 0; i < cfg->plan->count; i++)
        w->present[i] = cfg->plan->takes[i].skip;
    w->pending = sn_plan_pending(cfg->plan);
    w->t0 = at_mono_now();
    return w;
}

/* Abandon the take in progress: close and remove its temporary file. */
static void drop_take(SnWriter *w)
{
    if (w->file) {
        sf_close(w->file);
        w->file = NULL;
        at_atomic_abort(&w->out);
    }
    w->take = -1;
}

static void finish(SnWriter *w, int status)
{
    int expected = -1;
    if (!atomic_compare_exchange_strong(&w->status, &expected, status))
        return;
    if (status != 0)
        atomic_store(&w->shared->stop, 1);
    if (w->cfg.finished)
        w->cfg.finished(w->cfg.ctx, status);
}

static void fail(SnWriter *w, const char *what, const char *detail)
{
    drop_take(w);
    fprintf(w->cfg.err, "samplesnake: error: %s%s%s\n", what, detail ? ": " : "",
            detail ? detail : "");
    fprintf(w->cfg.err,
            "samplesnake: stopped after saving %zu of %zu samples; no partial file "
            "was left; run again to resume\n",
            w->saved, w->pending);
    fflush(w->cfg.err);
    finish(w, 1);
}

static void fmt_time(double s, char *out, size_t len)
{
    long t = (long)(s + 0.5);
    snprintf(out, len, "%ld:%02ld", t / 60, t % 60);
}

static void progress(SnWriter *w, const SnTake *t)
{
    char el[32], rem[32];
    double elapsed = at_mono_now() - w->t0;
    fmt_time(elapsed, el, sizeof el);
    size_t done = w->started - 1;
    if (done > 0)
        fmt_time(elapsed / (double)done * (double)(w->pending - done), rem, sizeof rem);
    else
        snprintf(rem, sizeof rem, "?");
    fprintf(w->cfg.out, "[%zu/%zu] %s  elapsed %s  remaining ~%s\n", w->started, w->pending,
            t->name, el, rem);
    fflush(w->cfg.out);
}

static void on_begin(SnWriter *w, const SnMsg *m)
{
    const SnPlan *plan = w->cfg.plan;
    if (m->id < 0 || (size_t)m->id >= plan->count) {
        fail(w, "internal: bad take number in the recording ring", NULL);
        return;
    }
    drop_take(w);
    const SnTake *t = &plan->takes[m->id];
    snprintf(w->tmp_path, sizeof w->tmp_path, "%s/.%s.wav.part", w->cfg.dir, t->name);
    snprintf(w->final_path, sizeof w->final_path, "%s/%s.wav", w->cfg.dir, t->name);
    SF_INFO info = {
        .samplerate = (int)w->cfg.rate, .channels = 2, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
    if (at_atomic_begin(&w->out, w->final_path, w->tmp_path, NULL, 0) != 0) {
        fail(w, w->tmp_path, strerror(errno));
        return;
    }
    w->file = sf_open_fd(w->out.fd, SFM_WRITE, &info, SF_FALSE);
    if (!w->file) {
        at_atomic_abort(&w->out);
        fail(w, w->tmp_path, sf_strerror(NULL));
        return;
    }
    w->take = m->id;
    w->take_frames = 0;
    w->started++;
    progress(w, t);
}

static bool ensure_scratch(SnWriter *w, size_t frames)
{
    if (frames <= w->scratch_frames)
        return true;
    float *p = realloc(w->planar, frames * 2 * sizeof *p);
    if (!p)
        return false;
    w->planar = p;
    float *s = realloc(w->stereo, frames * 2 * sizeof *s);
    if (!s)
        return false;
    w->stereo = s;
    w->scratch_frames = frames;
    return true;
}

static void on_audio(SnWriter *w, const SnMsg *m)
{
    if (w->take != m->id || !w->file)
        return; /* audio of an abandoned take */
    const float *l = w->planar, *r = w->planar + m->frames;
    for (uint32_t i = 0; i < m->frames; i++) {
        w->stereo[2 * i] = l[i];
        w->stereo[2 * i + 1] = r[i];
    }
    if (w->cfg.delay_us)
        usleep(w->cfg.delay_us);
    sf_count_t n = sf_writef_float(w->file, w->stereo, m->frames);
    if (n != (sf_count_t)m->frames) {
        fail(w, w->tmp_path, sf_strerror(w->file));
        return;
    }
    w->take_frames += m->frames;
}

static void on_end(SnWriter *w, const SnMsg *m)
{
    if (w->take != m->id || !w->file)
        return;
    const SnTake *t = &w->cfg.plan->takes[m->id];
    if (m->status == SN_END_RETRY) {
        drop_take(w);
        w->started--;
        if (++w->retries[m->id] > SN_MAX_RETRIES) {
            fail(w, t->name,
                 "JACK dropped audio (xruns) in every attempt; is the machine "
                 "overloaded?");
            return;
        }
        fprintf(w->cfg.err,
                "samplesnake: warning: %s: JACK dropped audio (an xrun); recording it again\n",
                t->name);
        return;
    }
    if (m->status == SN_END_SILENT || m->status == SN_END_ABORTED) {
        if (m->status == SN_END_SILENT) {
            fprintf(w->cfg.err,
                    "samplesnake: warning: %s: nothing above the silence threshold; "
                    "not saved (is the instrument connected to in_L/in_R?)\n",
                    t->name);
            w->silent++;
        }
        drop_take(w);
        return;
    }
    int rc = sf_close(w->file);
    w->file = NULL;
    if (rc != 0) {
        at_atomic_abort(&w->out);
        fail(w, w->tmp_path, sf_error_number(rc));
        return;
    }
    if (at_atomic_commit(&w->out, NULL, 0) != 0) {
        fail(w, w->final_path, strerror(errno));
        return;
    }
    w->present[m->id] = true;
    w->saved++;
    w->take = -1;
    fprintf(w->cfg.out, "saved %s (%.3f s)%s\n", w->final_path,
            (double)w->take_frames / (double)w->cfg.rate,
            m->status == SN_END_MAX_LENGTH ? " - cut at max-length" : "");
    fflush(w->cfg.out);
}

typedef struct {
    const SnWriter *w;
    bool sfz;
} InstrumentCtx;

static bool write_instrument(FILE *f, void *ctx)
{
    const InstrumentCtx *c = ctx;
    const SnPlan *plan = c->w->cfg.plan;
    return (c->sfz ? sn_write_sfz(f, plan->takes, c->w->present, plan->count)
                   : sn_write_dspreset(f, plan->takes, c->w->present, plan->count)) == AT_OK;
}

static void on_done(SnWriter *w)
{
    char path[4096], err[4096 + 256], list[8192] = "";
    if (w->saved == 0 && w->silent > 0) {
        /* Every take silent: a missing connection, not an instrument. */
        fail(w, "nothing was recorded",
             "every note stayed below the silence threshold; connect the instrument's "
             "outputs to in_L/in_R and midi_out to its input (or lower silence-threshold)");
        return;
    }
    for (int k = 0; k < 2; k++) {
        bool sfz = k == 0;
        if (!(sfz ? w->cfg.sfz : w->cfg.dspreset))
            continue;
        snprintf(path, sizeof path, "%s/%s.%s", w->cfg.dir, w->cfg.instrument,
                 sfz ? "sfz" : "dspreset");
        InstrumentCtx c = {w, sfz};
        if (at_file_write_atomic_with(path, write_instrument, &c, NULL, 0) != AT_OK) {
            snprintf(err, sizeof err, "%s: %s", path, strerror(errno));
            fail(w, "writing the instrument file", err);
            return;
        }
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, " %s", path);
    }
    char el[32];
    fmt_time(at_mono_now() - w->t0, el, sizeof el);
    fprintf(w->cfg.out,
            "done: %zu samples saved, %zu already there, %zu silent (not saved) in %s;"
            " instrument:%s\n",
            w->saved, w->cfg.plan->count - w->pending, w->silent, el, list[0] ? list : " none");
    fflush(w->cfg.out);
    finish(w, 0);
}

static void on_noise(SnWriter *w, const SnMsg *m)
{
    fprintf(w->cfg.out, "noise floor: peak %.3g; silence threshold set to %.3g\n", (double)m->value,
            (double)m->value2);
    fflush(w->cfg.out);
}

static void on_stuck(SnWriter *w, const SnMsg *m)
{
    const SnPlan *plan = w->cfg.plan;
    const char *name = m->id >= 0 && (size_t)m->id < plan->count ? plan->takes[m->id].name : "?";
    fprintf(w->cfg.err,
            "samplesnake: warning: the instrument still sounds long after %s: its note-off "
            "was lost; sent it again with All Notes Off\n",
            name);
    fflush(w->cfg.err);
}

static void dispatch(SnWriter *w, const SnMsg *m)
{
    if (atomic_load(&w->status) != -1)
        return; /* finished: only drain */
    switch (m->kind) {
    case SN_EV_BEGIN:
        on_begin(w, m);
        break;
    case SN_EV_AUDIO:
        on_audio(w, m);
        break;
    case SN_EV_END:
        on_end(w, m);
        break;
    case SN_EV_NOISE:
        on_noise(w, m);
        break;
    case SN_EV_DONE:
        on_done(w);
        break;
    case SN_EV_STUCK:
        on_stuck(w, m);
        break;
    default:
        fail(w, "internal: unknown message in the recording ring", NULL);
    }
}

/* Read one complete message if there is one; false when none is ready. */
static bool read_one(SnWriter *w)
{
    if (!w->have_header) {
        if (w->src.read_space(w->src.ring) < sizeof w->msg)
            return false;
        w->src.read(w->src.ring, (char *)&w->msg, sizeof w->msg);
        w->have_header = true;
    }
    size_t bytes = 0;
    if (w->msg.kind == SN_EV_AUDIO) {
        bytes = (size_t)w->msg.frames * 2 * sizeof(float);
        if (w->src.read_space(w->src.ring) < bytes)
            return false; /* the rest is on its way */
        if (!ensure_scratch(w, w->msg.frames)) {
            fail(w, "out of memory", NULL);
            return false; /* stays stuck on this message; the run is over */
        }
        w->src.read(w->src.ring, (char *)w->planar, bytes);
    }
    w->have_header = false;
    dispatch(w, &w->msg);
    return true;
}

int sn_writer_poll(SnWriter *w)
{
    if (atomic_load(&w->status) == 1 && w->have_header)
        return 1;
    while (read_one(w)) {
    }
    /* The process callback writes nothing after an overflow: once the flag
     * is seen, one more drain handles everything written before the loss. */
    if (atomic_load(&w->shared->overflow) && atomic_load(&w->status) == -1) {
        while (read_one(w)) {
        }
    }
    if (atomic_load(&w->shared->overflow) && !w->have_header && atomic_load(&w->status) == -1) {
        const char *name = w->take >= 0 ? w->cfg.plan->takes[w->take].name : "the current take";
        char why[512];
        snprintf(why, sizeof why,
                 "%s was not saved: the disk did not keep up and the recording buffer "
                 "overflowed",
                 name);
        fail(w, "audio lost", why);
    }
    return atomic_load(&w->status);
}

static void *thread_main(void *arg)
{
    SnWriter *w = arg;
    for (;;) {
        int st = sn_writer_poll(w);
        if (atomic_load(&w->quit) && st != -1)
            break;
        if (atomic_load(&w->quit) && w->src.read_space(w->src.ring) < sizeof(SnMsg))
            break;
        struct timespec ts = {0, 2 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

AtStatus sn_writer_start(SnWriter *w)
{
    if (pthread_create(&w->thread, NULL, thread_main, w) != 0)
        return AT_ERR_RUNTIME;
    w->thread_running = true;
    return AT_OK;
}

void sn_writer_join(SnWriter *w)
{
    if (w->thread_running) {
        atomic_store(&w->quit, 1);
        pthread_join(w->thread, NULL);
        w->thread_running = false;
    }
    if (w->take >= 0 && atomic_load(&w->status) == -1)
        fprintf(w->cfg.err,
                "samplesnake: interrupted: %s not saved; %zu of %zu samples "
                "saved; run again to resume\n",
                w->cfg.plan->takes[w->take].name, w->saved, w->pending);
    drop_take(w);
}

void sn_writer_free(SnWriter *w)
{
    if (!w)
        return;
    sn_writer_join(w);
    free(w->planar);
    free(w->stereo);
    free(w->present);
    free(w->retries);
    free(w);
}

int sn_writer_status(const SnWriter *w)
{
    return atomic_load(&((SnWriter *)w)->status);
}

size_t sn_writer_saved(const SnWriter *w)
{
    return w->saved;
}

AtStatus sn_prepare_dir(const char *dir, char *err, size_t errlen)
{
    char path[4096];
    if (!dir || !*dir) {
        snprintf(err, errlen, "no sample directory given");
        return AT_ERR_USAGE;
    }
    if (strlen(dir) >= sizeof path - 32) {
        snprintf(err, errlen, "sample directory name is too long");
        return AT_ERR_USAGE;
    }
    /* mkdir -p: create each missing parent in turn. */
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "cannot create sample directory %s: %s", path, strerror(errno));
            return AT_ERR_RUNTIME;
        }
        *p = c;
        if (c == '\0')
            break;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "sample directory %s is not a directory", dir);
        return AT_ERR_RUNTIME;
    }
    snprintf(path, sizeof path, "%s/.samplesnake-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0) {
        snprintf(err, errlen, "cannot write in sample directory %s: %s", dir, strerror(errno));
        return AT_ERR_RUNTIME;
    }
    close(fd);
    unlink(path);
    return AT_OK;
}

size_t sn_plan_mark_existing(SnPlan *plan, const char *dir)
{
    char path[4096];
    size_t n = 0;
    for (size_t i = 0; i < plan->count; i++) {
        snprintf(path, sizeof path, "%s/%s.wav", dir, plan->takes[i].name);
        plan->takes[i].skip = access(path, F_OK) == 0;
        n += plan->takes[i].skip;
    }
    return n;
}
