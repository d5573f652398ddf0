/* sigpipe.c - the signal self-pipe (see sigpipe.h). */
#include "sigpipe.h"

#include <unistd.h>

volatile sig_atomic_t at_signal_got;
static volatile int signal_fd = -1;

static void on_signal(int sig)
{
    if (sig != SIGCHLD)
        at_signal_got = sig;
    if (signal_fd >= 0) {
        char c = 1;
        ssize_t r = write(signal_fd, &c, 1);
        (void)r;
    }
}

void at_signals_install(int fd, int flags)
{
    signal_fd = fd;
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sa.sa_flags = flags & AT_SIGNALS_RESTART ? SA_RESTART : 0;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    if (flags & AT_SIGNALS_CHLD)
        sigaction(SIGCHLD, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

void at_signals_raise(int sig)
{
    at_signal_got = sig;
    on_signal(sig);
}

void at_signals_release(void)
{
    signal_fd = -1;
}
