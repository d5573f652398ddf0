/* osc.h - an OSC endpoint over UDP for the control thread: our own socket
 * (so it can bind to loopback, which liblo 0.31 cannot), messages decoded
 * and encoded with liblo, an allow-list for changes, and the list of
 * surfaces that have talked to us (for feedback). No threads: the owner
 * polls at_osc_fd() and calls at_osc_receive(). */
#ifndef AT_OSC_H
#define AT_OSC_H

#include <lo/lo.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define AT_OSC_MAX_SURFACES 16

typedef struct AtOsc AtOsc;

/* A received message: path, liblo-decoded arguments, and the sender. */
typedef struct {
    const char *path;
    const char *types;
    lo_arg **argv;
    int argc;
    bool allowed; /* sender is on the allow-list (may change things) */
    struct sockaddr_storage from;
    socklen_t fromlen;
} AtOscMsg;

typedef void (*AtOscHandler)(void *user, AtOsc *osc, const AtOscMsg *msg);

/* Open a UDP socket on bind_addr:port (port 0 picks a free one). allow
 * lists addresses (IPv4/IPv6 literals, or "a.b.c.d/nn" networks) that may
 * change parameters; loopback is always allowed. NULL + message on error. */
AtOsc *at_osc_open(const char *bind_addr, int port, const char *const *allow, int n_allow,
                   AtOscHandler handler, void *user, char *err, size_t errlen);
/* Close the socket and free. */
void at_osc_close(AtOsc *osc);
/* The socket to poll for input. */
int at_osc_fd(const AtOsc *osc);
/* The bound UDP port. */
int at_osc_port(const AtOsc *osc);
/* Read and dispatch every datagram waiting (non-blocking); bundles are
 * unpacked and their messages dispatched at once. Malformed packets are
 * counted and dropped. Returns the number of messages dispatched. */
int at_osc_receive(AtOsc *osc);
/* Dispatch one packet as if it came from `from` (data must have one
 * writable byte past size, set to 0). For tests and fuzzing. */
int at_osc_dispatch_packet(AtOsc *osc, unsigned char *data, size_t size,
                           const struct sockaddr_storage *from, socklen_t fromlen);
/* Packets dropped as malformed so far. */
unsigned at_osc_bad_packets(const AtOsc *osc);
/* Add the strings among a, b and c that are not NULL to m, in that order. */
void at_osc_add_strings(lo_message m, const char *a, const char *b, const char *c);
/* Send m to path at one address. */
bool at_osc_send_to(AtOsc *osc, const struct sockaddr_storage *to, socklen_t tolen,
                    const char *path, lo_message m);
/* Send m to path at every surface that has sent us a message. */
void at_osc_send_surfaces(AtOsc *osc, const char *path, lo_message m);
/* Number of known surfaces. */
int at_osc_surface_count(const AtOsc *osc);
/* Argument accessors: liblo's argument pointers are only 4-byte aligned,
 * so reading them through the lo_arg union is undefined behaviour. */
const char *at_osc_arg_str(const lo_arg *a);
int32_t at_osc_arg_i32(const lo_arg *a);
float at_osc_arg_f32(const lo_arg *a);
double at_osc_arg_f64(const lo_arg *a);
int64_t at_osc_arg_i64(const lo_arg *a);

/* Pure: does the textual IP address ip match allow entry rule? */
bool at_osc_addr_match(const char *rule, const struct sockaddr_storage *addr);

#endif
