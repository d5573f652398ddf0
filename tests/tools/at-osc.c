/* at-osc - send one OSC message from a local UDP socket and print every
 * message that comes back to that socket for a while, one per line:
 * "PATH TYPES ARG...". A test peer for OSC replies and feedback.
 *   at-osc [-w MS] [-l LISTEN_MS_ONLY] HOST PORT PATH [TYPES [ARG...]] */
#include "osc.h"

#include <lo/lo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int handler(const char *path, const char *types, lo_arg **argv, int argc, lo_message msg,
                   void *user)
{
    (void)msg;
    (void)user;
    printf("%s %s", path, types);
    for (int i = 0; i < argc; i++) {
        switch (types[i]) {
        case 'i':
            printf(" %d", at_osc_arg_i32(argv[i]));
            break;
        case 'f':
            printf(" %g", at_osc_arg_f32(argv[i]));
            break;
        case 'd':
            printf(" %g", at_osc_arg_f64(argv[i]));
            break;
        case 's':
            printf(" %s", at_osc_arg_str(argv[i]));
            break;
        default:
            printf(" ?");
            break;
        }
    }
    printf("\n");
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    int wait_ms = 300;
    int opt;
    while ((opt = getopt(argc, argv, "w:")) != -1) {
        if (opt == 'w')
            wait_ms = atoi(optarg);
        else
            return 2;
    }
    if (argc - optind < 3) {
        fprintf(stderr, "usage: at-osc [-w MS] HOST PORT PATH [TYPES [ARG...]]\n");
        return 2;
    }
    const char *host = argv[optind], *port = argv[optind + 1], *path = argv[optind + 2];
    const char *types = argc - optind > 3 ? argv[optind + 3] : "";
    lo_server s = lo_server_new(NULL, NULL);
    if (!s)
        return 1;
    lo_server_add_method(s, NULL, NULL, handler, NULL);
    lo_address a = lo_address_new(host, port);
    lo_message m = lo_message_new();
    int k = optind + 4;
    for (const char *t = types; *t; t++, k++) {
        if (k >= argc) {
            fprintf(stderr, "at-osc: missing argument for type %c\n", *t);
            return 2;
        }
        switch (*t) {
        case 'i':
            lo_message_add_int32(m, atoi(argv[k]));
            break;
        case 'f':
            lo_message_add_float(m, (float)atof(argv[k]));
            break;
        case 's':
            lo_message_add_string(m, argv[k]);
            break;
        case 'T':
            lo_message_add_true(m);
            k--;
            break;
        default:
            fprintf(stderr, "at-osc: type %c not supported\n", *t);
            return 2;
        }
    }
    if (lo_send_message_from(a, s, path, m) < 0) {
        fprintf(stderr, "at-osc: send failed\n");
        return 1;
    }
    int left = wait_ms;
    while (left > 0) {
        lo_server_recv_noblock(s, 20);
        left -= 20;
    }
    lo_message_free(m);
    lo_address_free(a);
    lo_server_free(s);
    return 0;
}
