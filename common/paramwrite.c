/* paramwrite.c - writing the registry as a config file, and saving the
 * state file (atomically, keeping the user's leading comments). */
#include "params.h"
#include "params_int.h"
#include "fileio.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool written(const AtParams *p, int i, bool state)
{
    const AtParamDef *d = &p->defs[i];
    if (!d->key || d->type == AT_PARAM_ACTION)
        return false;
    return !(state && (d->flags & AT_PARAM_NOSAVE));
}

static void write_group(const AtParams *p, FILE *out, const char *prefix, int depth, bool commented,
                        bool state)
{
    size_t l = strlen(prefix);
    char done[128][64];
    int n_done = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (!written(p, (int)i, state))
            continue;
        const char *k = p->defs[i].key;
        const char *rest;
        char name[64];
        int nl = atp_key_segment(k, prefix, l, name, &rest);
        if (nl < 0 || nl >= (int)sizeof name || !atp_add_name(done, &n_done, 128, name))
            continue;
        int ind = depth * 4;
        if (rest[nl] == '.') {
            char sub[512];
            snprintf(sub, sizeof sub, "%s%s%s", prefix, l ? "." : "", name);
            fprintf(out, "%*s%s = {\n", ind, "", name);
            write_group(p, out, sub, depth + 1, commented, state);
            fprintf(out, "%*s};\n", ind, "");
            continue;
        }
        const AtParamDef *d = &p->defs[i];
        if (commented) {
            char a[256];
            atp_allowed_text(d, a, sizeof a);
            fprintf(out, "%*s# %s.\n%*s# Allowed: %s%s%s%s.\n", ind, "", d->doc ? d->doc : "", ind,
                    "", a, d->unit && *d->unit ? " (" : "", d->unit ? d->unit : "",
                    d->unit && *d->unit ? ")" : "");
        }
        char val[8192];
        at_params_format(p, (int)i, val, sizeof val);
        fprintf(out, "%*s%s = %s;\n", ind, "", name, val);
    }
}

void at_params_write(const AtParams *p, FILE *out, bool commented, bool state)
{
    if (commented)
        fprintf(out,
                "# aiotone-%s configuration (libconfig syntax).\n"
                "# Every key is optional; the values below are the defaults.\n\n",
                p->tool);
    write_group(p, out, "", 0, commented, state);
}

/* Copy the leading comment block of the file being replaced (lines that
 * are blank or start with # or //, up to the first setting) to f, leaving
 * out the tool's own header line, so a user's notes survive a save. */
static void keep_leading_comments(const char *path, const char *header, FILE *f)
{
    FILE *old = fopen(path, "r");
    if (!old)
        return;
    char line[1024];
    while (fgets(line, sizeof line, old)) {
        const char *t = line + strspn(line, " \t\r");
        if (*t != '\n' && *t != '#' && strncmp(t, "//", 2) != 0 && *t)
            break;
        if (strcmp(line, header) != 0)
            fputs(line, f);
        while (!strchr(line, '\n') && fgets(line, sizeof line, old))
            fputs(line, f); /* the rest of a long comment line */
    }
    fclose(old);
}

typedef struct {
    const AtParams *p;
    const char *path;
} SaveCtx;

static bool write_state(FILE *f, void *ctx)
{
    const SaveCtx *c = ctx;
    char header[160];
    snprintf(header, sizeof header,
             "# aiotone-%s state, saved by the tool. Same format as its config file.\n",
             c->p->tool);
    keep_leading_comments(c->path, header, f);
    fputs(header, f);
    at_params_write(c->p, f, false, true);
    return !ferror(f);
}

AtStatus at_params_save_file(const AtParams *p, const char *path, char *err, size_t errlen)
{
    SaveCtx c = {p, path};
    if (at_file_write_atomic_with(path, write_state, &c, NULL, 0) != AT_OK) {
        atp_put_err(err, errlen, "%s: cannot save: %s", path, strerror(errno));
        return AT_ERR_RUNTIME;
    }
    return AT_OK;
}
