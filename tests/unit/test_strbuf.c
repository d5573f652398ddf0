/* Unit tests for common/strbuf: appending bytes and formatted text of any
 * length, handing the text over, the empty buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

static void test_printf_and_add(void **state)
{
    (void)state;
    AtStrBuf b = {0};
    at_strbuf_printf(&b, "%s=%d;", "rate", 48000);
    at_strbuf_add(&b, "ab", 2);
    at_strbuf_printf(&b, "%c", 'z');
    assert_false(b.oom);
    assert_int_equal(b.len, strlen("rate=48000;abz"));
    assert_string_equal(b.buf, "rate=48000;abz");
    char *s = at_strbuf_take(&b);
    assert_string_equal(s, "rate=48000;abz");
    assert_null(b.buf);
    assert_int_equal(b.len, 0);
    free(s);
}

/* Formatted text longer than the buffer (and than any fixed scratch
 * array) arrives whole, across many growths. */
static void test_long_text(void **state)
{
    (void)state;
    AtStrBuf b = {0};
    char *chunk = malloc(10001);
    assert_non_null(chunk);
    memset(chunk, 'q', 10000);
    chunk[10000] = 0;
    for (int i = 0; i < 30; i++)
        at_strbuf_printf(&b, "[%s]%d", chunk, i);
    assert_false(b.oom);
    size_t want = 0;
    for (int i = 0; i < 30; i++)
        want += 10002 + (i < 10 ? 1 : 2);
    assert_int_equal(b.len, want);
    assert_int_equal(strlen(b.buf), want);
    assert_memory_equal(b.buf + 1, chunk, 10000);
    assert_string_equal(b.buf + want - 3, "]29");
    free(chunk);
    at_strbuf_free(&b);
    assert_null(b.buf);
}

static void test_empty(void **state)
{
    (void)state;
    AtStrBuf b = {0};
    char *s = at_strbuf_take(&b);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
    at_strbuf_add(&b, "", 0);
    assert_non_null(b.buf);
    assert_int_equal(b.len, 0);
    at_strbuf_free(&b);
}

/* Bytes with NULs inside count; the text stays terminated. */
static void test_binary(void **state)
{
    (void)state;
    AtStrBuf b = {0};
    at_strbuf_add(&b, "a\0b", 3);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.buf, "a\0b\0", 4);
    at_strbuf_free(&b);
}

/* After a failed allocation nothing more is added and take gives NULL. */
static void test_oom(void **state)
{
    (void)state;
    AtStrBuf b = {0};
    at_strbuf_printf(&b, "kept");
    at_strbuf_add(&b, "x", (size_t)-1 / 2);
    assert_true(b.oom);
    at_strbuf_printf(&b, "more");
    assert_int_equal(b.len, 4);
    assert_null(at_strbuf_take(&b));
    assert_null(b.buf);
    assert_false(b.oom);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_printf_and_add),
        cmocka_unit_test(test_long_text),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_binary),
        cmocka_unit_test(test_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
