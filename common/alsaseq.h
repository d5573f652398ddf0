/* alsaseq.h - ALSA sequencer clients and ports, and which JACK port bridges
 * each one. Listing needs a sequencer (/dev/snd/seq); the name matching is
 * pure, so a config can name a device by its stable ALSA names ("alsa:CLIENT
 * NAME:PORT NAME") and find it again after the client number changed (replug,
 * reboot, other devices appearing first). Not for RT code. */
#ifndef AT_ALSASEQ_H
#define AT_ALSASEQ_H

#include <stdbool.h>
#include <stddef.h>

/* Longest client or port name kept (ALSA's own limit is 63 + NUL). */
#define AT_SEQ_NAME_MAX 64

/* One sequencer port. */
typedef struct {
    int client, port;
    char client_name[AT_SEQ_NAME_MAX], port_name[AT_SEQ_NAME_MAX];
    bool readable; /* output of the device: we can read (subscribe) from it */
    bool writable; /* input of the device: we can write (subscribe) to it */
    bool hardware; /* the client is a kernel client (a driver, e.g. USB MIDI) */
    bool system;   /* the sequencer's own System client (0: Timer, Announce) */
} AtSeqPort;

/* List sequencer ports (clients and ports in ascending number) into out (at
 * most n); returns how many were stored, or -1 with a clear message in err
 * when the sequencer is unavailable (no /dev/snd/seq, cannot open it). */
int at_seq_list(AtSeqPort *out, int n, char *err, size_t errlen);

/* Pure: does the JACK port jack_port (full name, "client:port") or one of
 * its aliases bridge the ALSA port named by client name + port name, in the
 * direction capture (true = data coming FROM the device into JACK)? Knows
 * a2jmidid's names ("a2j:Virtual Raw MIDI 0-0 [16] (capture): VirMIDI 0-0",
 * also without the client number, as made by a2jmidid -u and older versions)
 * and PipeWire's ("Midi-Bridge:CLIENT:(capture_0) PORT"). Never depends on
 * the client number. jackd's own seq bridge names ports by port NUMBER, not
 * name: use at_seq_bridge_match_port for it. */
bool at_seq_bridge_match(const char *client_name, const char *port_name, bool capture,
                         const char *jack_port, const char *const *aliases, int n_aliases);

/* Pure: at_seq_bridge_match for a listed port, also matching jackd's seq
 * bridge (jackd -X seq: "system:midi_capture_2" with aliases
 * "alsa_pcm:Virtual-Raw-MIDI-0-0/midi_playback_1" and
 * "Virtual-Raw-MIDI-0-0:midi/playback_1"; client name and port number). */
bool at_seq_bridge_match_port(const AtSeqPort *p, bool capture, const char *jack_port,
                              const char *const *aliases, int n_aliases);

/* Parse "alsa:CLIENT NAME:PORT NAME" into its two names (spaces around each
 * name trimmed); false if not of that form or a name does not fit. The
 * first unescaped ':' after "alsa:" separates the names; write "\:" for a
 * ':' inside the client name (rare: ALSA allows it, drivers do not use it).
 * at_seq_find tries every split against the real ports instead. */
bool at_seq_parse_spec(const char *spec, char *client, size_t cl, char *port, size_t pl);

/* Pure: index in ports[0..n) of the port a spec "alsa:CLIENT:PORT" names,
 * trying each ':' as the separator (so ':' in either name works), or -1. */
int at_seq_find(const AtSeqPort *ports, int n, const char *spec);

/* Format a port as a spec "alsa:CLIENT:PORT" (':' and '\\' in the client
 * name are escaped with a backslash); returns false if it did not fit. */
bool at_seq_format_spec(const AtSeqPort *p, char *buf, size_t len);

#endif
