/* sessrules.c - the pure rules of the session manager (sessconf.h):
 * restart back-off, the bridge watch, which connections a save keeps, what
 * a child's end means, and a child's output split into lines. */
#include "sessconf.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

double ss_backoff_death(SsBackoff *b, double now)
{
    int keep = 0;
    for (int i = 0; i < b->n; i++)
        if (now - b->deaths[i] < SS_BACKOFF_WINDOW)
            b->deaths[keep++] = b->deaths[i];
    b->n = keep;
    if (b->n == (int)(sizeof b->deaths / sizeof b->deaths[0])) {
        memmove(b->deaths, b->deaths + 1, (size_t)(b->n - 1) * sizeof b->deaths[0]);
        b->n--;
    }
    b->deaths[b->n++] = now;
    if (b->n >= SS_BACKOFF_LIMIT)
        return -1.0;
    /* 0.25 s, 0.5 s, 1 s, 2 s: fast for one crash, slower for a loop. */
    return 0.25 * (double)(1 << (b->n - 1));
}

bool ss_bridge_missed(SsBridgeMiss *b, bool in_seq, bool bridged, double now,
                      double last_port_change, double bridge_started)
{
    if (!in_seq || bridged) {
        /* Gone (a later appearance is a new one) or bridged: start afresh. */
        b->since = 0;
        b->rescanned = false;
        return false;
    }
    if (b->rescanned)
        return false;
    if (b->since <= 0)
        b->since = now > 0 ? now : 1e-9;
    return now - b->since >= SS_BRIDGE_MISS_S && now - last_port_change >= SS_BRIDGE_MISS_S &&
           now - bridge_started >= SS_BRIDGE_START_S;
}

static bool same(const SsConn *a, const SsConn *b)
{
    return a->from && a->to && b->from && b->to && !strcmp(a->from, b->from) &&
           !strcmp(a->to, b->to);
}

SsConn *ss_conns_for_save(const SsConn *remembered, const SsConnState *state,
                          const SsConn *resolved, int n_remembered, const SsConn *current,
                          int n_current, int *n_out)
{
    SsConn *out = malloc((size_t)(n_remembered + n_current + 1) * sizeof *out);
    int n = 0;
    if (!out) {
        *n_out = 0;
        return NULL;
    }
    for (int i = 0; i < n_remembered; i++)
        if (state[i] != SS_CONN_DISCONNECTED)
            out[n++] = remembered[i];
    for (int k = 0; k < n_current; k++) {
        bool known = false;
        for (int i = 0; i < n_remembered && !known; i++)
            known = state[i] == SS_CONN_MADE && same(&resolved[i], &current[k]);
        for (int i = 0; i < n && !known; i++)
            known = same(&out[i], &current[k]);
        if (!known)
            out[n++] = current[k];
    }
    *n_out = n;
    return out;
}

SsEnd ss_end_of(int wait_status)
{
    if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0)
        return SS_END_DONE;
    if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 2)
        return SS_END_CONFIG;
    return SS_END_RESTART;
}

void ss_lines_feed(SsLines *l, const char *data, size_t n,
                   void (*emit)(void *ctx, const char *line, size_t len), void *ctx)
{
    for (size_t i = 0; i < n; i++) {
        if (data[i] == '\n') {
            emit(ctx, l->buf, l->len);
            l->len = 0;
            continue;
        }
        if (l->len == sizeof l->buf) {
            emit(ctx, l->buf, l->len);
            l->len = 0;
        }
        l->buf[l->len++] = data[i];
    }
}

void ss_lines_flush(SsLines *l, void (*emit)(void *ctx, const char *line, size_t len), void *ctx)
{
    if (l->len)
        emit(ctx, l->buf, l->len);
    l->len = 0;
}
