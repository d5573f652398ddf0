/* paramset.c - checking and setting parameter values, durations, the "must be ..."
 * text, and formatting a value as a config file writes it. */
#include "params.h"
#include "params_int.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void atp_put_err(char *err, size_t errlen, const char *fmt, ...)
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
void atp_allowed_text(const AtParamDef *d, char *out, size_t outlen)
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
    atp_allowed_text(d, a, sizeof a);
    atp_put_err(err, errlen, "must be %s", a);
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
            atp_put_err(err, errlen, "must be true or false");
            return false;
        }
        val->i = v != 0.0;
        return true;
    case AT_PARAM_ENUM:
        if (isnan(v) || v < 0 || (int)lround(v) >= n_choices(d)) {
            atp_allowed_text(d, a, sizeof a);
            atp_put_err(err, errlen, "must be %s (or its index 0..%d)", a, n_choices(d) - 1);
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
        char *c = atp_xstrdup(s);
        if (!c) {
            atp_put_err(err, errlen, "out of memory");
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
        atp_put_err(err, errlen, "must be true or false");
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
        atp_put_err(err, errlen, "at most %d items", AT_PARAM_MAX_LIST);
        return false;
    }
    char **list = calloc((size_t)(n > 0 ? n : 1), sizeof *list);
    if (!list) {
        atp_put_err(err, errlen, "out of memory");
        return false;
    }
    for (int k = 0; k < n; k++) {
        list[k] = atp_xstrdup(items[k]);
        if (!list[k]) {
            for (int j = 0; j < k; j++)
                free(list[j]);
            free(list);
            atp_put_err(err, errlen, "out of memory");
            return false;
        }
    }
    atp_free_list(val);
    val->list = list;
    val->count = n;
    return true;
}

bool at_params_set_intlist(AtParams *p, int i, const int *items, int n, char *err, size_t errlen)
{
    const AtParamDef *d = &p->defs[i];
    if (n > AT_PARAM_MAX_LIST) {
        atp_put_err(err, errlen, "at most %d items", AT_PARAM_MAX_LIST);
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
void atp_quote(const char *s, char *out, size_t outlen)
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
        atp_quote(d->choices[v->i], out, outlen);
        break;
    case AT_PARAM_STRING:
        atp_quote(v->s, out, outlen);
        break;
    case AT_PARAM_STRLIST:
        len = (size_t)snprintf(out, outlen, "[");
        for (int k = 0; k < v->count && len < outlen; k++) {
            atp_quote(v->list[k], item, sizeof item);
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
