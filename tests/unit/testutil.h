/* testutil.h - what the unit tests share: a temporary file in a folder of
 * its own, a check that a text contains a part (printing both when it
 * does not), reading a small file, and TU_MAIN, a test's main in one line.
 * Header-only: each unit test is one .c file. Include it after cmocka.h. */
#ifndef AT_TESTUTIL_H
#define AT_TESTUTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A file name in a new, empty temporary folder. */
typedef struct {
    char dir[64];
    char path[256];
} TuTemp;

/* Make the folder /tmp/at-test-XXXXXX; t->path = that folder/name (the
 * file is not created). */
static inline void tu_temp(TuTemp *t, const char *name)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/at-test-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/%s", t->dir, name);
}

/* Write text to path (replacing what was there). */
static inline void tu_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

/* The first len - 1 bytes of path's contents, NUL-terminated, into buf;
 * false when it cannot be opened. */
static inline bool tu_read(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    size_t n = fread(buf, 1, len - 1, f);
    fclose(f);
    buf[n] = 0;
    return true;
}

/* Remove the file (if any) and the folder. */
static inline void tu_temp_remove(const TuTemp *t)
{
    unlink(t->path);
    rmdir(t->dir);
}

/* text must contain part; else the test fails showing both. */
#define assert_contains(text, part)                                                                \
    do {                                                                                           \
        const char *tu_text_ = (text), *tu_part_ = (part);                                         \
        if (!tu_text_ || !strstr(tu_text_, tu_part_))                                              \
            fail_msg("'%s' not found in:\n%s", tu_part_, tu_text_ ? tu_text_ : "(null)");          \
    } while (0)

/* main() of a unit test: runs the cmocka test cases given (as
 * cmocka_unit_test(f), ...) as one group named "tests". */
#define TU_MAIN(...)                                                                               \
    int main(void)                                                                                 \
    {                                                                                              \
        const struct CMUnitTest tests[] = {__VA_ARGS__};                                           \
        return cmocka_run_group_tests(tests, NULL, NULL);                                          \
    }

#endif
