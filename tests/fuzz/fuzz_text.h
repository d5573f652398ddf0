/* fuzz_text.h - the fuzz input as a C string for the targets that parse
 * text (fuzz_config, fuzz_session, ...): a copy with a NUL after the last
 * byte (an embedded NUL ends the text early, as it would in a file read
 * with fread and parsed as a string). NULL when out of memory; free() it. */
#ifndef AT_FUZZ_TEXT_H
#define AT_FUZZ_TEXT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline char *fz_text(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text) {
        memcpy(text, data, size);
        text[size] = 0;
    }
    return text;
}

#endif
