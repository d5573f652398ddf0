/* app.c - the shell shared by every JACK tool: the control loop and main.
 * The other parts, by concern, are listed in app_priv.h; see app.h and
 * docs/threads.md for who owns what. */
#include "app_priv.h"
#include "log.h"
#include "sigpipe.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void at_app_wake(AtApp *app)
{
    char c = 1;
    ssize_t r = write(app->wake[1], &c, 1);
    (void)r;
}

AtParams *at_app_params(AtApp *app)
{
    return app->params;
}

uint32_t at_app_rate(const AtApp *app)
{
    return app->rate;
}

const char *at_app_session_path(const AtApp *app)
{
    return app->nsm_path[0] ? app->nsm_path : NULL;
}

const char *at_app_client_name(const AtApp *app)
{
    return app->client_name;
}

void *at_app_core(AtApp *app)
{
    return app->core;
}

void at_app_quit(AtApp *app, int status)
{
    app->exit_status = status;
    at_sigpipe_raise(SIGTERM);
}

/* ---------------- control loop ---------------- */

static unsigned report_counter(atomic_uint *c, unsigned *seen, const char *what)
{
    unsigned now = atomic_load(c);
    if (now != *seen) {
        at_warn("%u %s (total %u)", now - *seen, what, now);
        *seen = now;
    }
    return now;
}

static int control_loop(AtApp *app)
{
    unsigned seen_xruns = 0, seen_dropped = 0, seen_sysex = 0;
    while (!*at_sigpipe_flag()) {
        struct pollfd fds[4];
        int n = 0;
        fds[n++] = (struct pollfd){.fd = at_sigpipe_fd(), .events = POLLIN};
        fds[n++] = (struct pollfd){.fd = app->wake[0], .events = POLLIN};
        int osc_i = -1, nsm_i = -1;
        if (app->osc) {
            osc_i = n;
            fds[n++] = (struct pollfd){.fd = at_osc_fd(app->osc), .events = POLLIN};
        }
        if (app->nsm) {
            nsm_i = n;
            fds[n++] = (struct pollfd){.fd = at_nsm_fd(app->nsm), .events = POLLIN};
        }
        int r = poll(fds, (nfds_t)n, 20);
        if (r < 0 && errno != EINTR)
            break;
        char junk[64];
        if (r > 0 && (fds[1].revents & POLLIN))
            while (read(app->wake[0], junk, sizeof junk) > 0) {
            }
        if (osc_i >= 0 && (fds[osc_i].revents & POLLIN))
            at_osc_receive(app->osc);
        if (nsm_i >= 0 && (fds[nsm_i].revents & POLLIN))
            at_nsm_receive(app->nsm);
        at_app_drain_rt(app);
        if (atomic_exchange(&app->rescan, 0))
            at_app_connect_pending(app);
        report_counter(&app->xruns, &seen_xruns, "xruns");
        report_counter(&app->midi_dropped, &seen_dropped, "MIDI events dropped (buffer full)");
        report_counter(&app->sysex_ignored, &seen_sysex,
                       "MIDI messages ignored (sysex or malformed)");
        if (app->tool->idle)
            app->tool->idle(app, app->core);
        at_app_check_stall(app);
        int q = atomic_load(&app->quit_status);
        if (q) {
            app->exit_status = q - 1;
            break;
        }
        if (atomic_load(&app->server_gone)) {
            at_error("the JACK server went away; exiting");
            app->exit_status = 1;
            return 1;
        }
    }
    return 0;
}

/* ---------------- main ---------------- */

static bool make_pipe(int p[2])
{
    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0)
        return false;
    return true;
}

static void cleanup(AtApp *app)
{
    at_app_close_jack(app);
    at_osc_close(app->osc);
    at_nsm_close(app->nsm);
    at_params_free(app->params);
    if (app->wake[0] >= 0) {
        close(app->wake[0]);
        close(app->wake[1]);
    }
}

/* libjack 1.9.21 can hang for good in jack_deactivate/jack_client_close
 * when several clients of a server close at once (seen in tests). The
 * work is done by then, so a watchdog ends the process if closing takes
 * longer than AT_CLOSE_TIMEOUT seconds. */
#define AT_CLOSE_TIMEOUT 15

static void *close_watchdog(void *arg)
{
    int status = (int)(intptr_t)arg;
    sleep(AT_CLOSE_TIMEOUT);
    static const char msg[] = ": closing the JACK client hung; exiting anyway\n";
    ssize_t r = write(2, at_log_prog(), strlen(at_log_prog()));
    r = write(2, msg, sizeof msg - 1);
    (void)r;
    _exit(status);
}

static void start_close_watchdog(int status)
{
    pthread_t t;
    if (pthread_create(&t, NULL, close_watchdog, (void *)(intptr_t)status) == 0)
        pthread_detach(t);
}

/* Run as a JACK client (under NSM when NSM_URL is set) until a signal or
 * at_app_quit; returns the exit status. */
static int run(AtApp *app, const AtAppOptions *o, const char *prog, const char *argv0)
{
    char err[2048] = "";
    if (!make_pipe(app->wake) || !at_sigpipe_open(0)) {
        at_error("cannot create pipes: %s", strerror(errno));
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    const char *name = o->name ? o->name : app->tool->name;
    char nsm_name[128] = "";
    int rc = at_app_nsm_start(app, prog, argv0, &name, nsm_name, sizeof nsm_name, err, sizeof err);
    if (rc >= 0)
        return rc;
    AtStatus st = at_app_open_jack(app, name, err, sizeof err);
    if (app->nsm)
        at_nsm_open_reply(app->nsm, st == AT_OK, st == AT_OK ? "opened" : err);
    if (st != AT_OK) {
        at_error("%s", err);
        return st == AT_ERR_USAGE ? 2 : 1;
    }
    if (at_app_start_osc(app, err, sizeof err) != AT_OK) {
        at_error("%s", err);
        return 1;
    }
    rc = control_loop(app);
    if (rc == 0)
        rc = app->exit_status;
    start_close_watchdog(rc);
    at_app_graceful_stop(app);
    return rc;
}

int at_app_main(const AtTool *tool, int argc, char **argv)
{
    static char prog[96];
    snprintf(prog, sizeof prog, "aiotone-%s", tool->name);
    at_log_init(prog, AT_LOG_INFO);
    AtApp *app = calloc(1, sizeof *app);
    if (!app)
        return 1;
    app->tool = tool;
    app->wake[0] = app->wake[1] = -1;
    AtAppOptions o = {0};
    int rc = at_app_parse_options(tool, argc, argv, &o);
    if (rc < 0) {
        at_log_set_level((AtLogLevel)o.verbosity);
        app->params = at_params_new(tool->name, tool->params, tool->n_params);
        rc = app->params ? at_app_early_modes(app, &o) : 1;
    }
    if (rc < 0)
        rc = run(app, &o, prog, argv[0]);
    cleanup(app);
    at_app_free_options(&o);
    at_sigpipe_close();
    free(app);
    return rc;
}
