/* sesswrite.c - writing a session file (sessconf.h): the whole text of a
 * session, whether two sessions say the same, the user's file edited in
 * place (only the sections that changed are rewritten), and the atomic
 * write to disk. */
#include "sessconf.h"
#include "fileio.h"
#include "sessfile.h"
#include "strbuf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The text is built in common/strbuf.h's buffer. */
typedef AtStrBuf Sb;
#define sb_printf at_strbuf_printf

/* A libconfig string literal: quotes, backslashes and control bytes are
 * escaped. */
static void sb_quoted(Sb *b, const char *s)
{
    sb_printf(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            sb_printf(b, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            sb_printf(b, "\\x%02x", *p);
        else
            sb_printf(b, "%c", *p);
    }
    sb_printf(b, "\"");
}

static void format_jack(Sb *b, const SsSession *s)
{
    sb_printf(b, "jack = {\n");
    if (s->server[0]) {
        sb_printf(b, "  server = ");
        sb_quoted(b, s->server);
        sb_printf(b, ";\n");
    }
    sb_printf(b, "  driver = \"%s\";\n", ss_driver_names[s->driver]);
    if (s->rate)
        sb_printf(b, "  rate = %d;\n", s->rate);
    if (s->period)
        sb_printf(b, "  period = %d;\n", s->period);
    sb_printf(b, "  midi-bridge = \"%s\";\n};\n", ss_bridge_names[s->bridge]);
}

static void format_clients(Sb *b, const SsSession *s)
{
    sb_printf(b, "clients = (\n");
    for (int i = 0; i < s->n_clients; i++) {
        const SsClientDef *c = &s->clients[i];
        sb_printf(b, "  { id = ");
        sb_quoted(b, c->id);
        sb_printf(b, "; command = ");
        sb_quoted(b, c->command);
        sb_printf(b, ";");
        if (c->n_args) {
            sb_printf(b, " args = [ ");
            for (int k = 0; k < c->n_args; k++) {
                sb_printf(b, "%s", k ? ", " : "");
                sb_quoted(b, c->args[k]);
            }
            sb_printf(b, " ];");
        }
        if (!c->nsm)
            sb_printf(b, " nsm = false;");
        if (c->job)
            sb_printf(b, " job = true;");
        if (c->host[0])
            sb_printf(b, " host = \"%s\";", c->host);
        sb_printf(b, " }%s\n", i + 1 < s->n_clients ? "," : "");
    }
    sb_printf(b, ");\n");
}

static void format_conns(Sb *b, const SsSession *s)
{
    sb_printf(b, "connections = (\n");
    for (int i = 0; i < s->n_conns; i++) {
        sb_printf(b, "  { from = ");
        sb_quoted(b, s->conns[i].from);
        sb_printf(b, "; to = ");
        sb_quoted(b, s->conns[i].to);
        sb_printf(b, "; }%s\n", i + 1 < s->n_conns ? "," : "");
    }
    sb_printf(b, ");\n");
}

static void format_hosts(Sb *b, const SsSession *s)
{
    char *t = ss_hosts_format(s->hosts, s->n_hosts);
    if (!t) {
        b->oom = true;
        return;
    }
    sb_printf(b, "%s", t);
    free(t);
}

static void format_jobs(Sb *b, const SsSession *s)
{
    sb_printf(b, "on-jobs-done = \"%s\";\n", ss_jobs_done_names[s->on_jobs_done]);
}

char *ss_session_format(const SsSession *s)
{
    Sb b = {0};
    sb_printf(&b, "# aiotone session (written by aiotone-session; see docs/sessions.md)\n");
    format_jack(&b, s);
    sb_printf(&b, "\n");
    if (s->n_hosts) {
        format_hosts(&b, s);
        sb_printf(&b, "\n");
    }
    format_clients(&b, s);
    sb_printf(&b, "\n");
    format_conns(&b, s);
    if (s->on_jobs_done != SS_JOBS_KEEP_RUNNING) {
        sb_printf(&b, "\n");
        format_jobs(&b, s);
    }
    if (b.oom) {
        free(b.buf);
        return NULL;
    }
    return b.buf;
}

/* ---------------- comparing and editing in place ---------------- */

static bool same_jack(const SsSession *a, const SsSession *b)
{
    return !strcmp(a->server, b->server) && a->driver == b->driver && a->rate == b->rate &&
           a->period == b->period && a->bridge == b->bridge;
}

static bool same_clients(const SsSession *a, const SsSession *b)
{
    if (a->n_clients != b->n_clients)
        return false;
    for (int i = 0; i < a->n_clients; i++) {
        const SsClientDef *x = &a->clients[i], *y = &b->clients[i];
        if (strcmp(x->id, y->id) || strcmp(x->command, y->command) || x->nsm != y->nsm ||
            x->job != y->job || x->n_args != y->n_args || strcmp(x->host, y->host))
            return false;
        for (int k = 0; k < x->n_args; k++)
            if (strcmp(x->args[k], y->args[k]))
                return false;
    }
    return true;
}

static bool same_conns(const SsSession *a, const SsSession *b)
{
    if (a->n_conns != b->n_conns)
        return false;
    for (int i = 0; i < a->n_conns; i++)
        if (strcmp(a->conns[i].from, b->conns[i].from) || strcmp(a->conns[i].to, b->conns[i].to))
            return false;
    return true;
}

bool ss_session_same(const SsSession *a, const SsSession *b)
{
    return same_jack(a, b) && same_clients(a, b) && same_conns(a, b) &&
           a->on_jobs_done == b->on_jobs_done &&
           ss_hosts_same(a->hosts, a->n_hosts, b->hosts, b->n_hosts);
}

/* Skip blanks and comments (#, //, slash-star) from i. */
static size_t skip_blank(const char *t, size_t i)
{
    for (;;) {
        if (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r' || t[i] == '\f' ||
            t[i] == '\v') {
            i++;
        } else if (t[i] == '#' || (t[i] == '/' && t[i + 1] == '/')) {
            while (t[i] && t[i] != '\n')
                i++;
        } else if (t[i] == '/' && t[i + 1] == '*') {
            i += 2;
            while (t[i] && !(t[i] == '*' && t[i + 1] == '/'))
                i++;
            if (t[i])
                i += 2;
        } else {
            return i;
        }
    }
}

static size_t skip_string(const char *t, size_t i)
{
    for (i++; t[i] && t[i] != '"'; i++)
        if (t[i] == '\\' && t[i + 1])
            i++;
    return t[i] ? i + 1 : i;
}

static bool starts_comment(const char *t, size_t i)
{
    return t[i] == '#' || (t[i] == '/' && (t[i + 1] == '/' || t[i + 1] == '*'));
}

/* The end of the value that starts at i. */
static size_t skip_value(const char *t, size_t i)
{
    if (t[i] == '{' || t[i] == '(' || t[i] == '[') {
        int depth = 0;
        while (t[i]) {
            if (t[i] == '"') {
                i = skip_string(t, i);
                continue;
            }
            if (starts_comment(t, i)) {
                i = skip_blank(t, i);
                continue;
            }
            if (t[i] == '{' || t[i] == '(' || t[i] == '[')
                depth++;
            else if ((t[i] == '}' || t[i] == ')' || t[i] == ']') && --depth == 0)
                return i + 1;
            i++;
        }
        return i;
    }
    if (t[i] == '"') {
        i = skip_string(t, i);
        for (;;) { /* "adjacent" "strings" are one */
            size_t j = skip_blank(t, i);
            if (t[j] != '"')
                return i;
            i = skip_string(t, j);
        }
    }
    while (t[i] && t[i] != ';' && t[i] != ',' && t[i] != '\n' && !starts_comment(t, i))
        i++;
    return i;
}

typedef struct {
    char name[32];
    size_t start, end; /* [start, end): name = value; */
} Span;

/* Find the top-level settings of a libconfig text; false when the text
 * holds something this small scanner does not follow (@include). */
static bool scan_top(const char *t, Span *out, int max, int *n)
{
    *n = 0;
    size_t i = 0;
    for (;;) {
        i = skip_blank(t, i);
        if (!t[i])
            return true;
        size_t start = i;
        while (t[i] && (isalnum((unsigned char)t[i]) || t[i] == '-' || t[i] == '_' || t[i] == '*'))
            i++;
        if (i == start || i - start >= sizeof out[0].name || *n == max)
            return false;
        size_t name_end = i;
        i = skip_blank(t, i);
        if (t[i] != '=' && t[i] != ':')
            return false;
        i = skip_value(t, skip_blank(t, i + 1));
        size_t k = i;
        while (t[k] == ' ' || t[k] == '\t')
            k++;
        if (t[k] == ';' || t[k] == ',')
            i = k + 1;
        Span *sp = &out[(*n)++];
        memcpy(sp->name, t + start, name_end - start);
        sp->name[name_end - start] = 0;
        sp->start = start;
        sp->end = i;
    }
}

/* Append section which of s without its trailing newline. */
static void put_section(Sb *b, const SsSession *s, int which)
{
    Sb one = {0};
    if (which == 0)
        format_jack(&one, s);
    else if (which == 1)
        format_clients(&one, s);
    else if (which == 2)
        format_conns(&one, s);
    else if (which == 3)
        format_jobs(&one, s);
    else
        format_hosts(&one, s);
    if (one.oom) {
        b->oom = true;
        return;
    }
    while (one.len && one.buf[one.len - 1] == '\n')
        one.len--;
    sb_printf(b, "%.*s", (int)one.len, one.buf);
    free(one.buf);
}

/* The leading comment block: blank lines and lines starting with # or //. */
static size_t leading_comments(const char *t)
{
    size_t i = 0, end = 0;
    while (t[i]) {
        size_t k = i;
        while (t[k] == ' ' || t[k] == '\t' || t[k] == '\r')
            k++;
        if (t[k] != '\n' && t[k] != '#' && !(t[k] == '/' && t[k + 1] == '/') && t[k])
            break;
        while (t[k] && t[k] != '\n')
            k++;
        i = end = t[k] ? k + 1 : k;
    }
    return end;
}

static char *whole_rewrite(const char *old_text, const SsSession *s)
{
    char *fresh = ss_session_format(s);
    if (!fresh)
        return NULL;
    size_t keep = leading_comments(old_text);
    if (!keep)
        return fresh;
    Sb b = {0};
    /* The user's comment block replaces our one-line header. */
    const char *body = strchr(fresh, '\n');
    sb_printf(&b, "%.*s%s", (int)keep, old_text, body ? body + 1 : fresh);
    free(fresh);
    if (b.oom) {
        free(b.buf);
        return NULL;
    }
    return b.buf;
}

char *ss_session_update_text(const char *old_text, const SsSession *old, const SsSession *s)
{
    if (ss_session_same(old, s))
        return strdup(old_text);
    static const char *const names[] = {"jack", "clients", "connections", "on-jobs-done", "hosts"};
    bool changed[5] = {!same_jack(old, s), !same_clients(old, s), !same_conns(old, s),
                       old->on_jobs_done != s->on_jobs_done,
                       !ss_hosts_same(old->hosts, old->n_hosts, s->hosts, s->n_hosts)};
    bool done[5] = {false, false, false, false, false};
    Span spans[64];
    int n = 0;
    if (!scan_top(old_text, spans, 64, &n))
        return whole_rewrite(old_text, s);
    Sb b = {0};
    size_t at = 0;
    for (int i = 0; i < n; i++) {
        int which = -1;
        for (int k = 0; k < 5; k++)
            if (!strcmp(spans[i].name, names[k]))
                which = k;
        if (which < 0 || !changed[which])
            continue;
        sb_printf(&b, "%.*s", (int)(spans[i].start - at), old_text + at);
        if (!done[which])
            put_section(&b, s, which);
        done[which] = true;
        at = spans[i].end;
    }
    sb_printf(&b, "%s", old_text + at);
    for (int k = 0; k < 5; k++) {
        if (!changed[k] || done[k])
            continue;
        if (b.len && b.buf[b.len - 1] != '\n')
            sb_printf(&b, "\n");
        put_section(&b, s, k);
        sb_printf(&b, "\n");
    }
    if (b.oom) {
        free(b.buf);
        return NULL;
    }
    /* Only an edit that reads back as s will do. */
    SsSession back;
    char err[256];
    bool ok = ss_session_parse(&back, b.buf, "edit", err, sizeof err) == AT_OK &&
              ss_session_same(&back, s);
    ss_session_free(&back);
    if (ok)
        return b.buf;
    free(b.buf);
    return whole_rewrite(old_text, s);
}

/* ---------------- writing the file ---------------- */

static AtStatus write_atomic(const char *text, const char *path, char *err, size_t errlen)
{
    return at_file_write_atomic(path, text, strlen(text), err, errlen);
}

AtStatus ss_session_write_text(const char *text, const char *path, char *err, size_t errlen)
{
    return write_atomic(text, path, err, errlen);
}

AtStatus ss_session_save(const SsSession *s, const char *path, char *err, size_t errlen)
{
    char *text = ss_session_format(s);
    if (!text) {
        snprintf(err, errlen, "out of memory");
        return AT_ERR_RUNTIME;
    }
    AtStatus st = write_atomic(text, path, err, errlen);
    free(text);
    return st;
}
