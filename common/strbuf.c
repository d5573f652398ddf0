/* strbuf.c - a growing text buffer (see strbuf.h). */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for n more bytes and a terminator; false (oom set) if not. */
static bool reserve(AtStrBuf *b, size_t n)
{
    if (b->oom)
        return false;
    if (n >= (size_t)-1 / 2 - b->len) {
        b->oom = true;
        return false;
    }
    if (b->buf && b->len + n + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n + 1)
        cap *= 2;
    char *t = realloc(b->buf, cap);
    if (!t) {
        b->oom = true;
        return false;
    }
    b->buf = t;
    b->cap = cap;
    return true;
}

void at_strbuf_add(AtStrBuf *b, const void *data, size_t n)
{
    if (!reserve(b, n))
        return;
    if (n)
        memcpy(b->buf + b->len, data, n);
    b->len += n;
    b->buf[b->len] = 0;
}

void at_strbuf_printf(AtStrBuf *b, const char *fmt, ...)
{
    if (!reserve(b, 0))
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->buf + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->buf[b->len] = 0;
        return;
    }
    if ((size_t)n >= b->cap - b->len) {
        if (!reserve(b, (size_t)n)) {
            if (b->buf)
                b->buf[b->len] = 0;
            return;
        }
        va_start(ap, fmt);
        vsnprintf(b->buf + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

char *at_strbuf_take(AtStrBuf *b)
{
    if (!b->buf && reserve(b, 0))
        b->buf[0] = 0;
    char *s = b->oom ? NULL : b->buf;
    if (!s)
        free(b->buf);
    *b = (AtStrBuf){0};
    return s;
}

void at_strbuf_free(AtStrBuf *b)
{
    free(b->buf);
    *b = (AtStrBuf){0};
}

const char *at_xml_entity(char c)
{
    return c == '&'    ? "&amp;"
           : c == '<'  ? "&lt;"
           : c == '>'  ? "&gt;"
           : c == '"'  ? "&quot;"
           : c == '\'' ? "&apos;"
                       : NULL;
}
