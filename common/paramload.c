/* paramload.c - reading a config file (libconfig) into the registry: the
 * checks of each setting, typo hints, old keys, syntax errors. */
#include "params.h"
#include "params_int.h"
#include "fileio.h"

#include "log.h"

#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
    AtParams *p;
    const char *file;
    char *err;
    size_t errlen;
} Loader;

static bool is_prefix_group(const AtParams *p, const char *path)
{
    size_t l = strlen(path);
    for (size_t i = 0; i < p->n; i++) {
        const char *k = p->defs[i].key, *o = p->defs[i].old_key;
        if (k && strncmp(k, path, l) == 0 && k[l] == '.')
            return true;
        if (o && strncmp(o, path, l) == 0 && o[l] == '.')
            return true;
    }
    return false;
}

/* The first segment of key k below group (its first gl chars; 0: the top
 * level) into name, cut to 63 chars ("osc" for "osc.port" at the top), and
 * where it starts into *rest; its full length, or -1 when k is not below
 * group. */
int atp_key_segment(const char *k, const char *group, size_t gl, char name[64], const char **rest)
{
    if (gl && (strncmp(k, group, gl) != 0 || k[gl] != '.'))
        return -1;
    *rest = gl ? k + gl + 1 : k;
    size_t nl = strcspn(*rest, ".");
    size_t cut = nl < 63 ? nl : 63;
    memcpy(name, *rest, cut);
    name[cut] = 0;
    return (int)nl;
}

/* Add name to the n names in seen (room for max); false when it is there
 * already or there is no room. */
bool atp_add_name(char (*seen)[64], int *n, int max, const char *name)
{
    for (int s = 0; s < *n; s++)
        if (strcmp(seen[s], name) == 0)
            return false;
    if (*n >= max)
        return false;
    strcpy(seen[(*n)++], name);
    return true;
}

/* Keys allowed directly under group path ("" = top level), for messages. */
static void known_here(const AtParams *p, const char *group, char *out, size_t outlen)
{
    size_t l = strlen(group), len = 0;
    out[0] = 0;
    char seen[64][64];
    int n_seen = 0;
    for (size_t i = 0; i < p->n && len < outlen; i++) {
        const char *k = p->defs[i].key;
        if (!k || p->defs[i].type == AT_PARAM_ACTION)
            continue;
        const char *rest;
        char name[64];
        if (atp_key_segment(k, group, l, name, &rest) < 0 || !atp_add_name(seen, &n_seen, 64, name))
            continue;
        len += (size_t)snprintf(out + len, outlen - len, "%s%s", n_seen > 1 ? ", " : "", name);
    }
}

static const char *type_name(int t)
{
    switch (t) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        return "a whole number";
    case CONFIG_TYPE_FLOAT:
        return "a real number";
    case CONFIG_TYPE_STRING:
        return "a string";
    case CONFIG_TYPE_BOOL:
        return "a boolean";
    case CONFIG_TYPE_ARRAY:
    case CONFIG_TYPE_LIST:
        return "a list";
    case CONFIG_TYPE_GROUP:
        return "a group";
    default:
        return "a value";
    }
}

/* Text of a scalar setting's value, for messages. */
static void setting_text(config_setting_t *s, char *out, size_t outlen)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        snprintf(out, outlen, "%lld", config_setting_get_int64(s));
        break;
    case CONFIG_TYPE_FLOAT:
        snprintf(out, outlen, "%g", config_setting_get_float(s));
        break;
    case CONFIG_TYPE_STRING:
        atp_quote(config_setting_get_string(s), out, outlen);
        break;
    case CONFIG_TYPE_BOOL:
        snprintf(out, outlen, "%s", config_setting_get_bool(s) ? "true" : "false");
        break;
    default:
        snprintf(out, outlen, "(%s)", type_name(config_setting_type(s)));
        break;
    }
}

static AtStatus load_fail(Loader *L, config_setting_t *s, const char *path, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *file = config_setting_source_file(s);
    atp_put_err(L->err, L->errlen, "%s:%u: key '%s': %s", file ? file : L->file,
                config_setting_source_line(s), path, msg);
    return AT_ERR_USAGE;
}

/* The value at s is not of a kind d takes: say what it takes. */
static AtStatus load_disallowed(Loader *L, config_setting_t *s, const char *path,
                                const AtParamDef *d)
{
    char allowed[512], val[256];
    setting_text(s, val, sizeof val);
    atp_allowed_text(d, allowed, sizeof allowed);
    return load_fail(L, s, path, "bad value %s: must be %s", val, allowed);
}

static AtStatus load_number(Loader *L, config_setting_t *s, const char *path, int i)
{
    const AtParamDef *d = &L->p->defs[i];
    int t = config_setting_type(s);
    char why[512], val[256];
    setting_text(s, val, sizeof val);
    double v;
    if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64)
        v = (double)config_setting_get_int64(s);
    else if (t == CONFIG_TYPE_FLOAT && d->type != AT_PARAM_INT)
        v = config_setting_get_float(s);
    else if (t == CONFIG_TYPE_STRING && d->type == AT_PARAM_DURATION) {
        if (!at_params_set_string(L->p, i, config_setting_get_string(s), why, sizeof why))
            return load_fail(L, s, path, "bad value %s: %s", val, why);
        return AT_OK;
    } else {
        return load_disallowed(L, s, path, d);
    }
    if (!at_params_set_number(L->p, i, v, why, sizeof why))
        return load_fail(L, s, path, "bad value %s: %s", val, why);
    return AT_OK;
}

static AtStatus load_list(Loader *L, config_setting_t *s, const char *path, int i)
{
    const AtParamDef *d = &L->p->defs[i];
    int t = config_setting_type(s);
    char why[512], val[256];
    if (t == CONFIG_TYPE_STRING && d->type == AT_PARAM_STRLIST) {
        const char *one = config_setting_get_string(s);
        at_params_set_strlist(L->p, i, &one, 1, why, sizeof why);
        return AT_OK;
    }
    if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
        return load_disallowed(L, s, path, d);
    int n = config_setting_length(s);
    if (n > AT_PARAM_MAX_LIST)
        return load_fail(L, s, path, "too many items (%d): at most %d", n, AT_PARAM_MAX_LIST);
    const char *strs[AT_PARAM_MAX_LIST];
    int ints[AT_PARAM_MAX_LIST];
    for (int k = 0; k < n; k++) {
        config_setting_t *e = config_setting_get_elem(s, (unsigned)k);
        int et = config_setting_type(e);
        bool is_int = et == CONFIG_TYPE_INT || et == CONFIG_TYPE_INT64;
        long long x = is_int ? config_setting_get_int64(e) : 0;
        if (d->type == AT_PARAM_STRLIST && et == CONFIG_TYPE_STRING) {
            strs[k] = config_setting_get_string(e);
        } else if (d->type == AT_PARAM_INTLIST && is_int && x >= d->min && x <= d->max) {
            ints[k] = (int)x;
        } else {
            setting_text(e, val, sizeof val);
            atp_allowed_text(d, why, sizeof why);
            return load_fail(L, s, path, "bad item %d: %s: must be %s", k + 1, val, why);
        }
    }
    bool ok = d->type == AT_PARAM_STRLIST
                  ? at_params_set_strlist(L->p, i, strs, n, why, sizeof why)
                  : at_params_set_intlist(L->p, i, ints, n, why, sizeof why);
    if (!ok)
        return load_fail(L, s, path, "%s", why);
    return AT_OK;
}

static AtStatus load_leaf(Loader *L, config_setting_t *s, const char *path, int i)
{
    const AtParamDef *d = &L->p->defs[i];
    int t = config_setting_type(s);
    char why[512], val[256];
    setting_text(s, val, sizeof val);
    switch (d->type) {
    case AT_PARAM_INT:
    case AT_PARAM_FLOAT:
    case AT_PARAM_DURATION:
        return load_number(L, s, path, i);
    case AT_PARAM_BOOL:
        if (t != CONFIG_TYPE_BOOL)
            return load_fail(L, s, path, "bad value %s: must be true or false", val);
        L->p->vals[i].i = config_setting_get_bool(s);
        return AT_OK;
    case AT_PARAM_STRING:
        if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 || t == CONFIG_TYPE_FLOAT) {
            /* A number where text is allowed (a threshold that may also be
             * "auto"): keep it as the text of the number. */
            char num[64];
            if (t == CONFIG_TYPE_FLOAT)
                snprintf(num, sizeof num, "%.15g", config_setting_get_float(s));
            else
                snprintf(num, sizeof num, "%lld", config_setting_get_int64(s));
            at_params_set_string(L->p, i, num, why, sizeof why);
            return AT_OK;
        }
        /* fall through */
    case AT_PARAM_ENUM:
        if (t != CONFIG_TYPE_STRING)
            return load_disallowed(L, s, path, d);
        if (!at_params_set_string(L->p, i, config_setting_get_string(s), why, sizeof why))
            return load_fail(L, s, path, "bad value %s: %s", val, why);
        return AT_OK;
    case AT_PARAM_STRLIST:
    case AT_PARAM_INTLIST:
        return load_list(L, s, path, i);
    case AT_PARAM_ACTION:
        break;
    }
    return load_fail(L, s, path, "is not a configuration key (it is an OSC action)");
}

/* Edit distance between a and b (small strings), capped at 99. */
static int distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 120 || lb > 120)
        return 99;
    int row[128];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int prev = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int cur = row[j];
            int sub = prev + (a[i - 1] != b[j - 1]);
            int del = row[j] + 1, ins = row[j - 1] + 1;
            row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
            prev = cur;
        }
    }
    return row[lb];
}

/* The known key closest to a mistyped one, if it is close (a typo). */
static const char *closest_key(const AtParams *p, const char *path)
{
    const char *best = NULL;
    int best_d = 3;
    for (size_t i = 0; i < p->n; i++) {
        const char *k = p->defs[i].key;
        if (!k || p->defs[i].type == AT_PARAM_ACTION)
            continue;
        int d = distance(path, k);
        if (d < best_d) {
            best_d = d;
            best = k;
        }
    }
    return best;
}

/* The parameter whose former key is path, with a warning that says the
 * new key; -1 if none. */
static int old_key(Loader *L, config_setting_t *s, const char *path)
{
    for (size_t i = 0; i < L->p->n; i++) {
        const AtParamDef *d = &L->p->defs[i];
        if (d->old_key && !strcmp(d->old_key, path)) {
            const char *file = config_setting_source_file(s);
            at_warn("%s:%u: key '%s' is the old name of '%s': it still works, but write '%s' "
                    "instead",
                    file ? file : L->file, config_setting_source_line(s), path, d->key, d->key);
            return (int)i;
        }
    }
    return -1;
}

static AtStatus load_group(Loader *L, config_setting_t *g, const char *prefix)
{
    int n = config_setting_length(g);
    for (int k = 0; k < n; k++) {
        config_setting_t *s = config_setting_get_elem(g, (unsigned)k);
        const char *name = config_setting_name(s);
        char path[512];
        if (!name)
            continue;
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", name);
        int i = at_params_find_key(L->p, path);
        AtStatus st;
        if (config_setting_type(s) == CONFIG_TYPE_GROUP) {
            if (i >= 0 || !is_prefix_group(L->p, path)) {
                char known[1024];
                known_here(L->p, prefix, known, sizeof known);
                return load_fail(L, s, path, "unknown %s; known here: %s",
                                 i >= 0 ? "group (expected a value)" : "group", known);
            }
            st = load_group(L, s, path);
        } else if (i < 0 && (i = old_key(L, s, path)) >= 0) {
            st = load_leaf(L, s, path, i);
            if (st == AT_OK)
                atp_set_origin(L->p, i, L->file, config_setting_source_line(s));
        } else if (i < 0 || L->p->defs[i].type == AT_PARAM_ACTION) {
            char known[1024];
            known_here(L->p, prefix, known, sizeof known);
            if (is_prefix_group(L->p, path))
                return load_fail(L, s, path, "must be a group { ... }; known here: %s", known);
            const char *near = closest_key(L->p, path);
            if (near)
                return load_fail(L, s, path, "unknown key (did you mean '%s'?); known here: %s",
                                 near, known);
            return load_fail(L, s, path, "unknown key; known here: %s", known);
        } else {
            st = load_leaf(L, s, path, i);
            if (st == AT_OK)
                atp_set_origin(L->p, i, L->file, config_setting_source_line(s));
        }
        if (st != AT_OK)
            return st;
    }
    return AT_OK;
}

static AtStatus load_config(AtParams *p, config_t *cfg, const char *name, char *err, size_t errlen)
{
    Loader L = {.p = p, .file = name, .err = err, .errlen = errlen};
    return load_group(&L, config_root_setting(cfg), "");
}

/* libconfig's syntax errors say "syntax error" and nothing more; name the
 * file and line and do not repeat the words. */
static void syntax_error(char *err, size_t errlen, const char *file, int line, const char *text)
{
    if (!text || !strcmp(text, "syntax error"))
        atp_put_err(err, errlen, "%s:%d: syntax error", file, line);
    else
        atp_put_err(err, errlen, "%s:%d: syntax error: %s", file, line, text);
}

/* Config files are small; more than this is not a config file. */
#define AT_CONFIG_MAX_BYTES (16 << 20)

AtStatus at_params_load_file(AtParams *p, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        atp_put_err(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return AT_ERR_USAGE;
    }
    /* A directory opens but cannot be read (libconfig would only say
     * "input in flex scanner failed"). */
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        atp_put_err(err, errlen, "%s: is a directory, not a config file", path);
        fclose(f);
        return AT_ERR_USAGE;
    }
    /* Read it whole (a pipe too), so the text can be checked before
     * libconfig parses it. */
    size_t len = 0;
    char *text = at_file_read_stream(f, AT_CONFIG_MAX_BYTES, &len);
    AtStatus st = AT_ERR_USAGE;
    if (!text && errno == ENOMEM)
        atp_put_err(err, errlen, "%s: out of memory", path);
    else if (!text && errno == EFBIG)
        atp_put_err(err, errlen, "%s: larger than %d MiB: not a config file", path,
                    AT_CONFIG_MAX_BYTES >> 20);
    else if (!text)
        atp_put_err(err, errlen, "%s: cannot read: %s", path, strerror(errno));
    else if (memchr(text, 0, len))
        atp_put_err(err, errlen, "%s: holds a NUL byte: not a config file (text)", path);
    else {
        text[len] = 0;
        st = at_params_load_string(p, text, path, err, errlen);
    }
    fclose(f);
    free(text);
    return st;
}

AtStatus at_params_load_string(AtParams *p, const char *text, const char *name, char *err,
                               size_t errlen)
{
    config_t cfg;
    config_init(&cfg);
    AtStatus st = AT_OK;
    /* a UTF-8 byte-order mark is skipped, as in a file */
    if (!strncmp(text, "\xEF\xBB\xBF", 3))
        text += 3;
    if (!config_read_string(&cfg, text)) {
        syntax_error(err, errlen, config_error_file(&cfg) ? config_error_file(&cfg) : name,
                     config_error_line(&cfg), config_error_text(&cfg));
        st = AT_ERR_USAGE;
    } else {
        st = load_config(p, &cfg, name, err, errlen);
    }
    config_destroy(&cfg);
    return st;
}
