/* shellutil.c - the MIDI tool shells' shared pieces (see shellutil.h). */
#include "shellutil.h"

#include <stdio.h>

AtStatus at_shell_midi_ports(AtApp *app, const char *in_pretty, int in_connect,
                             const AtShellDest *dests, int n, AtShellPorts *ports, char *err,
                             size_t errlen)
{
    const AtParams *p = at_app_params(app);
    AtDest d[AT_APP_MAX_PORTS];
    if (n < 0 || n > AT_APP_MAX_PORTS) {
        snprintf(err, errlen, "too many destinations (%d)", n);
        return AT_ERR_RUNTIME;
    }
    for (int k = 0; k < n; k++)
        d[k] = (AtDest){at_params_key(p, dests[k].port), dests[k].pretty,
                        at_params_key(p, dests[k].connect)};
    ports->n = n;
    ports->in = at_app_add_port(app, "midi_in", AT_PORT_MIDI_IN, in_pretty, NULL,
                                at_params_key(p, in_connect));
    if (ports->in < 0) {
        snprintf(err, errlen, "cannot declare the JACK port 'midi_in'");
        return AT_ERR_RUNTIME;
    }
    return at_app_add_dests(app, d, n, ports->out, err, errlen);
}

AtStatus at_shell_oom(char *err, size_t errlen)
{
    snprintf(err, errlen, "out of memory");
    return AT_ERR_RUNTIME;
}

const AtMidiBuf *at_shell_input(const AtShellPorts *ports, const AtCycle *c)
{
    return c->midi[ports->in];
}

AtMidiBuf **at_shell_outs(AtShellPorts *ports, const AtCycle *c)
{
    at_cycle_dest_outs(c, ports->out, ports->n, ports->bufs);
    return ports->bufs;
}

void at_shell_report_if(AtCycle *c, bool *changed, int index, int32_t i)
{
    if (!*changed)
        return;
    *changed = false;
    at_cycle_report(c, index, i, 0);
}

unsigned at_shell_dest_mask(const AtShellPorts *ports, int handle)
{
    unsigned mask = 0;
    for (int d = 0; d < ports->n; d++)
        if (ports->out[d] == handle)
            mask |= 1u << d;
    return mask;
}

bool at_shell_store(const AtParamDef *table, int n, const AtParamMsg *m, void *cfg)
{
    if (m->index < 0 || m->index >= n || !(table[m->index].flags & AT_PARAM_LIVE))
        return false;
    return at_params_apply(&table[m->index], cfg, m->i, m->f);
}

uint32_t at_shell_skipped(AtShellGap *g, const AtCycle *c)
{
    uint32_t gap = 0;
    if (g->have_time)
        gap = (uint32_t)c->frame_time - g->last_time - g->last_nframes;
    g->last_time = (uint32_t)c->frame_time;
    g->last_nframes = c->nframes;
    g->have_time = true;
    return gap < 0x80000000u ? gap : 0;
}

void at_shell_count(AtCycle *c, uint32_t total, uint32_t *seen, const char *fmt)
{
    if (total == *seen)
        return;
    at_cycle_log(c, fmt, (int)(total - *seen), (int)total);
    *seen = total;
}

bool at_shell_warn_due(AtShellWarn *w, const AtCycle *c, uint32_t n, int *count)
{
    w->pending += (int)n;
    if (w->pending == 0)
        return false;
    if (w->told && c->frame_time - w->last < c->rate)
        return false;
    *count = w->pending;
    w->pending = 0;
    w->last = c->frame_time;
    w->told = true;
    return true;
}
