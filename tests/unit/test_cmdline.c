/* Unit tests for common/cmdline: getopt_long's tables read from a --help
 * text (options with and without a letter, with and without a value, a
 * value on a line of its own, prose and continuation lines left alone),
 * the long name of what getopt_long returns, and the help texts a program
 * cannot be read from. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cmdline.h"

#include <stdio.h>
#include <string.h>

static const char help[] = "Usage: prog [options] FILE...\n"
                           "Does things to files -- with care.\n"
                           "\n"
                           "  -r, --rate HZ          output rate\n"
                           "      --no-dither        round without dither\n"
                           "      --touchosc-layout FILE\n"
                           "                         write a layout; -x in prose is no option\n"
                           "  -v, --verbose          more\n"
                           "      --seed N           the seed\n"
                           "  -h, --help\n"
                           "\n"
                           "Exit status: 0 good.";

static void test_reads_the_option_lines(void **state)
{
    (void)state;
    AtCmdline cl;
    assert_true(at_cmdline_init(&cl, help, "-:"));
    assert_int_equal(cl.n, 6);
    assert_string_equal(cl.shorts, "-:r:vh");
    const struct {
        const char *name;
        int has_arg, val;
    } want[] = {
        {"rate", required_argument, 'r'},
        {"no-dither", no_argument, AT_CMDLINE_LONG + 1},
        {"touchosc-layout", required_argument, AT_CMDLINE_LONG + 2},
        {"verbose", no_argument, 'v'},
        {"seed", required_argument, AT_CMDLINE_LONG + 4},
        {"help", no_argument, 'h'},
    };
    for (int i = 0; i < 6; i++) {
        assert_string_equal(cl.longs[i].name, want[i].name);
        assert_int_equal(cl.longs[i].has_arg, want[i].has_arg);
        assert_null(cl.longs[i].flag);
        assert_int_equal(cl.longs[i].val, want[i].val);
        assert_string_equal(at_cmdline_name(&cl, want[i].val), want[i].name);
    }
    assert_null(cl.longs[6].name); /* getopt_long's end of the table */
    assert_string_equal(at_cmdline_name(&cl, '?'), "");
    assert_string_equal(at_cmdline_name(&cl, 'x'), "");
    assert_string_equal(at_cmdline_name(&cl, 1), "");
}

static void test_getopt_reads_words_by_it(void **state)
{
    (void)state;
    AtCmdline cl;
    assert_true(at_cmdline_init(&cl, help, ""));
    char w[][24] = {"prog",     "-r",  "44100",  "--no-d",
                    "--seed=7", "-vh", "in.wav", "--touchosc-layout",
                    "t.tosc"};
    char *argv[10];
    for (int i = 0; i < 9; i++)
        argv[i] = w[i];
    argv[9] = NULL;
    char got[256] = "";
    int c;
    opterr = 0;
    optind = 0;
    while ((c = getopt_long(9, argv, cl.shorts, cl.longs, NULL)) != -1) {
        size_t k = strlen(got);
        snprintf(got + k, sizeof got - k, "%s=%s ", at_cmdline_name(&cl, c), optarg ? optarg : "");
    }
    assert_string_equal(got, "rate=44100 no-dither= seed=7 verbose= help= touchosc-layout=t.tosc ");
    assert_int_equal(optind, 8); /* permuted: the file last */
    assert_string_equal(argv[optind], "in.wav");
}

static void test_refuses_unreadable_help(void **state)
{
    (void)state;
    AtCmdline cl;
    assert_false(at_cmdline_init(&cl, "  -rx  not an option line\n", ""));
    assert_false(at_cmdline_init(&cl, "  -r --rate  no comma\n", ""));
    assert_false(at_cmdline_init(&cl, "  --  no name\n", ""));
    char longname[128] = "  --";
    memset(longname + 4, 'a', 40);
    assert_false(at_cmdline_init(&cl, longname, ""));
    char many[64 * (AT_CMDLINE_MAX + 1)] = "";
    for (int i = 0; i <= AT_CMDLINE_MAX; i++) {
        size_t k = strlen(many);
        snprintf(many + k, sizeof many - k, "  --opt%d  the %dth\n", i, i);
    }
    assert_false(at_cmdline_init(&cl, many, ""));
    many[strlen(many) - strlen("  --opt32  the 32th\n")] = '\0';
    assert_true(at_cmdline_init(&cl, many, ""));
    assert_int_equal(cl.n, AT_CMDLINE_MAX);
    assert_true(at_cmdline_init(&cl, "no options at all\n  just prose\n", ""));
    assert_int_equal(cl.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_the_option_lines),
        cmocka_unit_test(test_getopt_reads_words_by_it),
        cmocka_unit_test(test_refuses_unreadable_help),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
