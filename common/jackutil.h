/* jackutil.h - JACK helpers for the control thread: opening a client with
 * a clear error, port metadata for patchbays, and finding a port by full
 * name, alias or pretty name. */
#ifndef AT_JACKUTIL_H
#define AT_JACKUTIL_H

#include <jack/jack.h>
#include <stdbool.h>
#include <stddef.h>

/* Open a client named name on server (NULL: default / $JACK_DEFAULT_SERVER)
 * without starting a server. On failure NULL and a message that says what
 * to do (start jackd, QjackCtl...). */
jack_client_t *at_jack_open(const char *name, const char *server, char *err, size_t errlen);
/* Set pretty-name, port-group and order metadata on a port (NULLs and
 * order < 0 are skipped). */
void at_jack_port_meta(jack_client_t *c, jack_port_t *port, const char *pretty, const char *group,
                       int order);
/* Set the client's pretty-name and icon-name metadata. */
void at_jack_client_meta(jack_client_t *c, const char *pretty, const char *icon);
/* Remove the metadata this client set on itself and its ports. */
void at_jack_clear_meta(jack_client_t *c, jack_port_t **ports, int n);
/* Find a port matching spec: its full name, one of its aliases, its
 * pretty-name, "client pretty-name:port pretty-name", or an ALSA
 * "alsa:CLIENT:PORT" name bridged into JACK. Only ports of type
 * (JACK_DEFAULT_MIDI_TYPE / JACK_DEFAULT_AUDIO_TYPE) and with flag
 * (JackPortIsInput / JackPortIsOutput) are considered. Returns the full
 * name (malloc'd) or NULL when no such port exists now. */
char *at_jack_resolve(jack_client_t *c, const char *spec, const char *type, unsigned long flag);

#endif
