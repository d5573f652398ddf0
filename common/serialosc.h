/* serialosc.h - a client of serialosc, the daemon that puts monome grids on
 * OSC, for the control thread: finds a grid by asking serialosc (list and
 * notify), points the grid's messages at us (/sys/port, /sys/host,
 * /sys/prefix), follows a grid that appears later or goes away, passes its
 * key presses on and sends LED levels. Our own UDP socket on loopback
 * (common/osc.c); no threads: call at_serialosc_poll() often. */
#ifndef AT_SERIALOSC_H
#define AT_SERIALOSC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct AtSerialosc AtSerialosc;

typedef struct {
    int port;           /* serialosc's UDP port on loopback (12002) */
    const char *prefix; /* our OSC prefix on the grid, e.g. "/redblue" */
    /* A key: x, y, s (1 pressed, 0 released). */
    void (*key)(void *user, int x, int y, int s);
    /* A grid was taken (true: its id and type) or went away (false). */
    void (*device)(void *user, bool present, const char *id, const char *type);
    void *user;
} AtSerialoscConfig;

/* Open our socket and ask serialosc for its grids. NULL + message on
 * error (no socket); serialosc not running yet is no error. */
AtSerialosc *at_serialosc_open(const AtSerialoscConfig *cfg, char *err, size_t errlen);
/* Dark the grid (level/all 0) when one is taken, close, free. */
void at_serialosc_close(AtSerialosc *s);
/* Read what arrived (non-blocking) and, while no grid is taken, ask
 * serialosc again every second. now_ms: a monotonic clock. */
void at_serialosc_poll(AtSerialosc *s, uint64_t now_ms);
/* True while a grid is taken. */
bool at_serialosc_connected(const AtSerialosc *s);
/* /<prefix>/grid/led/level/map x_off y_off and 64 levels (0..15). */
void at_serialosc_level_map(AtSerialosc *s, int x_off, int y_off, const uint8_t levels[64]);
/* /<prefix>/grid/led/level/all level. */
void at_serialosc_level_all(AtSerialosc *s, int level);
/* Our UDP port (for tests). */
int at_serialosc_port(const AtSerialosc *s);

#endif
