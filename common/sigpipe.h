/* sigpipe.h - the one signal self-pipe of every aiotone program: SIGINT,
 * SIGTERM and SIGHUP (and SIGCHLD when asked) are recorded and wake the
 * control loop through a pipe it polls; SIGPIPE is ignored. Prefix
 * at_signals_. */
#ifndef AT_SIGPIPE_H
#define AT_SIGPIPE_H

#include <signal.h>
#include <stdbool.h>

/* The last SIGINT, SIGTERM or SIGHUP received (0: none). */
extern volatile sig_atomic_t at_signal_got;

enum {
    AT_SIGNALS_CHLD = 1,    /* SIGCHLD wakes the loop too (not recorded) */
    AT_SIGNALS_RESTART = 2, /* SA_RESTART: interrupted system calls go on */
};

/* Install the handlers; each signal writes a byte to fd (the write end of
 * a non-blocking pipe the caller polls). flags: AT_SIGNALS_*. */
void at_signals_install(int fd, int flags);
/* Act as if sig had arrived (a program that quits itself). */
void at_signals_raise(int sig);
/* Stop writing to the pipe (before it is closed). */
void at_signals_release(void);

#endif
