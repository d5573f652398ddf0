/* midi_text.h - for the MIDI parser tests (test_midi, test_midi_edges):
 * feed bytes to a parser and collect the messages it completes as text,
 * "hex hex hex;" each, checking every message's size is 1 to 3; or
 * compare that text with the one wanted. */
#ifndef AT_MIDI_TEXT_H
#define AT_MIDI_TEXT_H

#include "midi.h"

#include <stdio.h>

/* Feed bytes[0..n) to p (a fresh parser when p is NULL); the messages go
 * to out as text. */
static inline void parse(AtMidiParser *p, const uint8_t *bytes, size_t n, char *out, size_t outlen)
{
    AtMidiParser local;
    if (!p) {
        p = &local;
        at_midi_parser_init(p);
    }
    size_t len = 0;
    out[0] = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t msg[3] = {0xAA, 0xAA, 0xAA}, size = 99;
        if (at_midi_parser_feed(p, bytes[i], msg, &size)) {
            assert_true(size >= 1 && size <= 3);
            for (int k = 0; k < size; k++)
                len += (size_t)snprintf(out + len, outlen - len, "%02x%s", msg[k],
                                        k + 1 < size ? " " : ";");
        }
    }
}

/* Feed bytes[0..n) to p (a fresh parser when p is NULL): the messages it
 * completes must read want. */
static inline void expect_parse(AtMidiParser *p, const uint8_t *bytes, size_t n, const char *want)
{
    char out[256];
    parse(p, bytes, n, out, sizeof out);
    assert_string_equal(out, want);
}

/* A name and the number a lookup must give for it. */
typedef struct {
    const char *name;
    int want;
} NameCase;

/* lookup(name) must give want for each of c[0..n). */
static inline void expect_lookups(int (*lookup)(const char *), const NameCase *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int got = lookup(c[i].name);
        if (got != c[i].want)
            fail_msg("\"%s\": %d, wanted %d", c[i].name, got, c[i].want);
    }
}

/* A parser test as a table row: bytes and the text they must give. */
typedef struct {
    const uint8_t *bytes;
    size_t n;
    const char *want;
} ParseCase;

/* The cmocka test of one ParseCase (its initial state). */
static inline void parse_case(void **state)
{
    const ParseCase *c = *state;
    expect_parse(NULL, c->bytes, c->n, c->want);
}

/* A ParseCase: the text wanted, then the bytes. */
#define PARSE_CASE(want, ...)                                                                      \
    {                                                                                              \
        (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}), want               \
    }

/* A cmocka test running parse_case on the ParseCase c, named as c is. */
#define PARSE_TEST(c)                                                                              \
    {                                                                                              \
        .name = #c, .test_func = parse_case, .initial_state = &(c)                                 \
    }

#endif
