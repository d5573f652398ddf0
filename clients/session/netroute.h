/* netroute.h - how a connection between clients on different hosts goes
 * through NetJACK2 (docs/sessions.md "Studios across machines"). Pure:
 * no JACK, no network. The user writes `fm:out_L -> system:playback_1`
 * as if all were local; when fm runs on host "pi", the route is two legs:
 * on pi's slave server `fm:out_L -> system:playback_K`, and on this
 * machine `pi:from_slave_K -> system:playback_1`, with K a NetJACK2
 * channel given to that source port for as long as the session runs. */
#ifndef SS_NETROUTE_H
#define SS_NETROUTE_H

#include "clients/session/sessconf.h"

#include <stdbool.h>
#include <stddef.h>

#define SS_ROUTE_MAX_LEGS 3
#define SS_ROUTE_PORT_MAX 320

/* One connection to make on one server: host -1 = this machine (the
 * master), else an index in the session's hosts (that host's slave). */
typedef struct {
    int host;
    char from[SS_ROUTE_PORT_MAX], to[SS_ROUTE_PORT_MAX];
} SsLeg;

/* Which NetJACK2 channel carries which port, per host and direction. */
#define SS_ROUTE_MAX_CHANNELS 64
typedef struct {
    char port[SS_MAX_HOSTS][4][SS_ROUTE_MAX_CHANNELS][SS_ROUTE_PORT_MAX / 2];
} SsChannels;

/* The host a port belongs to: the host index of the session client named
 * before the ':' when it runs on a remote host, else -1 (this machine). */
int ss_route_host_of(const SsSession *s, const char *port);
/* The legs of connection from -> to, of type midi (else audio), into
 * legs (*n of them). Channels are given out in order from 1 and kept in
 * ch (the same source port reuses its channel). False with a reason in
 * err when a host has no free channel left in that direction. */
bool ss_route(const SsSession *s, SsChannels *ch, const char *from, const char *to, bool midi,
              SsLeg *legs, int *n, char *err, size_t errlen);

#endif
