/* agentproc.c - the session agent's processes (see agent_int.h): the
 * NetJACK2 slave and the clients it starts, the NSM server side for those
 * clients, their supervision (reaping, restarting with back-off) and the
 * connections kept on the slave server. */
#include "agent_int.h"
#include "child.h"

#include "log.h"
#include "monotime.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* Start exe; it gets die_sig when the agent ends, even by SIGKILL (the
 * slave jackd SIGKILL: one left behind would keep the server's name). */
pid_t ag_spawn(const char *exe, char *const argv[], const char *server, const char *nsm_url,
               int die_sig)
{
    pid_t agent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, die_sig);
        if (getppid() != agent)
            _exit(127);
        if (server)
            setenv("JACK_DEFAULT_SERVER", server, 1);
        if (nsm_url)
            setenv("NSM_URL", nsm_url, 1);
        else
            unsetenv("NSM_URL");
        setenv("JACK_NO_START_SERVER", "1", 1);
        execv(exe, argv);
        fprintf(stderr, "aiotone-session agent: cannot run %s: %s\n", exe, strerror(errno));
        _exit(127);
    }
    return pid;
}

/* Start client k of the session (it is on this host). */
bool ag_launch(Agent *g, int k)
{
    const SsClientDef *d = &g->s.clients[k];
    char exe[PATH_MAX];
    if (!ss_resolve_command(d->command, g->self_dir, getenv("PATH"), exe, sizeof exe)) {
        at_error("agent: client '%s': program '%s' not found (next to aiotone-session or on "
                 "PATH)",
                 d->id, d->command);
        return false;
    }
    /* The rules of local clients (docs/sessions.md): an NSM client gets
     * NSM_URL (this agent) and opens DIR/ID, loading DIR/ID.conf; a plain
     * one only its args. */
    char *argv[SS_MAX_ARGS + 2], url[64];
    sm_client_argv(d, argv);
    sm_nsm_url(url, sizeof url, at_osc_port(g->nsm));
    g->cl[k].nsm_len = 0;
    g->cl[k].save_asked = false;
    g->cl[k].pid = ag_spawn(exe, argv, g->server, d->nsm ? url : NULL, SIGTERM);
    if (g->cl[k].pid < 0)
        return false;
    char line[1024];
    size_t len = (size_t)snprintf(line, sizeof line, "%s", exe);
    for (int i = 1; argv[i] && len < sizeof line; i++)
        len += (size_t)snprintf(line + len, sizeof line - len, " %s", argv[i]);
    at_info("agent: started client '%s' (%s, pid %d%s)", d->id, line, (int)g->cl[k].pid,
            d->nsm ? ", NSM" : "");
    return true;
}

void ag_stop_pid(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(pid, SIGTERM);
    for (int i = 0; i < 50; i++) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return;
        usleep(100000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

static void send_msg(AtOsc *osc, const struct sockaddr_storage *to, socklen_t len, const char *path,
                     const char *a, const char *b, const char *c)
{
    lo_message m = lo_message_new();
    if (!m)
        return;
    at_osc_add_strings(m, a, b, c);
    at_osc_send_to(osc, to, len, path, m);
    lo_message_free(m);
}

static int client_by_pid(const Agent *g, pid_t pid)
{
    for (int k = 0; g->have_session && k < g->s.n_clients; k++)
        if (g->cl[k].pid == pid && pid > 0)
            return k;
    return -1;
}

static int client_by_nsm_addr(const Agent *g, const AtOscMsg *msg)
{
    for (int k = 0; g->have_session && k < g->s.n_clients; k++)
        if (g->cl[k].nsm_len == msg->fromlen &&
            !memcmp(&g->cl[k].nsm_addr, &msg->from, msg->fromlen))
            return k;
    return -1;
}

/* The NSM server side, for the clients this agent started (loopback). */
void ag_on_nsm(void *user, AtOsc *osc, const AtOscMsg *msg)
{
    Agent *g = user;
    if (!msg->allowed)
        return;
    if (!strcmp(msg->path, "/nsm/server/announce")) {
        int k = !strcmp(msg->types, "sssiii") ? client_by_pid(g, at_osc_arg_i32(msg->argv[5])) : -1;
        if (k < 0) {
            lo_message m = lo_message_new();
            lo_message_add_string(m, "/nsm/server/announce");
            lo_message_add_int32(m, -1);
            lo_message_add_string(m, "this agent did not launch you");
            at_osc_send_to(osc, &msg->from, msg->fromlen, "/error", m);
            lo_message_free(m);
            return;
        }
        memcpy(&g->cl[k].nsm_addr, &msg->from, msg->fromlen);
        g->cl[k].nsm_len = msg->fromlen;
        send_msg(osc, &msg->from, msg->fromlen, "/reply", "/nsm/server/announce",
                 "welcome to aiotone-session agent", "aiotone-session");
        char path[PATH_MAX + 80];
        const char *id = g->s.clients[k].id;
        snprintf(path, sizeof path, "%s/%s", g->dir, id);
        send_msg(osc, &msg->from, msg->fromlen, "/nsm/client/open", path, id, id);
        return;
    }
    int k = client_by_nsm_addr(g, msg);
    if (k < 0 || msg->argc < 1 || msg->types[0] != 's')
        return;
    const char *id = g->s.clients[k].id, *what = at_osc_arg_str(msg->argv[0]);
    bool ok = !strcmp(msg->path, "/reply");
    if (!ok && strcmp(msg->path, "/error"))
        return; /* is_dirty, messages: nothing to do here */
    if (!strcmp(what, "/nsm/client/open")) {
        if (ok)
            at_info("agent: client '%s' is open", id);
        else
            at_error("agent: client '%s' could not open its state", id);
    } else if (!strcmp(what, "/nsm/client/save") && g->cl[k].save_asked) {
        g->cl[k].save_asked = false;
        char path[PATH_MAX + 80];
        snprintf(path, sizeof path, "%s/%s.conf", g->dir, id);
        char *text = ok ? ss_read_file(path, NULL) : NULL;
        if (text)
            send_msg(g->osc, &g->master, g->master_len, "/aiotone/agent/state", id, text, NULL);
        else
            send_msg(g->osc, &g->master, g->master_len, "/aiotone/agent/state-error", id,
                     ok ? "the state file cannot be read" : "the client could not save", NULL);
        at_info("agent: client '%s' saved%s", id, text ? "; state sent to the master" : " NOT");
        free(text);
    }
}

static void on_jack_gone(void *arg)
{
    Agent *g = arg;
    atomic_store(&g->jack_gone, 1);
}

/* Make every kept connection whose ports exist on the slave server. */
void ag_keep_legs(Agent *g)
{
    if (g->jack && atomic_load(&g->jack_gone)) {
        jack_client_close(g->jack);
        g->jack = NULL;
    }
    if (!g->n_legs || g->slave_pid <= 0)
        return;
    double now = at_mono_now();
    if (!g->jack) {
        if (now - g->jack_tried_at < 1.0)
            return;
        g->jack_tried_at = now;
        jack_status_t st;
        g->jack =
            jack_client_open("aiotone-agent", JackNoStartServer | JackServerName, &st, g->server);
        if (!g->jack)
            return;
        atomic_store(&g->jack_gone, 0);
        jack_on_shutdown(g->jack, on_jack_gone, g);
        if (jack_activate(g->jack)) {
            jack_client_close(g->jack);
            g->jack = NULL;
            return;
        }
    }
    for (int i = 0; i < g->n_legs; i++) {
        jack_port_t *p = jack_port_by_name(g->jack, g->legs[i].from);
        if (!p || !jack_port_by_name(g->jack, g->legs[i].to) ||
            jack_port_connected_to(p, g->legs[i].to))
            continue;
        int r = jack_connect(g->jack, g->legs[i].from, g->legs[i].to);
        if (r == 0 || r == EEXIST)
            at_info("agent: connected %s -> %s", g->legs[i].from, g->legs[i].to);
    }
}

/* Reap children; restart a wanted client that died, with back-off. */
void ag_supervise(Agent *g)
{
    int st;
    pid_t pid;
    while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
        if (pid == g->slave_pid) {
            at_warn("agent: the NetJACK2 slave ended (status %d)", st);
            g->slave_pid = 0;
            continue;
        }
        for (int k = 0; k < SS_MAX_CLIENTS; k++) {
            if (g->cl[k].pid != pid)
                continue;
            g->cl[k].pid = 0;
            if (!g->cl[k].want || ss_end_of(st) != SS_END_RESTART)
                break;
            double d = ss_backoff_death(&g->cl[k].backoff, at_mono_now());
            if (d < 0) {
                at_error("agent: client '%s' died too often: given up", g->s.clients[k].id);
                g->cl[k].want = false;
            } else {
                at_warn("agent: client '%s' died: restarting in %.1f s", g->s.clients[k].id, d);
                g->cl[k].restart_at = at_mono_now() + d;
            }
        }
    }
    for (int k = 0; g->have_session && k < g->s.n_clients; k++)
        if (g->cl[k].want && g->cl[k].pid == 0 && at_mono_now() >= g->cl[k].restart_at &&
            !ag_launch(g, k))
            g->cl[k].want = false;
}
