/* netroute.c - connections across hosts through NetJACK2's ports. */
#include "netroute.h"

#include <stdio.h>
#include <string.h>

/* Directions: what crosses the link towards the host (send) or back. */
enum { DIR_AUDIO_SEND, DIR_AUDIO_RETURN, DIR_MIDI_SEND, DIR_MIDI_RETURN };

int ss_route_host_of(const SsSession *s, const char *port)
{
    const char *colon = strchr(port, ':');
    if (!colon || (size_t)(colon - port) >= SS_ID_MAX)
        return -1;
    char id[SS_ID_MAX];
    snprintf(id, sizeof id, "%.*s", (int)(colon - port), port);
    int k = ss_session_find(s, id);
    if (k < 0 || !s->clients[k].host[0])
        return -1;
    return ss_hosts_find(s->hosts, s->n_hosts, s->clients[k].host);
}

static int limit_of(const SsHostDef *h, int dir)
{
    switch (dir) {
    case DIR_AUDIO_SEND:
        return h->audio_send;
    case DIR_AUDIO_RETURN:
        return h->audio_return;
    case DIR_MIDI_SEND:
        return h->midi_send;
    default:
        return h->midi_return;
    }
}

static const char *const dir_keys[] = {"audio-send", "audio-return", "midi-send", "midi-return"};

/* The channel (1-based) carrying port to/from host h in direction dir;
 * *fresh = it was free until now. */
static int channel(const SsSession *s, SsChannels *ch, int h, int dir, const char *port,
                   char **fresh, char *err, size_t errlen)
{
    *fresh = NULL;
    int lim = limit_of(&s->hosts[h], dir);
    if (lim > SS_ROUTE_MAX_CHANNELS)
        lim = SS_ROUTE_MAX_CHANNELS;
    for (int k = 0; k < lim; k++) {
        char *slot = ch->port[h][dir][k];
        if (!strncmp(slot, port, sizeof ch->port[0][0][0] - 1))
            return k + 1;
        if (!slot[0]) {
            snprintf(slot, sizeof ch->port[0][0][0], "%s", port);
            *fresh = slot;
            return k + 1;
        }
    }
    snprintf(err, errlen,
             "no free NetJACK2 channel for %s on host '%s': its %d %s channels are taken; raise "
             "%s of that host",
             port, s->hosts[h].name, lim, dir_keys[dir], dir_keys[dir]);
    return -1;
}

static void leg(SsLeg *legs, int *n, int host, const char *from, const char *to)
{
    SsLeg *l = &legs[(*n)++];
    l->host = host;
    snprintf(l->from, sizeof l->from, "%s", from);
    snprintf(l->to, sizeof l->to, "%s", to);
}

bool ss_route(const SsSession *s, SsChannels *ch, const char *from, const char *to, bool midi,
              SsLeg *legs, int *n, char *err, size_t errlen)
{
    *n = 0;
    int hf = ss_route_host_of(s, from), ht = ss_route_host_of(s, to);
    if (hf == ht) { /* both on one server: no link to cross */
        leg(legs, n, hf, from, to);
        return true;
    }
    char net[SS_ROUTE_PORT_MAX], mid[SS_ROUTE_PORT_MAX] = "", *fresh = NULL, *fresh2;
    snprintf(mid, sizeof mid, "%s", from); /* the master-side source so far */
    if (hf >= 0) { /* out of host hf: its slave's playback port, back as from_slave */
        int k = channel(s, ch, hf, midi ? DIR_MIDI_RETURN : DIR_AUDIO_RETURN, from, &fresh, err,
                        errlen);
        if (k < 0)
            return false;
        snprintf(net, sizeof net, "system:%s_%d", midi ? "midi_playback" : "playback", k);
        leg(legs, n, hf, from, net);
        snprintf(mid, sizeof mid, "%s:%s_%d", s->hosts[hf].name,
                 midi ? "midi_from_slave" : "from_slave", k);
    }
    if (ht < 0) {
        leg(legs, n, -1, mid, to);
        return true;
    }
    /* Into host ht: to_slave on the master, the slave's capture port there. */
    int k = channel(s, ch, ht, midi ? DIR_MIDI_SEND : DIR_AUDIO_SEND, mid, &fresh2, err, errlen);
    if (k < 0) {
        if (fresh) /* a failed route keeps no channel */
            fresh[0] = 0;
        *n = 0;
        return false;
    }
    snprintf(net, sizeof net, "%s:%s_%d", s->hosts[ht].name, midi ? "midi_to_slave" : "to_slave",
             k);
    leg(legs, n, -1, mid, net);
    snprintf(net, sizeof net, "system:%s_%d", midi ? "midi_capture" : "capture", k);
    leg(legs, n, ht, net, to);
    return true;
}
