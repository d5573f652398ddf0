/* cmdline.h - a command line read the way its --help text describes it.
 * The option lines of the help ("  -r, --rate HZ   output sample rate",
 * "      --no-dither   round without dither") are the table getopt_long
 * reads, so an option is declared once, where its user reads about it,
 * and the program handles it by its long name. Used by the tools' shell
 * (common/app_options.c) and by sampletrim. */
#ifndef AT_CMDLINE_H
#define AT_CMDLINE_H

#include <getopt.h>
#include <stdbool.h>

#define AT_CMDLINE_MAX 32      /* options in one help text */
#define AT_CMDLINE_NAME_MAX 32 /* a long name's length, with its NUL */
/* What getopt_long returns for the option without a letter at place i of
 * the help text: AT_CMDLINE_LONG + i. */
#define AT_CMDLINE_LONG 256

typedef struct {
    struct option longs[AT_CMDLINE_MAX + 1]; /* getopt_long's table, in the help's order */
    char names[AT_CMDLINE_MAX][AT_CMDLINE_NAME_MAX];
    char shorts[2 * AT_CMDLINE_MAX + 8]; /* the prefix, then "r:" (a value) or "v" */
    int n;
} AtCmdline;

/* Read the option lines of help into cl. An option line is one that starts
 * with spaces, then "-X, --NAME" or "--NAME", then " VALUE" when the option
 * takes a value, then two spaces or the end of the line; other lines are
 * prose. prefix goes before the short options (getopt's "-" and ":"
 * flags, or ""). False when an option line cannot be read, or the help has
 * more than AT_CMDLINE_MAX options or a longer name: a mistake in the
 * program, not in its user's words. */
bool at_cmdline_init(AtCmdline *cl, const char *help, const char *prefix);

/* The long name (without "--") of the option getopt_long returned as c
 * (its letter, or AT_CMDLINE_LONG + its place); "" when c is none of cl's
 * options ('?', ':', 1). */
const char *at_cmdline_name(const AtCmdline *cl, int c);

#endif
