/* at-serialosc - a fake serialosc with one fake varibright grid (16x8) for
 * the tests: answers /serialosc/list with /serialosc/device, remembers a
 * /serialosc/notify and fires it with /serialosc/add or /serialosc/remove
 * when told to plug or unplug the grid, plays the grid (/sys/port,
 * /sys/host, /sys/prefix; records /<prefix>/grid/led/level/map and
 * /level/all into its 16x8 levels; sends /<prefix>/grid/key).
 *
 *   at-serialosc -p PORT [-u]     (-u: start with the grid unplugged)
 *
 * Commands on stdin, one a line: plug, unplug, key X Y S, dump FILE (the
 * 8 rows of 16 levels, written whole), quit. Every message received is
 * logged on stdout, one line each: "list PORT", "notify PORT", "sys/port
 * N", "sys/host H", "sys/prefix P", "map X Y", "all L", "other PATH". */
#include "fileio.h"
#include "osc.h"

#include <lo/lo.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define W 16
#define H 8
#define ID "m1000042"

static lo_server daemon_srv, device_srv;
static bool plugged = true;
static int notify_port = -1; /* armed notify target (loopback), -1 none */
static int app_port = -1;    /* where the grid's keys go (from /sys/port) */
static char prefix[128] = "/monome";
static int levels[H][W];

static void say(const char *fmt, const char *a, int b, int c)
{
    printf(fmt, a, b, c);
    putchar('\n');
    fflush(stdout);
}

static void send_to(int port, const char *path, lo_message m)
{
    char p[16];
    snprintf(p, sizeof p, "%d", port);
    lo_address a = lo_address_new("127.0.0.1", p);
    lo_send_message_from(a, daemon_srv, path, m);
    lo_address_free(a);
    lo_message_free(m);
}

static void fire_notify(const char *path)
{
    if (notify_port < 0)
        return;
    lo_message m = lo_message_new();
    lo_message_add_string(m, ID);
    send_to(notify_port, path, m);
    notify_port = -1; /* once: the client asks again */
}

static int on_daemon(const char *path, const char *types, lo_arg **argv, int argc, lo_message msg,
                     void *user)
{
    (void)msg;
    (void)user;
    if (!strcmp(path, "/serialosc/list") && !strcmp(types, "si")) {
        say("list %s%d", "", at_osc_arg_i32(argv[1]), 0);
        if (plugged) {
            lo_message m = lo_message_new();
            lo_message_add_string(m, ID);
            lo_message_add_string(m, "monome 128");
            lo_message_add_int32(m, lo_server_get_port(device_srv));
            send_to(at_osc_arg_i32(argv[1]), "/serialosc/device", m);
        }
    } else if (!strcmp(path, "/serialosc/notify") && !strcmp(types, "si")) {
        say("notify %s%d", "", at_osc_arg_i32(argv[1]), 0);
        notify_port = at_osc_arg_i32(argv[1]);
    } else {
        say("other %s", path, argc, 0);
    }
    return 0;
}

static bool path_is(const char *path, const char *tail)
{
    size_t n = strlen(prefix);
    return !strncmp(path, prefix, n) && !strcmp(path + n, tail);
}

static int on_device(const char *path, const char *types, lo_arg **argv, int argc, lo_message msg,
                     void *user)
{
    (void)msg;
    (void)user;
    if (!plugged)
        return 0; /* an unplugged grid hears nothing */
    if (!strcmp(path, "/sys/port") && !strcmp(types, "i")) {
        app_port = at_osc_arg_i32(argv[0]);
        say("sys/port %s%d", "", app_port, 0);
    } else if (!strcmp(path, "/sys/host") && !strcmp(types, "s")) {
        say("sys/host %s", at_osc_arg_str(argv[0]), 0, 0);
    } else if (!strcmp(path, "/sys/prefix") && !strcmp(types, "s")) {
        snprintf(prefix, sizeof prefix, "%s", at_osc_arg_str(argv[0]));
        say("sys/prefix %s", prefix, 0, 0);
    } else if (path_is(path, "/grid/led/level/map") && argc == 66) {
        for (int i = 0; i < argc; i++)
            if (types[i] != 'i') {
                say("bad map %s", types, 0, 0);
                return 0;
            }
        int x0 = at_osc_arg_i32(argv[0]) & ~7, y0 = at_osc_arg_i32(argv[1]) & ~7;
        for (int i = 0; i < 64; i++) {
            int x = x0 + i % 8, y = y0 + i / 8;
            if (x < W && y < H)
                levels[y][x] = at_osc_arg_i32(argv[2 + i]) & 15;
        }
        say("map %s%d %d", "", x0, y0);
    } else if (path_is(path, "/grid/led/level/all") && !strcmp(types, "i")) {
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                levels[y][x] = at_osc_arg_i32(argv[0]) & 15;
        say("all %s%d", "", at_osc_arg_i32(argv[0]), 0);
    } else {
        say("other %s", path, argc, 0);
    }
    return 0;
}

static bool write_levels(FILE *f, void *ctx)
{
    (void)ctx;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            fprintf(f, "%d%c", levels[y][x], x == W - 1 ? '\n' : ' ');
    return !ferror(f);
}

/* The levels as text, replacing file atomically (common/fileio.h). */
static void dump(const char *file)
{
    at_file_write_atomic_with(file, write_levels, NULL, NULL, 0);
}

static bool command(char *line)
{
    int x, y, s;
    char file[4000];
    if (!strncmp(line, "quit", 4))
        return false;
    if (!strncmp(line, "plug", 4)) {
        plugged = true;
        memset(levels, 0, sizeof levels); /* a fresh grid is dark */
        fire_notify("/serialosc/add");
    } else if (!strncmp(line, "unplug", 6)) {
        plugged = false;
        fire_notify("/serialosc/remove");
    } else if (sscanf(line, "key %d %d %d", &x, &y, &s) == 3 && app_port > 0) {
        char path[200];
        snprintf(path, sizeof path, "%s/grid/key", prefix);
        lo_message m = lo_message_new();
        lo_message_add_int32(m, x);
        lo_message_add_int32(m, y);
        lo_message_add_int32(m, s);
        send_to(app_port, path, m);
    } else if (sscanf(line, "dump %3999s", file) == 1) {
        dump(file);
    }
    return true;
}

int main(int argc, char **argv)
{
    const char *port = "12002";
    int opt;
    while ((opt = getopt(argc, argv, "p:u")) != -1) {
        if (opt == 'p')
            port = optarg;
        else if (opt == 'u')
            plugged = false;
        else {
            fprintf(stderr, "usage: at-serialosc -p PORT [-u]\n");
            return 2;
        }
    }
    daemon_srv = lo_server_new_with_proto(port, LO_UDP, NULL);
    device_srv = lo_server_new_with_proto(NULL, LO_UDP, NULL);
    if (!daemon_srv || !device_srv) {
        fprintf(stderr, "at-serialosc: cannot open UDP port %s\n", port);
        return 1;
    }
    lo_server_add_method(daemon_srv, NULL, NULL, on_daemon, NULL);
    lo_server_add_method(device_srv, NULL, NULL, on_device, NULL);
    say("ready %s%d", "", lo_server_get_port(device_srv), 0);
    char line[4096];
    size_t have = 0;
    for (;;) {
        struct pollfd fds[3] = {{.fd = 0, .events = POLLIN},
                                {.fd = lo_server_get_socket_fd(daemon_srv), .events = POLLIN},
                                {.fd = lo_server_get_socket_fd(device_srv), .events = POLLIN}};
        if (poll(fds, 3, 100) < 0)
            break;
        if (fds[1].revents & POLLIN)
            lo_server_recv_noblock(daemon_srv, 0);
        if (fds[2].revents & POLLIN)
            lo_server_recv_noblock(device_srv, 0);
        if (fds[0].revents & (POLLIN | POLLHUP)) {
            ssize_t r = read(0, line + have, sizeof line - 1 - have);
            if (r <= 0)
                break;
            have += (size_t)r;
            line[have] = 0;
            char *nl;
            bool go = true;
            while (go && (nl = strchr(line, '\n'))) {
                *nl = 0;
                go = command(line);
                size_t used = (size_t)(nl + 1 - line);
                memmove(line, nl + 1, have - used + 1);
                have -= used;
            }
            if (!go)
                break;
            if (have == sizeof line - 1)
                have = 0; /* an overlong line: dropped */
        }
    }
    lo_server_free(daemon_srv);
    lo_server_free(device_srv);
    return 0;
}
