/* test_sigpipe.c - the self-pipe for signals (common/sigpipe.c): a stop
 * signal sets the flag and wakes a poll on the pipe, SIGCHLD only wakes
 * when asked for, at_sigpipe_raise acts like a signal, and the flag is
 * still set once the pipe is closed (docs/threads.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sigpipe.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

static bool readable(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static void signals_set_the_flag_and_wake(void **state)
{
    (void)state;
    assert_int_equal(at_sigpipe_fd(), -1);
    assert_true(at_sigpipe_open(AT_SIGPIPE_CHILD));
    int fd = at_sigpipe_fd();
    assert_true(fd >= 0);
    assert_false(readable(fd));
    assert_int_equal(*at_sigpipe_flag(), 0);

    raise(SIGCHLD); /* wakes, no stop */
    assert_true(readable(fd));
    assert_int_equal(*at_sigpipe_flag(), 0);
    at_sigpipe_drain();
    assert_false(readable(fd));

    raise(SIGHUP);
    assert_int_equal(*at_sigpipe_flag(), SIGHUP);
    assert_true(readable(fd));
    at_sigpipe_drain();

    at_sigpipe_raise(SIGTERM);
    assert_int_equal(*at_sigpipe_flag(), SIGTERM);
    assert_true(readable(fd));

    at_sigpipe_close();
    assert_int_equal(at_sigpipe_fd(), -1);
    raise(SIGINT); /* the handler stays: no default action, the flag is set */
    assert_int_equal(*at_sigpipe_flag(), SIGINT);
    at_sigpipe_drain(); /* nothing to read, no pipe: harmless */
    at_sigpipe_close();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(signals_set_the_flag_and_wake),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
