/* sigpipe.h - the self-pipe: SIGINT, SIGTERM and SIGHUP set a flag and
 * write a byte to a pipe, so a poll() loop wakes for them and a long
 * computation can look at the flag. Signal handlers belong to the process,
 * so there is one of these per process. See docs/threads.md. */
#ifndef AT_SIGPIPE_H
#define AT_SIGPIPE_H

#include <signal.h>
#include <stdbool.h>

enum {
    AT_SIGPIPE_RESTART = 1, /* interrupted system calls restart (SA_RESTART) */
    AT_SIGPIPE_CHILD = 2,   /* SIGCHLD writes a byte too (the flag stays) */
};

/* Catch SIGINT, SIGTERM and SIGHUP (and SIGCHLD with AT_SIGPIPE_CHILD):
 * each sets the flag to the signal's number and writes a byte to the pipe.
 * The handlers are installed even when the pipe cannot be made; then false
 * is returned with errno set. */
bool at_sigpipe_open(int flags);
/* The read end of the pipe (non-blocking), or -1 before at_sigpipe_open. */
int at_sigpipe_fd(void);
/* 0 until a stop signal came; then the number of the last one. */
volatile sig_atomic_t *at_sigpipe_flag(void);
/* As if signal sig came (async-signal-safe): set the flag, write a byte. */
void at_sigpipe_raise(int sig);
/* Read away the bytes waiting in the pipe. */
void at_sigpipe_drain(void);
/* Close the pipe; the handlers stay and still set the flag. */
void at_sigpipe_close(void);

#endif
