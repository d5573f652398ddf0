/* seqshell.c - the one JACK shell of the clock-driven MIDI sequencers
 * (seqshell.h). Set-up and teardown run in the control thread; the rest
 * in JACK's process thread: they only touch the core and the cycle. */
#include "seqshell.h"

#include <stdbool.h>
#include <stdlib.h>

typedef struct {
    const AtSeqShell *d;
    AtSeqNames n;
    void *core;
    AtShellPorts ports;
    uint32_t seen[AT_SEQ_MAX_COUNTERS]; /* each counter's total told so far */
} State;

/* The core's byte at offset, as the type the caller knows it has. */
static void *in_core(const State *s, size_t offset)
{
    return (char *)s->core + offset;
}

AtStatus at_seq_setup(const AtSeqShell *d, const AtSeqNames *names, AtApp *app, void **state,
                      char *err, size_t errlen)
{
    State *s = calloc(1, sizeof *s);
    void *cfg = calloc(1, d->core->config_size);
    if (s)
        s->core = calloc(1, d->core->core_size);
    if (!s || !cfg || !s->core) {
        free(cfg);
        at_seq_teardown(s);
        return at_shell_oom(err, errlen);
    }
    s->d = d;
    s->n = *names;
    at_params_fill(at_app_params(app), cfg);
    d->core->init(s->core, cfg);
    free(cfg);
    AtStatus st = at_shell_midi_ports(app, d->input, s->n.in_connect, s->n.dests, s->n.n_dests,
                                      &s->ports, err, errlen);
    if (st != AT_OK) {
        at_seq_teardown(s);
        return st;
    }
    *state = s;
    return AT_OK;
}

void at_seq_teardown(void *state)
{
    State *s = state;
    if (s)
        free(s->core);
    free(s);
}

void at_seq_process(void *state, AtCycle *c)
{
    State *s = state;
    const AtSeqShell *d = s->d;
    const AtMidiBuf *in = at_shell_input(&s->ports, c);
    d->core->process(s->core, in->events, in->count, at_shell_outs(&s->ports, c));
    at_shell_report_if(c, in_core(s, d->core->key_changed), d->key,
                       *(int *)in_core(s, d->key_value));
    for (int i = 0; i < AT_SEQ_MAX_COUNTERS && d->counters[i].message; i++)
        at_shell_count(c, *(uint32_t *)in_core(s, d->counters[i].offset), &s->seen[i],
                       d->counters[i].message);
}

/* Stop the sequencers and silence every destination (exit, panic). */
void at_seq_shutdown(void *state, AtCycle *c)
{
    State *s = state;
    s->d->core->shutdown(s->core, 0, at_shell_outs(&s->ports, c));
}

/* The bound live values go into the core's config; a new seed also
 * restarts the generator. */
void at_seq_param(void *state, AtParamMsg *m, AtCycle *c)
{
    State *s = state;
    if (m->index == s->n.seed)
        s->d->core->set_seed(s->core, (uint64_t)m->i);
    else if (m->index == s->n.panic)
        at_seq_shutdown(state, c);
    else
        at_shell_store(s->n.params, s->n.n_params, m, in_core(s, s->d->core->config));
}

/* Set up the destinations a new connection reaches. */
void at_seq_connected(void *state, int handle, AtCycle *c)
{
    State *s = state;
    s->d->core->setup_dests(s->core, at_shell_dest_mask(&s->ports, handle), 0,
                            at_shell_outs(&s->ports, c));
}
