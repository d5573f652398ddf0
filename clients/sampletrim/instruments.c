/* instruments.c - aiotone-sampletrim: the instrument files (SFZ,
 * DecentSampler) beside the inputs, read, rewritten by instrfile.c to play
 * the trimmed samples and written beside the outputs. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "instrfile.h"
#include "sampletrim_io.h"
#include "batch.h"

/* --- instrument files (SFZ, DecentSampler) beside the inputs ------------ */

/* Largest instrument file read. */
#define MAX_INSTRUMENT_BYTES ((size_t)16 << 20)

/* The folder part of path ("." when none), malloc'ed. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* The path of file `to` relative to the folder from_dir (both folders
 * must exist: they are resolved with realpath), malloc'ed. */
static char *relative_path(const char *from_dir, const char *to)
{
    char *to_dir = dir_of(to);
    const char *base = strrchr(to, '/') ? strrchr(to, '/') + 1 : to;
    char *a = to_dir ? realpath(from_dir, NULL) : NULL, *c = to_dir ? realpath(to_dir, NULL) : NULL;
    char *out = NULL;
    if (a && c) {
        /* The root is the empty path here, so every component starts with '/'. */
        if (!strcmp(a, "/"))
            a[0] = 0;
        if (!strcmp(c, "/"))
            c[0] = 0;
        size_t i = 0, common = 0;
        for (;; i++) {
            if (a[i] != c[i]) {
                if ((!a[i] && c[i] == '/') || (!c[i] && a[i] == '/'))
                    common = i;
                break;
            }
            if (!a[i]) {
                common = i;
                break;
            }
            if (a[i] == '/')
                common = i;
        }
        size_t ups = 0;
        for (const char *p = a + common; *p; p++)
            ups += *p == '/';
        const char *rest = c[common] == '/' ? c + common + 1 : c + common;
        size_t n = ups * 3 + strlen(rest) + strlen(base) + 2;
        out = malloc(n);
        if (out) {
            out[0] = 0;
            for (size_t k = 0; k < ups; k++)
                strcat(out, "../");
            if (*rest) {
                strcat(out, rest);
                strcat(out, "/");
            }
            strcat(out, base);
        }
    }
    free(a);
    free(c);
    free(to_dir);
    return out;
}

/* What the lookup of an instrument's samples found. */
typedef struct {
    Batch *b;
    const char *dir;     /* the instrument's folder */
    const char *out_dir; /* where the new instrument goes */
    size_t found, missing;
    char first_missing[512];
    char *paths[4096]; /* relative paths handed out (freed after) */
    size_t npaths;
} InstrCtx;

static bool lookup_sample(void *user, const char *sample, StrimSampleMap *m)
{
    InstrCtx *x = user;
    size_t n = strlen(x->dir) + strlen(sample) + 2;
    char *full = malloc(n);
    struct stat s;
    bool ok = false;
    *m = (StrimSampleMap){.path = sample, .ratio = 1.0};
    if (!full)
        return true;
    snprintf(full, n, "%s/%s", sample[0] == '/' ? "" : x->dir, sample);
    if (stat(sample[0] == '/' ? sample : full, &s) == 0) {
        for (size_t i = 0; i < x->b->n; i++) {
            const Job *j = &x->b->jobs[i];
            struct stat js;
            if (!j->written || stat(j->input, &js) != 0 || js.st_dev != s.st_dev ||
                js.st_ino != s.st_ino)
                continue;
            char *rel = x->npaths < sizeof x->paths / sizeof *x->paths
                            ? relative_path(x->out_dir, j->output)
                            : NULL;
            if (!rel)
                break;
            x->paths[x->npaths++] = rel;
            *m = (StrimSampleMap){.path = rel,
                                  .ratio = (double)x->b->opt.rate / (double)j->in_rate,
                                  .trim_start = j->trim_start,
                                  .frames = j->out_frames};
            ok = true;
            break;
        }
    }
    free(full);
    if (ok) {
        x->found++;
    } else if (x->missing++ == 0) {
        snprintf(x->first_missing, sizeof x->first_missing, "%s", sample);
    }
    return true; /* go on: count them all, decide after */
}

/* Rewrite one instrument file found beside the inputs; false on an error
 * that must fail the run (it could not be written). */
static bool instrument(Batch *b, const char *dir, const char *name, StrimInstrKind kind)
{
    size_t pl = strlen(dir) + strlen(name) + 2;
    char *path = malloc(pl), *out_path = NULL, *out_dir = NULL, *text = NULL, *res = NULL;
    char detail[1024] = "";
    bool ok = true;
    size_t len, rlen, nsamples = 0, clamped = 0;
    InstrCtx x = {.b = b, .dir = dir};
    if (!path)
        return false;
    snprintf(path, pl, "%s/%s", dir, name);
    if (strim_output_path(path, b->out_dir, b->opt.rate, b->opt.bits, &out_path, &out_dir)) {
        ok = false;
        goto out;
    }
    /* strim_output_path names a .wav: keep the instrument's own name. */
    free(out_path);
    size_t ol = strlen(out_dir) + strlen(name) + 2;
    out_path = malloc(ol);
    if (!out_path) {
        ok = false;
        goto out;
    }
    snprintf(out_path, ol, "%s/%s", out_dir, name);
    x.out_dir = out_dir;
    text = at_file_read(path, MAX_INSTRUMENT_BYTES, &len, NULL, 0);
    if (!text) {
        fprintf(stderr, PROG ": %s: warning: cannot read this instrument file (%s)\n", path,
                errno == EFBIG ? "larger than 16 MiB" : strerror(errno));
        goto out;
    }
    /* The folder may not exist yet when none of its samples was written;
     * then the instrument is not about this run anyway (found == 0). */
    mkdir(out_dir, 0777);
    StrimStatus st = strim_instr_rewrite(text, len, kind, lookup_sample, &x, &res, &rlen, &nsamples,
                                         &clamped, detail, sizeof detail);
    if (st != STRIM_OK) {
        fprintf(stderr, PROG ": %s: instrument not written: %s\n", path, detail);
        ok = false;
        goto out;
    }
    if (x.found == 0) /* none of its samples in this run: not ours to touch */
        goto out;
    if (x.missing) {
        fprintf(stderr,
                PROG ": %s: warning: instrument not written: %zu of its %zu samples were not "
                     "trimmed in this run (first: %s)\n",
                path, x.missing, x.found + x.missing, x.first_missing);
        goto out;
    }
    if (same_file(path, out_path)) {
        fprintf(stderr, PROG ": %s: instrument not written: it would overwrite itself\n", path);
        ok = false;
        goto out;
    }
    if (at_file_write_atomic(out_path, res, rlen, NULL, 0) != AT_OK) {
        fprintf(stderr, PROG ": %s: cannot write the trimmed instrument (%s: %s)\n", path, out_path,
                strerror(errno));
        ok = false;
        goto out;
    }
    if (clamped)
        fprintf(stderr,
                PROG ": %s: warning: %zu loop or offset positions fell in the trimmed part and "
                     "were moved to the trimmed file's ends\n",
                out_path, clamped);
    if (b->verbose)
        printf("%s -> %s: instrument, %zu samples\n", path, out_path, nsamples);
out:
    for (size_t i = 0; i < x.npaths; i++)
        free(x.paths[i]);
    free(res);
    free(text);
    free(out_dir);
    free(out_path);
    free(path);
    return ok;
}

/* Instrument files in the inputs' folders that name the trimmed samples
 * get a trimmed copy beside the outputs. Returns false when one could not
 * be written. */
bool instruments(Batch *b)
{
    bool ok = true, any = false;
    for (size_t i = 0; i < b->n; i++)
        any = any || b->jobs[i].written;
    if (!any)
        return true;
    char **dirs = calloc(b->n, sizeof *dirs);
    size_t nd = 0;
    if (!dirs)
        return false;
    for (size_t i = 0; i < b->n; i++) {
        char *d = dir_of(b->jobs[i].input);
        bool seen = !d;
        for (size_t k = 0; k < nd && !seen; k++)
            seen = !strcmp(dirs[k], d);
        if (seen) {
            free(d);
            continue;
        }
        dirs[nd++] = d;
        /* Sorted, so messages come in a stable order. */
        struct dirent **names;
        int n = scandir(d, &names, NULL, alphasort);
        for (int k = 0; k < n; k++) {
            StrimInstrKind kind;
            if (strim_instr_kind(names[k]->d_name, &kind))
                ok = instrument(b, d, names[k]->d_name, kind) && ok;
            free(names[k]);
        }
        if (n >= 0)
            free(names);
    }
    for (size_t k = 0; k < nd; k++)
        free(dirs[k]);
    free(dirs);
    return ok;
}
