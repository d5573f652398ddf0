/* sigpipe.c - the self-pipe for signals; see sigpipe.h. */
#include "sigpipe.h"

#include <fcntl.h>
#include <unistd.h>

static volatile sig_atomic_t caught;
static int pipe_fd[2] = {-1, -1};

static void wake(void)
{
    if (pipe_fd[1] >= 0) {
        char c = 1;
        ssize_t r = write(pipe_fd[1], &c, 1);
        (void)r;
    }
}

static void on_signal(int sig)
{
    if (sig != SIGCHLD)
        caught = sig;
    wake();
}

bool at_sigpipe_open(int flags)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sa.sa_flags = (flags & AT_SIGPIPE_RESTART) ? SA_RESTART : 0;
    sigemptyset(&sa.sa_mask);
    bool ok = pipe_fd[0] >= 0 || pipe2(pipe_fd, O_CLOEXEC | O_NONBLOCK) == 0;
    if (!ok)
        pipe_fd[0] = pipe_fd[1] = -1;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    if (flags & AT_SIGPIPE_CHILD)
        sigaction(SIGCHLD, &sa, NULL);
    return ok;
}

int at_sigpipe_fd(void)
{
    return pipe_fd[0];
}

volatile sig_atomic_t *at_sigpipe_flag(void)
{
    return &caught;
}

void at_sigpipe_raise(int sig)
{
    on_signal(sig);
}

void at_sigpipe_drain(void)
{
    char junk[64];
    while (pipe_fd[0] >= 0 && read(pipe_fd[0], junk, sizeof junk) > 0) {
    }
}

void at_sigpipe_close(void)
{
    int r = pipe_fd[0], w = pipe_fd[1];
    pipe_fd[0] = pipe_fd[1] = -1;
    if (r >= 0) {
        close(r);
        close(w);
    }
}
