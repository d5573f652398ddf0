/* nsm.c - NSM client protocol over our own OSC endpoint. */
#include "nsm.h"

#include "log.h"
#include "osc.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct AtNsm {
    AtOsc *osc;
    struct sockaddr_storage server;
    socklen_t server_len;
    AtNsmHooks hooks;
    bool announced, refused, opened;
    char client_id[128];
    char path[4096];
    char server_name[128];
    char refusal[256];
};

static void send_msg(AtNsm *n, const char *path, lo_message m)
{
    at_osc_send_to(n->osc, &n->server, n->server_len, path, m);
    lo_message_free(m);
}

static void reply(AtNsm *n, const char *for_path, const char *msg)
{
    lo_message m = lo_message_new();
    lo_message_add_string(m, for_path);
    lo_message_add_string(m, msg);
    send_msg(n, "/reply", m);
}

static void error_reply(AtNsm *n, const char *for_path, int code, const char *msg)
{
    lo_message m = lo_message_new();
    lo_message_add_string(m, for_path);
    lo_message_add_int32(m, code);
    lo_message_add_string(m, msg);
    send_msg(n, "/error", m);
}

static void on_message(void *user, AtOsc *osc, const AtOscMsg *msg)
{
    AtNsm *n = user;
    (void)osc;
    if (!strcmp(msg->path, "/reply") && msg->argc >= 1 && msg->types[0] == 's') {
        if (!strcmp(at_osc_arg_str(msg->argv[0]), "/nsm/server/announce")) {
            n->announced = true;
            if (msg->argc >= 3 && msg->types[2] == 's')
                snprintf(n->server_name, sizeof n->server_name, "%s", at_osc_arg_str(msg->argv[2]));
            at_info("NSM: announced to %s", n->server_name[0] ? n->server_name : "server");
        }
    } else if (!strcmp(msg->path, "/error") && msg->argc >= 3 && !strcmp(msg->types, "sis")) {
        if (!strcmp(at_osc_arg_str(msg->argv[0]), "/nsm/server/announce")) {
            n->refused = true;
            snprintf(n->refusal, sizeof n->refusal, "%s", at_osc_arg_str(msg->argv[2]));
        }
    } else if (!strcmp(msg->path, "/nsm/client/open") && !strcmp(msg->types, "sss")) {
        if (n->opened) {
            if (!n->hooks.switch_to) {
                /* :switch: was not offered, so a second open is refused */
                error_reply(n, "/nsm/client/open", -8, "switching sessions needs a restart");
                return;
            }
            char err[1024] = "";
            const char *path = at_osc_arg_str(msg->argv[0]);
            const char *id = at_osc_arg_str(msg->argv[2]);
            if (n->hooks.switch_to(n->hooks.user, path, id, err, sizeof err) != AT_OK) {
                error_reply(n, "/nsm/client/open", -1, err[0] ? err : "cannot switch");
                return;
            }
            snprintf(n->path, sizeof n->path, "%s", path);
            snprintf(n->client_id, sizeof n->client_id, "%s", id);
            reply(n, "/nsm/client/open", "switched");
            at_nsm_dirty(n, false);
            return;
        }
        snprintf(n->path, sizeof n->path, "%s", at_osc_arg_str(msg->argv[0]));
        snprintf(n->client_id, sizeof n->client_id, "%s", at_osc_arg_str(msg->argv[2]));
        n->opened = true;
    } else if (!strcmp(msg->path, "/nsm/client/save")) {
        char err[1024] = "";
        if (!n->opened) {
            error_reply(n, "/nsm/client/save", -6, "no session open");
        } else if (n->hooks.save &&
                   n->hooks.save(n->hooks.user, n->path, err, sizeof err) == AT_OK) {
            reply(n, "/nsm/client/save", "saved");
            at_nsm_dirty(n, false);
        } else {
            error_reply(n, "/nsm/client/save", -1, err[0] ? err : "cannot save");
        }
    } else if (!strcmp(msg->path, "/nsm/client/session_is_loaded")) {
        /* connections are restored by the session manager; a tool that
         * waits for the whole session (samplesnake) starts now */
        if (n->hooks.loaded)
            n->hooks.loaded(n->hooks.user);
    }
}

AtNsm *at_nsm_open(const char *app_name, const char *exe, const AtNsmHooks *hooks, char *err,
                   size_t errlen)
{
    const char *url = getenv("NSM_URL");
    char *host = url ? lo_url_get_hostname(url) : NULL;
    char *port = url ? lo_url_get_port(url) : NULL;
    AtNsm *n = NULL;
    struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *ai = NULL;
    if (!host || !port || getaddrinfo(host, port, &hints, &ai) != 0) {
        snprintf(err, errlen, "NSM_URL '%s' is not a usable OSC URL (osc.udp://host:port/)",
                 url ? url : "");
        goto out;
    }
    n = calloc(1, sizeof *n);
    if (!n)
        goto out;
    memcpy(&n->server, ai->ai_addr, ai->ai_addrlen);
    n->server_len = ai->ai_addrlen;
    n->hooks = *hooks;
    /* Listen only where the server can reach us: loopback for a local
     * session manager (the usual case), every address otherwise. */
    bool v6 = ai->ai_family == AF_INET6;
    bool local = v6 ? IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr)
                    : (ntohl(((struct sockaddr_in *)ai->ai_addr)->sin_addr.s_addr) >> 24) == 127;
    const char *bind_to = local ? (v6 ? "::1" : "127.0.0.1") : (v6 ? "::" : "0.0.0.0");
    n->osc = at_osc_open(bind_to, 0, NULL, 0, on_message, n, err, errlen);
    if (!n->osc) {
        free(n);
        n = NULL;
        goto out;
    }
    lo_message m = lo_message_new();
    lo_message_add_string(m, app_name);
    lo_message_add_string(m, hooks->switch_to ? ":dirty:switch:" : ":dirty:");
    lo_message_add_string(m, exe);
    lo_message_add_int32(m, 1);
    lo_message_add_int32(m, 1);
    lo_message_add_int32(m, (int)getpid());
    send_msg(n, "/nsm/server/announce", m);
out:
    if (ai)
        freeaddrinfo(ai);
    free(host);
    free(port);
    return n;
}

bool at_nsm_wait_open(AtNsm *n, char *client_id, size_t idlen, char *path, size_t pathlen,
                      volatile sig_atomic_t *stop)
{
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (!n->opened && !n->refused && !*stop) {
        struct pollfd p = {.fd = at_osc_fd(n->osc), .events = POLLIN};
        poll(&p, 1, 100);
        at_osc_receive(n->osc);
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - t0.tv_sec > 30) {
            at_error("NSM: the session manager did not open this client within 30 s");
            return false;
        }
    }
    if (n->refused) {
        at_error("NSM: the session manager refused this client: %s", n->refusal);
        return false;
    }
    if (!n->opened)
        return false;
    snprintf(client_id, idlen, "%s", n->client_id);
    snprintf(path, pathlen, "%s", n->path);
    return true;
}

void at_nsm_open_reply(AtNsm *n, bool ok, const char *msg)
{
    if (ok)
        reply(n, "/nsm/client/open", msg);
    else
        error_reply(n, "/nsm/client/open", -1, msg);
}

int at_nsm_fd(const AtNsm *n)
{
    return at_osc_fd(n->osc);
}

void at_nsm_receive(AtNsm *n)
{
    at_osc_receive(n->osc);
}

void at_nsm_dirty(AtNsm *n, bool dirty)
{
    send_msg(n, dirty ? "/nsm/client/is_dirty" : "/nsm/client/is_clean", lo_message_new());
}

const char *at_nsm_server_name(const AtNsm *n)
{
    return n->server_name;
}

void at_nsm_close(AtNsm *n)
{
    if (!n)
        return;
    at_osc_close(n->osc);
    free(n);
}
