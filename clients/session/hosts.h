/* hosts.h - the remote hosts of a session (session.conf's `hosts` list,
 * docs/sessions.md "Studios across machines"): each one runs
 * `aiotone-session agent` and a NetJACK2 slave joined to this machine's
 * JACK server. Parsing, validation and writing back; no JACK, no network. */
#ifndef SS_HOSTS_H
#define SS_HOSTS_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>

#define SS_MAX_HOSTS 8
#define SS_HOST_NAME_MAX 64
#define SS_SECRET_MAX 128
#define SS_AGENT_PORT 7780 /* the agent's default OSC (UDP) port */
#define SS_HOST_LATENCY 2  /* default NetJACK2 latency, in periods */

/* One remote host. Its name is also the JACK client the NetJACK2 slave
 * appears as on this machine's server. */
typedef struct {
    char name[SS_HOST_NAME_MAX];
    char address[64]; /* IPv4 address of the agent (and of the slave) */
    int port;         /* the agent's UDP port */
    char secret[SS_SECRET_MAX];
    int audio_send, audio_return; /* audio channels to the host and back */
    int midi_send, midi_return;   /* MIDI ports to the host and back */
    int latency;                  /* NetJACK2 -l: whole periods added per round trip */
} SsHostDef;

/* A host with every default and the given name. */
void ss_host_default(SsHostDef *h, const char *name);
/* Parse the `hosts` list l of file into out[] (*n entries). On error
 * returns false with "FILE:LINE: key 'K': what is wrong: what is
 * allowed" in err. */
bool ss_hosts_parse(const config_setting_t *l, const char *file, SsHostDef *out, int *n, char *err,
                    size_t errlen);
/* Index of the host called name, or -1. */
int ss_hosts_find(const SsHostDef *h, int n, const char *name);
/* Do two host lists say the same? */
bool ss_hosts_same(const SsHostDef *a, int na, const SsHostDef *b, int nb);
/* The `hosts = ( ... );` section as malloc'd libconfig text ending in a
 * newline (NULL on no memory). */
char *ss_hosts_format(const SsHostDef *h, int n);
/* Is s usable as a shared secret (8..127 printable ASCII characters, no
 * space or quote)? */
bool ss_valid_secret(const char *s);

#endif
