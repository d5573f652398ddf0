/* toolutil.h - what the test tools (tests/tools) share: a quit flag that
 * SIGINT and SIGTERM set, and the usage exit of their option parsers.
 * Header-only; include it once per tool. */
#ifndef AT_TOOLUTIL_H
#define AT_TOOLUTIL_H

#include <signal.h>
#include <stdio.h>

/* Set by SIGINT or SIGTERM once tt_catch_signals ran. */
static volatile sig_atomic_t quit;

static inline void tt_on_signal(int sig)
{
    (void)sig;
    quit = 1;
}

static inline void tt_catch_signals(void)
{
    signal(SIGINT, tt_on_signal);
    signal(SIGTERM, tt_on_signal);
}

/* For option opt that ends the parse: -h prints the usage on stdout and
 * exits 0; anything else prints it on stderr and exits 2. */
static inline int tt_usage_exit(void (*usage)(FILE *), int opt)
{
    usage(opt == 'h' ? stdout : stderr);
    return opt == 'h' ? 0 : 2;
}

#endif
