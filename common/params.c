/* params.c - the parameter registry: new/free, lookups, getters, origin, bind/apply/fill,
 * snapshots (checking and setting values: paramset.c; reading a config file: paramload.c;
 * writing one: paramwrite.c). */
#include "params.h"
#include "params_int.h"

#include "log.h"
#include "rand.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

char *atp_xstrdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

void atp_free_list(AtParamValue *v)
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
    atp_free_list(v);
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
        v->s = atp_xstrdup(d->def_str ? d->def_str : "");
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
    p->tool = atp_xstrdup(tool);
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

void atp_set_origin(AtParams *p, int i, const char *file, int line)
{
    free(p->origin[i]);
    p->origin[i] = file ? atp_xstrdup(file) : NULL;
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
