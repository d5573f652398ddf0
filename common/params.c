/* params.c - the parameter registry: values, validation, libconfig files. */
#include "params.h"
#include "fileio.h"

#include "log.h"
#include "rand.h"

#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct AtParams {
    char *tool;
    AtParamDef *defs;
    AtParamValue *vals;
    char **origin; /* the file each value was loaded from (NULL: not from a file) */
    int *line;     /* and its line there */
    size_t n;
};

static const AtParamDef common_defs[] = {
    AT_INT("osc.port", 0, 65535, 0, "UDP port for OSC control; 0 turns OSC off"),
    AT_STRING("osc.bind", "127.0.0.1",
              "address the OSC port listens on; \"0.0.0.0\" opens it to the network"),
    AT_STRLIST("osc.allow", "", "addresses allowed to change parameters (empty: loopback only)"),
};

const AtParamDef *at_params_common_defs(size_t *n)
{
    *n = sizeof common_defs / sizeof common_defs[0];
    return common_defs;
}

static char *xstrdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void free_list(AtParamValue *v)
{
    for (int k = 0; v->list && k < v->count; k++)
        free(v->list[k]);
    free(v->list);
    v->list = NULL;
    v->count = 0;
}

static void value_free(AtParamValue *v)
{
    free(v->s);
    v->s = NULL;
    free_list(v);
}

/* Split a comma-separated default into trimmed items (max AT_PARAM_MAX_LIST). */
static int split_csv(const char *s, char items[][128], int max)
{
    int n = 0;
    while (s && *s && n < max) {
        while (*s == ' ' || *s == ',')
            s++;
        if (!*s)
            break;
        size_t len = strcspn(s, ",");
        size_t l = len;
        while (l > 0 && s[l - 1] == ' ')
            l--;
        if (l >= 128)
            l = 127;
        memcpy(items[n], s, l);
        items[n][l] = 0;
        n++;
        s += len;
    }
    return n;
}

static void set_default(AtParams *p, int i)
{
    const AtParamDef *d = &p->defs[i];
    AtParamValue *v = &p->vals[i];
    value_free(v);
    memset(v, 0, sizeof *v);
    char items[AT_PARAM_MAX_LIST][128];
    switch (d->type) {
    case AT_PARAM_INT:
    case AT_PARAM_BOOL:
    case AT_PARAM_ENUM:
        v->i = (int)d->def;
        v->f = d->def;
        break;
    case AT_PARAM_FLOAT:
    case AT_PARAM_DURATION:
        v->f = d->def;
        break;
    case AT_PARAM_STRING:
        v->s = xstrdup(d->def_str ? d->def_str : "");
        break;
    case AT_PARAM_STRLIST: {
        int n = split_csv(d->def_str, items, AT_PARAM_MAX_LIST);
        const char *ptrs[AT_PARAM_MAX_LIST];
        for (int k = 0; k < n; k++)
            ptrs[k] = items[k];
        at_params_set_strlist(p, i, ptrs, n, NULL, 0);
        break;
    }
    case AT_PARAM_INTLIST: {
        int n = split_csv(d->def_str, items, AT_PARAM_MAX_LIST);
        for (int k = 0; k < n; k++)
            v->ilist[k] = atoi(items[k]);
        v->count = n;
        break;
    }
    case AT_PARAM_ACTION:
        break;
    }
}

AtParams *at_params_new(const char *tool, const AtParamDef *defs, size_t n)
{
    size_t nc;
    const AtParamDef *cd = at_params_common_defs(&nc);
    AtParams *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->n = n + nc;
    p->tool = xstrdup(tool);
    p->defs = calloc(p->n, sizeof *p->defs);
    p->vals = calloc(p->n, sizeof *p->vals);
    p->origin = calloc(p->n, sizeof *p->origin);
    p->line = calloc(p->n, sizeof *p->line);
    if (!p->tool || !p->defs || !p->vals || !p->origin || !p->line) {
        at_params_free(p);
        return NULL;
    }
    if (n)
        memcpy(p->defs, defs, n * sizeof *defs);
    memcpy(p->defs + n, cd, nc * sizeof *cd);
    for (size_t i = 0; i < p->n; i++)
        set_default(p, (int)i);
    return p;
}

void at_params_free(AtParams *p)
{
    if (!p)
        return;
    for (size_t i = 0; p->vals && i < p->n; i++)
        value_free(&p->vals[i]);
    for (size_t i = 0; p->origin && i < p->n; i++)
        free(p->origin[i]);
    free(p->origin);
    free(p->line);
    free(p->vals);
    free(p->defs);
    free(p->tool);
    free(p);
}

/* Where the value of parameter i came from: file and line, or none. */
static void set_origin(AtParams *p, int i, const char *file, int line)
{
    free(p->origin[i]);
    p->origin[i] = file ? xstrdup(file) : NULL;
    p->line[i] = file ? line : 0;
}

bool at_params_origin(const AtParams *p, int i, const char **file, int *line)
{
    if (i < 0 || (size_t)i >= p->n || !p->origin[i])
        return false;
    *file = p->origin[i];
    *line = p->line[i];
    return true;
}

void at_params_where(const AtParams *p, const char *key, char *out, size_t outlen)
{
    const char *file;
    int line;
    if (at_params_origin(p, at_params_find_key(p, key), &file, &line))
        snprintf(out, outlen, "%s:%d: key '%s'", file, line, key);
    else
        snprintf(out, outlen, "key '%s'", key);
}

size_t at_params_count(const AtParams *p)
{
    return p->n;
}

const AtParamDef *at_params_def(const AtParams *p, int i)
{
    return (i >= 0 && (size_t)i < p->n) ? &p->defs[i] : NULL;
}

const char *at_params_tool(const AtParams *p)
{
    return p->tool;
}

int at_params_find_key(const AtParams *p, const char *key)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->defs[i].key && strcmp(p->defs[i].key, key) == 0)
            return (int)i;
    return -1;
}

int at_params_find_osc(const AtParams *p, const char *osc)
{
    while (*osc == '/')
        osc++;
    for (size_t i = 0; i < p->n; i++)
        if (p->defs[i].osc && strcmp(p->defs[i].osc, osc) == 0)
            return (int)i;
    return -1;
}

const AtParamValue *at_params_get(const AtParams *p, int i)
{
    return &p->vals[i];
}

static int must_find(const AtParams *p, const char *key)
{
    int i = at_params_find_key(p, key);
    if (i < 0) {
        fprintf(stderr, "aiotone: internal error: no parameter '%s' in %s\n", key, p->tool);
        abort();
    }
    return i;
}

int at_params_int(const AtParams *p, const char *key)
{
    return p->vals[must_find(p, key)].i;
}

double at_params_float(const AtParams *p, const char *key)
{
    return p->vals[must_find(p, key)].f;
}

bool at_params_bool(const AtParams *p, const char *key)
{
    return p->vals[must_find(p, key)].i != 0;
}

const char *at_params_str(const AtParams *p, const char *key)
{
    int i = must_find(p, key);
    if (p->defs[i].type == AT_PARAM_ENUM)
        return p->defs[i].choices[p->vals[i].i];
    return p->vals[i].s ? p->vals[i].s : "";
}

const AtParamValue *at_params_value(const AtParams *p, const char *key)
{
    return &p->vals[must_find(p, key)];
}

int at_params_int_at(const AtParams *p, int i)
{
    return p->vals[i].i;
}

double at_params_float_at(const AtParams *p, int i)
{
    return p->vals[i].f;
}

bool at_params_bool_at(const AtParams *p, int i)
{
    return p->vals[i].i != 0;
}

const char *at_params_str_at(const AtParams *p, int i)
{
    if (p->defs[i].type == AT_PARAM_ENUM)
        return p->defs[i].choices[p->vals[i].i];
    return p->vals[i].s ? p->vals[i].s : "";
}

const char *at_params_key(const AtParams *p, int i)
{
    return p->defs[i].key;
}

int32_t at_params_random_seed(void)
{
    return (int32_t)(1 + at_rand_entropy_seed() % 2147483646u);
}

/* The size a field of kind must have. */
static size_t field_size(AtFieldKind kind)
{
    switch (kind) {
    case AT_FIELD_INT:
        return sizeof(int);
    case AT_FIELD_BOOL:
        return sizeof(bool);
    case AT_FIELD_DOUBLE:
        return sizeof(double);
    case AT_FIELD_CHANNEL:
        return sizeof(uint8_t);
    case AT_FIELD_SEED:
        return sizeof(uint64_t);
    default:
        return 0;
    }
}

bool at_params_apply(const AtParamDef *def, void *cfg, int32_t i, double f)
{
    char *at = (char *)cfg + def->field.offset;
    switch (def->field.kind) {
    case AT_FIELD_INT: {
        int v = i;
        memcpy(at, &v, sizeof v);
        return true;
    }
    case AT_FIELD_BOOL: {
        bool v = i != 0;
        memcpy(at, &v, sizeof v);
        return true;
    }
    case AT_FIELD_DOUBLE:
        memcpy(at, &f, sizeof f);
        return true;
    case AT_FIELD_CHANNEL: {
        uint8_t v = (uint8_t)(i - 1);
        memcpy(at, &v, sizeof v);
        return true;
    }
    case AT_FIELD_SEED: {
        uint64_t v = (uint64_t)i;
        memcpy(at, &v, sizeof v);
        return true;
    }
    default:
        return false;
    }
}

void at_params_fill(const AtParams *p, void *cfg)
{
    for (size_t k = 0; k < p->n; k++) {
        const AtParamDef *d = &p->defs[k];
        if (d->field.kind == AT_FIELD_NONE)
            continue;
        if (d->field.size != field_size(d->field.kind)) {
            fprintf(stderr,
                    "aiotone: internal error: %s: key '%s' is bound to a field of %d bytes\n",
                    p->tool, d->key, (int)d->field.size);
            abort();
        }
        int32_t i = p->vals[k].i;
        if (d->field.kind == AT_FIELD_SEED) {
            if (i <= 0)
                i = at_params_random_seed();
            at_info("seed %d%s%s%s", (int)i, p->vals[k].i > 0 ? "" : " (random; set ",
                    p->vals[k].i > 0 ? "" : d->key, p->vals[k].i > 0 ? "" : " to replay)");
        }
        at_params_apply(d, cfg, i, p->vals[k].f);
    }
}

static void put_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int n_choices(const AtParamDef *d)
{
    int n = 0;
    while (n < AT_PARAM_MAX_CHOICES && d->choices[n])
        n++;
    return n;
}

/* "must be ..." text for a parameter, for error messages and docs. */
static void allowed_text(const AtParamDef *d, char *out, size_t outlen)
{
    switch (d->type) {
    case AT_PARAM_INT:
        snprintf(out, outlen, "a whole number %.0f..%.0f", d->min, d->max);
        break;
    case AT_PARAM_FLOAT:
        snprintf(out, outlen, "a number %g..%g", d->min, d->max);
        break;
    case AT_PARAM_DURATION:
        snprintf(out, outlen, "a duration %gs..%gs (\"30s\", \"200ms\", \"500us\" or seconds)",
                 d->min, d->max);
        break;
    case AT_PARAM_BOOL:
        snprintf(out, outlen, "true or false");
        break;
    case AT_PARAM_ENUM: {
        size_t len = (size_t)snprintf(out, outlen, "one of");
        for (int k = 0; k < n_choices(d) && len < outlen; k++)
            len +=
                (size_t)snprintf(out + len, outlen - len, "%s \"%s\"", k ? "," : "", d->choices[k]);
        break;
    }
    case AT_PARAM_STRING:
        snprintf(out, outlen, "a string");
        break;
    case AT_PARAM_STRLIST:
        snprintf(out, outlen, "a list of strings [\"a\", \"b\"]");
        break;
    case AT_PARAM_INTLIST:
        snprintf(out, outlen, "a list of whole numbers %.0f..%.0f, e.g. [1, 2]", d->min, d->max);
        break;
    case AT_PARAM_ACTION:
        snprintf(out, outlen, "no value (an action)");
        break;
    }
}

/* "must be ..." into err; returns false (a refused value). */
static bool must_be(const AtParamDef *d, char *err, size_t errlen)
{
    char a[256];
    allowed_text(d, a, sizeof a);
    put_err(err, errlen, "must be %s", a);
    return false;
}

static bool check_range(const AtParamDef *d, double v, char *err, size_t errlen)
{
    if (isnan(v) || v < d->min || v > d->max)
        return must_be(d, err, errlen);
    return true;
}

bool at_params_set_number(AtParams *p, int i, double v, char *err, size_t errlen)
{
    const AtParamDef *d = &p->defs[i];
    AtParamValue *val = &p->vals[i];
    char a[256];
    switch (d->type) {
    case AT_PARAM_INT:
        /* round(NAN) is NAN, which check_range refuses */
        if (!check_range(d, round(v), err, errlen))
            return false;
        val->i = (int)lround(v);
        val->f = val->i;
        return true;
    case AT_PARAM_FLOAT:
    case AT_PARAM_DURATION:
        if (!check_range(d, v, err, errlen))
            return false;
        val->f = v;
        return true;
    case AT_PARAM_BOOL:
        if (isnan(v)) {
            put_err(err, errlen, "must be true or false");
            return false;
        }
        val->i = v != 0.0;
        return true;
    case AT_PARAM_ENUM:
        if (isnan(v) || v < 0 || (int)lround(v) >= n_choices(d)) {
            allowed_text(d, a, sizeof a);
            put_err(err, errlen, "must be %s (or its index 0..%d)", a, n_choices(d) - 1);
            return false;
        }
        val->i = (int)lround(v);
        return true;
    default:
        return must_be(d, err, errlen);
    }
}

static bool parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno)
        return false;
    while (isspace((unsigned char)*end))
        end++;
    if (*end)
        return false;
    *out = v;
    return true;
}

bool at_parse_duration(const char *s, double *seconds)
{
    char *end;
    errno = 0;
    while (isspace((unsigned char)*s))
        s++;
    double v = strtod(s, &end);
    if (end == s || errno || isnan(v) || isinf(v) || v < 0)
        return false;
    while (isspace((unsigned char)*end))
        end++;
    double scale = 1.0;
    if (*end == 0 || strcmp(end, "s") == 0)
        scale = 1.0;
    else if (strcmp(end, "ms") == 0)
        scale = 1e-3;
    else if (strcmp(end, "us") == 0)
        scale = 1e-6;
    else if (strcmp(end, "min") == 0)
        scale = 60.0;
    else
        return false;
    *seconds = v * scale;
    return true;
}

bool at_params_set_string(AtParams *p, int i, const char *s, char *err, size_t errlen)
{
    const AtParamDef *d = &p->defs[i];
    AtParamValue *val = &p->vals[i];
    double num;
    switch (d->type) {
    case AT_PARAM_ENUM:
        for (int k = 0; k < n_choices(d); k++) {
            if (strcasecmp(s, d->choices[k]) == 0) {
                val->i = k;
                return true;
            }
        }
        return must_be(d, err, errlen);
    case AT_PARAM_STRING: {
        char *c = xstrdup(s);
        if (!c) {
            put_err(err, errlen, "out of memory");
            return false;
        }
        free(val->s);
        val->s = c;
        return true;
    }
    case AT_PARAM_DURATION:
        if (!at_parse_duration(s, &num))
            return must_be(d, err, errlen);
        return at_params_set_number(p, i, num, err, errlen);
    case AT_PARAM_BOOL:
        if (!strcasecmp(s, "true") || !strcasecmp(s, "on") || !strcmp(s, "1"))
            return at_params_set_number(p, i, 1, err, errlen);
        if (!strcasecmp(s, "false") || !strcasecmp(s, "off") || !strcmp(s, "0"))
            return at_params_set_number(p, i, 0, err, errlen);
        put_err(err, errlen, "must be true or false");
        return false;
    case AT_PARAM_INT:
    case AT_PARAM_FLOAT:
        if (!parse_double(s, &num))
            return must_be(d, err, errlen);
        return at_params_set_number(p, i, num, err, errlen);
    case AT_PARAM_STRLIST:
        return at_params_set_strlist(p, i, &s, 1, err, errlen);
    default:
        return must_be(d, err, errlen);
    }
}

bool at_params_set_strlist(AtParams *p, int i, const char *const *items, int n, char *err,
                           size_t errlen)
{
    AtParamValue *val = &p->vals[i];
    if (n > AT_PARAM_MAX_LIST) {
        put_err(err, errlen, "at most %d items", AT_PARAM_MAX_LIST);
        return false;
    }
    char **list = calloc((size_t)(n > 0 ? n : 1), sizeof *list);
    if (!list) {
        put_err(err, errlen, "out of memory");
        return false;
    }
    for (int k = 0; k < n; k++) {
        list[k] = xstrdup(items[k]);
        if (!list[k]) {
            for (int j = 0; j < k; j++)
                free(list[j]);
            free(list);
            put_err(err, errlen, "out of memory");
            return false;
        }
    }
    free_list(val);
    val->list = list;
    val->count = n;
    return true;
}

bool at_params_set_intlist(AtParams *p, int i, const int *items, int n, char *err, size_t errlen)
{
    const AtParamDef *d = &p->defs[i];
    if (n > AT_PARAM_MAX_LIST) {
        put_err(err, errlen, "at most %d items", AT_PARAM_MAX_LIST);
        return false;
    }
    for (int k = 0; k < n; k++)
        if (!check_range(d, items[k], err, errlen))
            return false;
    for (int k = 0; k < n; k++)
        p->vals[i].ilist[k] = items[k];
    p->vals[i].count = n;
    return true;
}

void at_params_store(AtParams *p, int i, const AtParamValue *v)
{
    const AtParamDef *d = &p->defs[i];
    switch (d->type) {
    case AT_PARAM_STRING:
        at_params_set_string(p, i, v->s ? v->s : "", NULL, 0);
        break;
    case AT_PARAM_STRLIST:
        at_params_set_strlist(p, i, (const char *const *)v->list, v->count, NULL, 0);
        break;
    default:
        p->vals[i].i = v->i;
        p->vals[i].f = v->f;
        memcpy(p->vals[i].ilist, v->ilist, sizeof v->ilist);
        p->vals[i].count = v->count;
        break;
    }
}

static void format_double(double v, char *out, size_t outlen)
{
    snprintf(out, outlen, "%.9g", v);
    if (!strpbrk(out, ".eEn"))
        strncat(out, ".0", outlen - strlen(out) - 1);
}

/* Write s as a libconfig string literal. */
static void quote(const char *s, char *out, size_t outlen)
{
    size_t o = 0;
    if (outlen < 3)
        return;
    out[o++] = '"';
    for (; s && *s && o + 5 < outlen; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c < 0x20) {
            o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o++] = '"';
    out[o] = 0;
}

void at_params_format(const AtParams *p, int i, char *out, size_t outlen)
{
    const AtParamDef *d = &p->defs[i];
    const AtParamValue *v = &p->vals[i];
    size_t len;
    char item[512];
    switch (d->type) {
    case AT_PARAM_INT:
        snprintf(out, outlen, "%d", v->i);
        break;
    case AT_PARAM_FLOAT:
        format_double(v->f, out, outlen);
        break;
    case AT_PARAM_DURATION:
        snprintf(out, outlen, "\"%.9gs\"", v->f);
        break;
    case AT_PARAM_BOOL:
        snprintf(out, outlen, "%s", v->i ? "true" : "false");
        break;
    case AT_PARAM_ENUM:
        quote(d->choices[v->i], out, outlen);
        break;
    case AT_PARAM_STRING:
        quote(v->s, out, outlen);
        break;
    case AT_PARAM_STRLIST:
        len = (size_t)snprintf(out, outlen, "[");
        for (int k = 0; k < v->count && len < outlen; k++) {
            quote(v->list[k], item, sizeof item);
            len += (size_t)snprintf(out + len, outlen - len, "%s%s", k ? ", " : " ", item);
        }
        if (len < outlen)
            snprintf(out + len, outlen - len, "%s]", v->count ? " " : "");
        break;
    case AT_PARAM_INTLIST:
        len = (size_t)snprintf(out, outlen, "[");
        for (int k = 0; k < v->count && len < outlen; k++)
            len += (size_t)snprintf(out + len, outlen - len, "%s%d", k ? ", " : "", v->ilist[k]);
        if (len < outlen)
            snprintf(out + len, outlen - len, "]");
        break;
    case AT_PARAM_ACTION:
        snprintf(out, outlen, "-");
        break;
    }
}

/* ---- loading ---- */

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
static int key_segment(const char *k, const char *group, size_t gl, char name[64],
                       const char **rest)
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
static bool add_name(char (*seen)[64], int *n, int max, const char *name)
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
        if (key_segment(k, group, l, name, &rest) < 0 || !add_name(seen, &n_seen, 64, name))
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
        quote(config_setting_get_string(s), out, outlen);
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
    put_err(L->err, L->errlen, "%s:%u: key '%s': %s", file ? file : L->file,
            config_setting_source_line(s), path, msg);
    return AT_ERR_USAGE;
}

/* The value at s is not of a kind d takes: say what it takes. */
static AtStatus load_disallowed(Loader *L, config_setting_t *s, const char *path,
                                const AtParamDef *d)
{
    char allowed[512], val[256];
    setting_text(s, val, sizeof val);
    allowed_text(d, allowed, sizeof allowed);
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
            allowed_text(d, why, sizeof why);
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
                set_origin(L->p, i, L->file, config_setting_source_line(s));
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
                set_origin(L->p, i, L->file, config_setting_source_line(s));
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
        put_err(err, errlen, "%s:%d: syntax error", file, line);
    else
        put_err(err, errlen, "%s:%d: syntax error: %s", file, line, text);
}

/* Config files are small; more than this is not a config file. */
#define AT_CONFIG_MAX_BYTES (16 << 20)

AtStatus at_params_load_file(AtParams *p, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        put_err(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return AT_ERR_USAGE;
    }
    /* A directory opens but cannot be read (libconfig would only say
     * "input in flex scanner failed"). */
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        put_err(err, errlen, "%s: is a directory, not a config file", path);
        fclose(f);
        return AT_ERR_USAGE;
    }
    /* Read it whole (a pipe too), so the text can be checked before
     * libconfig parses it. */
    size_t len = 0;
    char *text = at_file_read_stream(f, AT_CONFIG_MAX_BYTES, &len);
    AtStatus st = AT_ERR_USAGE;
    if (!text && errno == ENOMEM)
        put_err(err, errlen, "%s: out of memory", path);
    else if (!text && errno == EFBIG)
        put_err(err, errlen, "%s: larger than %d MiB: not a config file", path,
                AT_CONFIG_MAX_BYTES >> 20);
    else if (!text)
        put_err(err, errlen, "%s: cannot read: %s", path, strerror(errno));
    else if (memchr(text, 0, len))
        put_err(err, errlen, "%s: holds a NUL byte: not a config file (text)", path);
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

/* ---- writing ---- */

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
        int nl = key_segment(k, prefix, l, name, &rest);
        if (nl < 0 || nl >= (int)sizeof name || !add_name(done, &n_done, 128, name))
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
            allowed_text(d, a, sizeof a);
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
        put_err(err, errlen, "%s: cannot save: %s", path, strerror(errno));
        return AT_ERR_RUNTIME;
    }
    return AT_OK;
}

/* ---------------- snapshots ---------------- */

void at_params_value_copy(AtParamValue *dst, const AtParamValue *src)
{
    *dst = *src;
    dst->s = src->s ? strdup(src->s) : NULL;
    dst->list = NULL;
    if (src->list && src->count) {
        dst->list = calloc((size_t)src->count, sizeof *dst->list);
        for (int k = 0; dst->list && k < src->count; k++)
            dst->list[k] = strdup(src->list[k]);
    }
}

void at_params_value_free(AtParamValue *v)
{
    free(v->s);
    for (int k = 0; v->list && k < v->count; k++)
        free(v->list[k]);
    free(v->list);
}

#define SNAPSHOT_TEXT 512

struct AtParamsSnapshot {
    size_t n;
    AtParamValue *values;
    char *text; /* n * SNAPSHOT_TEXT: each value as at_params_format writes it */
};

AtParamsSnapshot *at_params_snapshot(const AtParams *p)
{
    size_t n = at_params_count(p);
    AtParamsSnapshot *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->n = n;
    s->values = calloc(n ? n : 1, sizeof *s->values);
    s->text = calloc(n ? n : 1, SNAPSHOT_TEXT);
    if (!s->values || !s->text) {
        free(s->values);
        free(s->text);
        free(s);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        at_params_value_copy(&s->values[i], at_params_get(p, (int)i));
        at_params_format(p, (int)i, s->text + i * SNAPSHOT_TEXT, SNAPSHOT_TEXT);
    }
    return s;
}

void at_params_restore(AtParams *p, const AtParamsSnapshot *s, int i)
{
    if (i >= 0) {
        at_params_store(p, i, &s->values[i]);
        return;
    }
    for (size_t k = 0; k < s->n; k++)
        at_params_store(p, (int)k, &s->values[k]);
}

bool at_params_changed_since(const AtParams *p, const AtParamsSnapshot *s, int i)
{
    char now[SNAPSHOT_TEXT];
    at_params_format(p, i, now, sizeof now);
    return strcmp(now, s->text + (size_t)i * SNAPSHOT_TEXT) != 0;
}

void at_params_snapshot_free(AtParamsSnapshot *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        at_params_value_free(&s->values[i]);
    free(s->values);
    free(s->text);
    free(s);
}
