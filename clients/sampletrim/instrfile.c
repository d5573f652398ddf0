/* instrfile.c - SFZ and DecentSampler instruments pointed at trimmed
 * samples (see instrfile.h). */
#include "instrfile.h"
#include "strbuf.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One name=value (SFZ opcode or XML attribute) of the current header. */
typedef struct {
    size_t name, name_len; /* offsets into the text */
    size_t val, val_end;
} Span;

/* One piece of the text replaced in the output. */
typedef struct {
    size_t start, end;
    char *with;
} Repl;

typedef struct {
    const char *text;
    size_t len;
    StrimInstrKind kind;
    StrimSampleLookup lookup;
    void *user;
    Span *spans;
    size_t nspans, spans_cap;
    Repl *repl;
    size_t nrepl, repl_cap;
    char *default_path; /* SFZ <control> default_path, "" when none */
    size_t samples, clamped;
    char *detail;
    size_t dlen;
} Rewriter;

bool strim_instr_kind(const char *name, StrimInstrKind *kind)
{
    const char *dot = strrchr(name, '.');
    if (!dot || strchr(dot, '/'))
        return false;
    if (!strcasecmp(dot, ".sfz"))
        *kind = STRIM_INSTR_SFZ;
    else if (!strcasecmp(dot, ".dspreset"))
        *kind = STRIM_INSTR_DSPRESET;
    else
        return false;
    return true;
}

static bool name_is(const Rewriter *w, const Span *s, const char *name)
{
    size_t n = strlen(name);
    return s->name_len == n && !memcmp(w->text + s->name, name, n);
}

static StrimStatus add_span(Rewriter *w, Span s)
{
    if (w->nspans == w->spans_cap) {
        size_t cap = w->spans_cap ? w->spans_cap * 2 : 16;
        Span *p = realloc(w->spans, cap * sizeof *p);
        if (!p)
            return STRIM_ERR_NOMEM;
        w->spans = p;
        w->spans_cap = cap;
    }
    w->spans[w->nspans++] = s;
    return STRIM_OK;
}

/* Replace the value of span s by with (taken over; freed on failure). */
static StrimStatus add_repl(Rewriter *w, const Span *s, char *with)
{
    if (!with)
        return STRIM_ERR_NOMEM;
    if (w->nrepl == w->repl_cap) {
        size_t cap = w->repl_cap ? w->repl_cap * 2 : 16;
        Repl *p = realloc(w->repl, cap * sizeof *p);
        if (!p) {
            free(with);
            return STRIM_ERR_NOMEM;
        }
        w->repl = p;
        w->repl_cap = cap;
    }
    w->repl[w->nrepl++] = (Repl){s->val, s->val_end, with};
    return STRIM_OK;
}

/* The value of s as a string; XML entities decoded for a .dspreset. */
static char *value_of(const Rewriter *w, const Span *s)
{
    size_t n = s->val_end - s->val;
    char *v = malloc(n + 1);
    if (!v)
        return NULL;
    const char *p = w->text + s->val;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (w->kind == STRIM_INSTR_DSPRESET && p[i] == '&') {
            static const struct {
                const char *name;
                char c;
            } ents[] = {{"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}};
            bool done = false;
            for (size_t e = 0; e < sizeof ents / sizeof *ents && !done; e++) {
                size_t el = strlen(ents[e].name);
                if (i + 1 + el <= n && !memcmp(p + i + 1, ents[e].name, el)) {
                    v[k++] = ents[e].c;
                    i += el;
                    done = true;
                }
            }
            if (!done && i + 2 < n && p[i + 1] == '#') {
                char *end;
                bool hex = p[i + 2] == 'x' || p[i + 2] == 'X';
                unsigned long c = strtoul(p + i + (hex ? 3 : 2), &end, hex ? 16 : 10);
                if (end < p + n && *end == ';' && c > 0 && c < 128) {
                    v[k++] = (char)c;
                    i = (size_t)(end - p);
                    done = true;
                }
            }
            if (done)
                continue;
        }
        v[k++] = p[i];
    }
    v[k] = 0;
    return v;
}

/* s escaped for an XML attribute (dspreset) or as is (SFZ). */
static char *escaped(const Rewriter *w, const char *s)
{
    if (w->kind == STRIM_INSTR_SFZ)
        return strdup(s);
    size_t n = 1;
    for (const char *p = s; *p; p++)
        n += at_xml_entity(*p) ? 6 : 1;
    char *o = malloc(n), *q = o;
    if (!o)
        return NULL;
    for (const char *p = s; *p; p++) {
        const char *e = at_xml_entity(*p);
        if (e) {
            strcpy(q, e);
            q += strlen(e);
        } else {
            *q++ = *p;
        }
    }
    *q = 0;
    return o;
}

/* A frame position of the input file: moved to the trimmed file. */
static bool is_frame_key(const Rewriter *w, const Span *s)
{
    static const char *const sfz[] = {"offset",   "end",       "loop_start",
                                      "loop_end", "loopstart", "loopend"};
    static const char *const ds[] = {"start", "end", "loopStart", "loopEnd"};
    const char *const *keys = w->kind == STRIM_INSTR_SFZ ? sfz : ds;
    size_t n = w->kind == STRIM_INSTR_SFZ ? sizeof sfz / sizeof *sfz : sizeof ds / sizeof *ds;
    for (size_t i = 0; i < n; i++) {
        if (name_is(w, s, keys[i]))
            return true;
    }
    return false;
}

static StrimStatus map_frame(Rewriter *w, const Span *s, const StrimSampleMap *m)
{
    char buf[32];
    size_t n = s->val_end - s->val;
    if (n == 0 || n >= sizeof buf)
        return STRIM_OK;
    memcpy(buf, w->text + s->val, n);
    buf[n] = 0;
    char *end;
    errno = 0;
    long long v = strtoll(buf, &end, 10);
    if (*end || errno || v < 0) /* not a frame number (SFZ end=-1): left alone */
        return STRIM_OK;
    double x = floor((double)v * m->ratio + 0.5) - (double)m->trim_start;
    double last = m->frames ? (double)(m->frames - 1) : 0.0;
    if (x < 0.0 || x > last) {
        x = x < 0.0 ? 0.0 : last;
        w->clamped++;
    }
    char *with = malloc(24);
    if (with)
        snprintf(with, 24, "%.0f", x);
    return add_repl(w, s, with);
}

/* The header (SFZ <...> section or XML <sample .../>) whose name=value
 * pairs are in w->spans is complete: rewrite its sample and frames. */
static StrimStatus finish_header(Rewriter *w, bool control)
{
    StrimStatus st = STRIM_OK;
    const char *path_key = w->kind == STRIM_INSTR_SFZ ? "sample" : "path";
    const Span *sample = NULL;
    for (size_t i = 0; i < w->nspans; i++) {
        const Span *s = &w->spans[i];
        if (control && name_is(w, s, "default_path")) {
            /* New paths are relative to the new instrument: none needed. */
            char *v = value_of(w, s);
            if (!v)
                return STRIM_ERR_NOMEM;
            free(w->default_path);
            w->default_path = v;
            if ((st = add_repl(w, s, strdup(""))))
                return st;
        } else if (name_is(w, s, path_key)) {
            sample = s;
        }
    }
    if (!sample) {
        w->nspans = 0;
        return STRIM_OK;
    }
    char *v = value_of(w, sample);
    if (!v)
        return STRIM_ERR_NOMEM;
    if (w->kind == STRIM_INSTR_SFZ && v[0] == '*') { /* *sine, *noise: built in */
        free(v);
        w->nspans = 0;
        return STRIM_OK;
    }
    size_t dl = w->default_path ? strlen(w->default_path) : 0;
    char *full = malloc(dl + strlen(v) + 1);
    if (!full) {
        free(v);
        return STRIM_ERR_NOMEM;
    }
    snprintf(full, dl + strlen(v) + 1, "%s%s", dl ? w->default_path : "", v);
    free(v);
    for (char *p = full; w->kind == STRIM_INSTR_SFZ && *p; p++) {
        if (*p == '\\') /* SFZ paths may use Windows separators */
            *p = '/';
    }
    StrimSampleMap m;
    if (!w->lookup(w->user, full, &m)) {
        if (w->detail && w->dlen)
            snprintf(w->detail, w->dlen, "sample %s was not trimmed in this run", full);
        free(full);
        return STRIM_ERR_ARG;
    }
    w->samples++;
    /* m.path may be the string the lookup was given: used before freeing it. */
    for (size_t i = 0; i < w->nspans && st == STRIM_OK; i++) {
        const Span *s = &w->spans[i];
        if (s == sample)
            st = add_repl(w, s, escaped(w, m.path));
        else if (is_frame_key(w, s))
            st = map_frame(w, s, &m);
    }
    free(full);
    w->nspans = 0;
    return st;
}

static bool is_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '$';
}

/* Where an SFZ sample path ends: at the end of the line, a comment, a
 * header, or whitespace followed by the next opcode (paths may hold
 * spaces). Trailing blanks are not part of it. */
static size_t sfz_path_end(const char *t, size_t len, size_t i)
{
    size_t end = i;
    while (i < len && t[i] != '\n' && t[i] != '\r') {
        if (t[i] == '<' || (t[i] == '/' && i + 1 < len && t[i + 1] == '/'))
            break;
        if (t[i] == ' ' || t[i] == '\t') {
            size_t j = i;
            while (j < len && (t[j] == ' ' || t[j] == '\t'))
                j++;
            size_t k = j;
            while (k < len && is_name_char(t[k]))
                k++;
            if (k > j && k < len && t[k] == '=')
                break;
            i = j;
            continue;
        }
        end = ++i;
    }
    return end;
}

static StrimStatus parse_sfz(Rewriter *w)
{
    const char *t = w->text;
    size_t len = w->len, i = 0;
    bool control = false;
    StrimStatus st = STRIM_OK;
    while (i < len && st == STRIM_OK) {
        char c = t[i];
        if (c == '/' && i + 1 < len && t[i + 1] == '/') {
            while (i < len && t[i] != '\n')
                i++;
        } else if (c == '/' && i + 1 < len && t[i + 1] == '*') {
            const char *e = memmem(t + i + 2, len - i - 2, "*/", 2);
            i = e ? (size_t)(e - t) + 2 : len;
        } else if (c == '<') {
            st = finish_header(w, control);
            const char *e = memchr(t + i, '>', len - i);
            size_t end = e ? (size_t)(e - t) : len;
            control = end - i == 8 && !memcmp(t + i, "<control", 8);
            i = e ? end + 1 : len;
        } else if (is_name_char(c)) {
            size_t n0 = i;
            while (i < len && is_name_char(t[i]))
                i++;
            if (i >= len || t[i] != '=')
                continue;
            Span s = {n0, i - n0, i + 1, i + 1};
            i++;
            if ((s.name_len == 6 && !memcmp(t + n0, "sample", 6)) ||
                (s.name_len == 12 && !memcmp(t + n0, "default_path", 12))) {
                s.val_end = sfz_path_end(t, len, i);
            } else {
                while (i < len && !isspace((unsigned char)t[i]) && t[i] != '<')
                    i++;
                s.val_end = i;
            }
            i = s.val_end > i ? s.val_end : i;
            st = add_span(w, s);
        } else {
            i++;
        }
    }
    if (st == STRIM_OK)
        st = finish_header(w, control);
    return st;
}

static StrimStatus parse_dspreset(Rewriter *w)
{
    const char *t = w->text;
    size_t len = w->len, i = 0;
    StrimStatus st = STRIM_OK;
    while (i < len && st == STRIM_OK) {
        const char *lt = memchr(t + i, '<', len - i);
        if (!lt)
            break;
        i = (size_t)(lt - t);
        if (len - i >= 4 && !memcmp(t + i, "<!--", 4)) {
            const char *e = memmem(t + i + 4, len - i - 4, "-->", 3);
            i = e ? (size_t)(e - t) + 3 : len;
            continue;
        }
        bool sample = len - i > 7 && !memcmp(t + i, "<sample", 7) &&
                      (isspace((unsigned char)t[i + 7]) || t[i + 7] == '/' || t[i + 7] == '>');
        i++;
        if (!sample)
            continue;
        i += 6;
        /* Attributes up to the end of the tag. */
        while (i < len && t[i] != '>' && st == STRIM_OK) {
            if (!isalpha((unsigned char)t[i])) {
                i++;
                continue;
            }
            size_t n0 = i;
            while (i < len && (isalnum((unsigned char)t[i]) || strchr("_:-.", t[i])))
                i++;
            size_t n1 = i;
            while (i < len && isspace((unsigned char)t[i]))
                i++;
            if (i >= len || t[i] != '=')
                continue;
            i++;
            while (i < len && isspace((unsigned char)t[i]))
                i++;
            if (i >= len || (t[i] != '"' && t[i] != '\''))
                continue;
            const char *q = memchr(t + i + 1, t[i], len - i - 1);
            if (!q)
                break;
            st = add_span(w, (Span){n0, n1 - n0, i + 1, (size_t)(q - t)});
            i = (size_t)(q - t) + 1;
        }
        if (st == STRIM_OK)
            st = finish_header(w, false);
    }
    return st;
}

static int cmp_repl(const void *x, const void *y)
{
    const Repl *a = x, *b = y;
    return a->start < b->start ? -1 : a->start > b->start;
}

StrimStatus strim_instr_rewrite(const char *text, size_t len, StrimInstrKind kind,
                                StrimSampleLookup lookup, void *user, char **out, size_t *out_len,
                                size_t *samples, size_t *clamped, char *detail, size_t detail_len)
{
    Rewriter w = {.text = text,
                  .len = len,
                  .kind = kind,
                  .lookup = lookup,
                  .user = user,
                  .detail = detail,
                  .dlen = detail_len};
    *out = NULL;
    *out_len = 0;
    StrimStatus st = kind == STRIM_INSTR_SFZ ? parse_sfz(&w) : parse_dspreset(&w);
    if (st == STRIM_OK) {
        /* Spans never overlap; a header's default_path may come after
         * its sample, so put the pieces in text order. */
        if (w.nrepl > 1)
            qsort(w.repl, w.nrepl, sizeof *w.repl, cmp_repl);
        size_t n = len + 1;
        for (size_t i = 0; i < w.nrepl; i++)
            n += strlen(w.repl[i].with);
        char *o = malloc(n);
        if (!o) {
            st = STRIM_ERR_NOMEM;
        } else {
            size_t k = 0, at = 0;
            for (size_t i = 0; i < w.nrepl; i++) {
                memcpy(o + k, text + at, w.repl[i].start - at);
                k += w.repl[i].start - at;
                size_t wl = strlen(w.repl[i].with);
                memcpy(o + k, w.repl[i].with, wl);
                k += wl;
                at = w.repl[i].end;
            }
            memcpy(o + k, text + at, len - at);
            k += len - at;
            o[k] = 0;
            *out = o;
            *out_len = k;
            *samples = w.samples;
            *clamped = w.clamped;
        }
    }
    if (st == STRIM_ERR_NOMEM && detail && detail_len)
        snprintf(detail, detail_len, "out of memory");
    for (size_t i = 0; i < w.nrepl; i++)
        free(w.repl[i].with);
    free(w.repl);
    free(w.spans);
    free(w.default_path);
    return st;
}
