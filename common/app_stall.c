/* A client JACK stopped calling while its server runs: say so, and under
 * a session manager leave at once so it is started again (docs/threads.md,
 * "A client JACK stops waking").
 *
 * libjack 1.9.21 can leave a client that opened while another closed
 * with a stale wake-up entry; the client that later takes the closed
 * one's slot is then never woken by it. Such a client cannot even close
 * (libjack joins its process thread, which never wakes), so it cannot
 * open itself again; a new process can: when the old one ends, the
 * server removes it and every other client drops its entry for it. */
#include "app_priv.h"
#include "log.h"
#include "monotime.h"

#include <stdio.h>
#include <unistd.h>

#define AT_STALL_SECS 3.0 /* no process call for this long, the server running */

static void stalled(AtApp *app, double secs, uint32_t frames)
{
    at_warn("JACK has not called this client for %.1f s while its server ran %u frames (a "
            "client upstream is stuck, or libjack left this one unwoken: docs/threads.md)",
            secs, (unsigned)frames);
    if (!app->nsm)
        return;
    /* Closing would wait for the process thread JACK does not wake. */
    at_error("leaving with exit status %d without closing the JACK client, so the session "
             "manager starts this client again",
             AT_EXIT_STALLED);
    fflush(NULL);
    _exit(AT_EXIT_STALLED);
}

/* Watching: cycles unchanged for AT_STALL_SECS while the server's frame
 * time moved on by at least half of that, and then still unchanged 0.2 s
 * later while the server ran on (a server that was stopped itself and
 * resumes moves its frame time before it calls anyone). */
void at_app_check_stall(AtApp *app)
{
    AtStall *s = &app->stall;
    if (!app->client || atomic_load(&app->server_gone) || !atomic_load(&app->rt_started)) {
        s->since = 0;
        return;
    }
    double now = at_mono_now();
    unsigned c = atomic_load_explicit(&app->cycles, memory_order_relaxed);
    jack_nframes_t f = jack_last_frame_time(app->client);
    if (s->since == 0 || c != s->seen) {
        if (s->reported && c != s->seen)
            at_info("JACK calls this client again");
        *s = (AtStall){.since = now, .seen = c, .frame = f};
        return;
    }
    double secs = now - s->since;
    uint32_t ran = f - s->frame;
    if (s->reported || secs < AT_STALL_SECS || ran < (double)app->rate * secs / 2) {
        s->suspect = 0;
        return;
    }
    if (s->suspect == 0) {
        s->suspect = now;
        s->suspect_frame = f;
        return;
    }
    if (now - s->suspect < 0.2 || f - s->suspect_frame < app->rate / 10)
        return;
    s->reported = true;
    stalled(app, secs, ran);
}
