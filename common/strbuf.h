/* strbuf.h - a growing NUL-terminated text buffer (and the XML entities of
 * text written into instrument files). An allocation failure
 * sets oom and makes every later addition a no-op, so a writer builds the
 * whole text and checks once at the end. Not RT (it allocates). */
#ifndef AT_STRBUF_H
#define AT_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *buf;  /* the text, NUL-terminated; NULL until something is added */
    size_t len; /* bytes in buf, without the terminator */
    size_t cap; /* bytes allocated */
    bool oom;   /* an allocation failed: the text is incomplete */
} AtStrBuf;

/* Start with an empty zero-initialised AtStrBuf (AtStrBuf b = {0}). */

/* Append n bytes (they may hold NULs; buf stays NUL-terminated). */
void at_strbuf_add(AtStrBuf *b, const void *data, size_t n);
/* Append printf-formatted text, of any length. */
void at_strbuf_printf(AtStrBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text, handed over to the caller (free() it), "" for an empty buffer;
 * NULL (and the buffer freed) after an allocation failure. b is reset. */
char *at_strbuf_take(AtStrBuf *b);
/* Free the text and reset b. */
void at_strbuf_free(AtStrBuf *b);

/* The XML entity that stands for c in text and attribute values ("&amp;"
 * for '&', likewise < > " and '), or NULL when c stands for itself. */
const char *at_xml_entity(char c);

#endif
