/* remote.c - the NSM server's I/O: OSC in -> events for the core
 * (nsmcore.c), the core's actions -> OSC out, session.conf written for a
 * save; and the commands on the manager's port (/nsm/server/..., the
 * status the control commands ask for). */
#include "child.h"
#include "folders.h"
#include "jack.h"
#include "netmaster.h"
#include "remote.h"
#include "supervise.h"
#include "monotime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static NcAddr addr_of(const AtOscMsg *msg)
{
    NcAddr a = {.len = msg->fromlen};
    memcpy(&a.a, &msg->from, msg->fromlen);
    return a;
}

/* An OSC message as the core's event (false: a type it does not take). */
static bool to_event(const AtOscMsg *msg, NcMsg *out)
{
    if (strlen(msg->path) >= sizeof out->path || msg->argc > NC_MAX_ARGS)
        return false;
    snprintf(out->path, sizeof out->path, "%s", msg->path);
    out->argc = msg->argc;
    for (int k = 0; k < msg->argc; k++) {
        NcArg *a = &out->argv[k];
        *a = (NcArg){.type = msg->types[k]};
        if (a->type == 's')
            a->s = (char *)at_osc_arg_str(msg->argv[k]);
        else if (a->type == 'i')
            a->i = at_osc_arg_i32(msg->argv[k]);
        else if (a->type == 'f')
            a->f = at_osc_arg_f32(msg->argv[k]);
    }
    return true;
}

static void send_msg(SmMgr *m, const NcAddr *to, const NcMsg *msg)
{
    lo_message o = lo_message_new();
    for (int k = 0; k < msg->argc; k++) {
        const NcArg *a = &msg->argv[k];
        if (a->type == 's')
            lo_message_add_string(o, a->s ? a->s : "");
        else if (a->type == 'i')
            lo_message_add_int32(o, a->i);
        else
            lo_message_add_float(o, a->f);
    }
    at_osc_send_to(m->osc, &to->a, to->len, msg->path, o);
    lo_message_free(o);
}

static void reply(SmMgr *m, const AtOscMsg *to, const char *for_path, const char *text)
{
    lo_message r = lo_message_new();
    lo_message_add_string(r, for_path);
    lo_message_add_string(r, text);
    at_osc_send_to(m->osc, &to->from, to->fromlen, "/reply", r);
    lo_message_free(r);
}

static void error_to(SmMgr *m, const NcAddr *to, const char *for_path, int code, const char *text)
{
    lo_message r = lo_message_new();
    lo_message_add_string(r, for_path);
    lo_message_add_int32(r, code);
    lo_message_add_string(r, text);
    at_osc_send_to(m->osc, &to->a, to->len, "/error", r);
    lo_message_free(r);
}

/* Write session.conf for a save, keeping the user's text: untouched when
 * nothing in it changed, else only the settings that changed are
 * rewritten (see ss_session_update_text). */
static AtStatus write_conf(SmMgr *m, bool *unchanged, char *err, size_t errlen)
{
    char *old_text = ss_read_file(m->conf, NULL);
    SsSession old;
    char why[1024];
    *unchanged = false;
    if (!old_text || ss_session_parse(&old, old_text, m->conf, why, sizeof why) != AT_OK) {
        /* gone or broken meanwhile: write the session as it runs */
        free(old_text);
        return ss_session_save(&m->s, m->conf, err, errlen);
    }
    AtStatus st = AT_OK;
    if (ss_session_same(&old, &m->s)) {
        *unchanged = true;
    } else {
        char *text = ss_session_update_text(old_text, &old, &m->s);
        if (!text) {
            snprintf(err, errlen, "out of memory");
            st = AT_ERR_RUNTIME;
        } else {
            st = ss_session_write_text(text, m->conf, err, errlen);
        }
        free(text);
    }
    ss_session_free(&old);
    free(old_text);
    return st;
}

/* A save's second half: the connections as they are now, session.conf. */
static void save_conf(SmMgr *m)
{
    char err[1024] = "";
    sj_collect(m);
    bool unchanged = false;
    AtStatus st = write_conf(m, &unchanged, err, sizeof err);
    nc_save_written(&m->core, st == AT_OK, unchanged, err, m->s.n_conns);
}

/* A client answered its open: how long it took; its ports may be up. */
static void opened(SmMgr *m, int i)
{
    const SmClient *c = &m->cl[i];
    if (c->restarts)
        at_info("client '%s' is open (%.0f ms after restart %d)", m->core.cl[i].id,
                (at_mono_now() - c->launched_at) * 1000.0, c->restarts);
    else
        at_info("client '%s' is open (%.0f ms after start)", m->core.cl[i].id,
                (at_mono_now() - m->t0) * 1000.0);
    atomic_store(&m->jack_changed, 1);
}

/* Open the session folder dst for a request (after a copy or creation,
 * said in done) and answer it. */
static void open_for(SmMgr *m, const char *dst, const char *done)
{
    char err[2048], text[8400];
    if (sm_switch(m, dst, err, sizeof err)) {
        snprintf(text, sizeof text, "%sopened %s", done, dst);
        nc_done(&m->core, true, 0, text);
    } else {
        snprintf(text, sizeof text, "%s%s does not open: %s; %s stays open", done, dst, err,
                 m->dir);
        at_error("%s", text);
        nc_done(&m->core, false, -9, text);
    }
}

/* Carry out a request on the whole session (saved already, but abort). */
static void do_request(SmMgr *m, NcOp op, const char *arg)
{
    char dst[4200], err[2048], done[8400];
    if (op == NC_OP_CLOSE || op == NC_OP_QUIT || op == NC_OP_ABORT) {
        nc_done(&m->core, true, 0, "stopping");
        m->quitting = true;
        return;
    }
    if (!sm_session_path(m->core.root, arg, dst, sizeof dst, err, sizeof err)) {
        nc_done(&m->core, false, -1, err);
        return;
    }
    if (op == NC_OP_OPEN) {
        open_for(m, dst, "");
        return;
    }
    bool ok = op == NC_OP_DUPLICATE ? sm_copy_session(m->dir, dst, err, sizeof err)
                                    : sm_new_session(dst, err, sizeof err);
    if (!ok) {
        at_error("%s: %s", nc_op_path(op), err);
        nc_done(&m->core, false, -10, err);
        return;
    }
    if (op == NC_OP_DUPLICATE)
        snprintf(done, sizeof done, "duplicated %s as %s; ", m->dir, dst);
    else
        snprintf(done, sizeof done, "created %s; ", dst);
    at_info("%s", done);
    open_for(m, dst, done);
}

static void carry_out_once(SmMgr *m, bool *remote_save);

void sm_carry_out(SmMgr *m)
{
    /* (an action may add more: nc_save_written after a write; the hosts'
     * answers for clients they cannot save add more after the loop) */
    bool remote_save;
    do {
        remote_save = false;
        carry_out_once(m, &remote_save);
        if (remote_save)
            ss_remote_save(m);
    } while (remote_save && m->core.n_act > 0);
}

static void carry_out_once(SmMgr *m, bool *remote_save)
{
    for (int k = 0; k < m->core.n_act; k++) {
        NcAction a = m->core.act[k];
        switch (a.kind) {
        case NC_SEND:
            send_msg(m, &a.to, &a.msg);
            break;
        case NC_LOG:
            at_log(a.level, "%s", a.text);
            break;
        case NC_OPENED:
            opened(m, a.client);
            break;
        case NC_WRITE_CONF:
            save_conf(m);
            break;
        case NC_DO:
            do_request(m, a.op, a.text);
            break;
        case NC_SAVE_REMOTE:
            *remote_save = true;
            break;
        case NC_STOP:
            sm_stop_client(m, a.client);
            break;
        case NC_RESUME:
            sm_resume_client(m, a.client);
            break;
        case NC_REMOVE:
            sm_drop_client(m, a.client);
            break;
        }
    }
    nc_clear(&m->core);
}

static char *status_text(SmMgr *m)
{
    size_t cap = 65536, len = 0;
    char *t = malloc(cap);
    if (!t)
        return NULL;
#define OUT(...)                                                                                   \
    do {                                                                                           \
        int w_ = snprintf(t + len, cap - len, __VA_ARGS__);                                        \
        if (w_ > 0)                                                                                \
            len = len + (size_t)w_ < cap ? len + (size_t)w_ : cap - 1;                             \
    } while (0)
    OUT("session %s\n  manager pid %d, OSC osc.udp://127.0.0.1:%d/, JACK server '%s'%s\n", m->dir,
        (int)getpid(), at_osc_port(m->osc), m->server,
        m->jackd_pid > 0 ? " (started by this session)" : "");
    OUT("clients:\n");
    for (int i = 0; i < m->s.n_clients; i++) {
        const NcClient *c = &m->core.cl[i];
        const SsClientDef *d = &m->s.clients[i];
        OUT("  %-14s %-10s %s pid %d restarts %d%s%s%s%s%s\n", d->id, nc_state_name(c->state),
            d->command, c->pid, m->cl[i].restarts, d->nsm ? "" : " (plain)", d->job ? " (job)" : "",
            c->dirty ? " dirty" : "", c->message[0] ? " - " : "", c->message);
        char ports[4096];
        sj_client_ports(m, d->id, ports, sizeof ports);
        OUT("      ports: %s\n", ports[0] ? ports : "(none)");
    }
    OUT("connections:\n");
    static const char *const st[] = {"waiting (port absent)", "made", "NOT CONNECTED"};
    for (int i = 0; i < m->s.n_conns; i++)
        OUT("  %s -> %s  %s\n", m->s.conns[i].from, m->s.conns[i].to, st[sj_conn_state(m, i)]);
#undef OUT
    ss_remote_status(m, t, cap);
    return t;
}

/* /nsm/server/add s EXECUTABLE: a new NSM client under a fresh id. */
static void cmd_add(SmMgr *m, const AtOscMsg *msg)
{
    const NcAddr from = addr_of(msg);
    char err[512];
    if (strcmp(msg->types, "s")) {
        error_to(m, &from, "/nsm/server/add", -1, "add takes s EXECUTABLE");
        return;
    }
    const char *exe = at_osc_arg_str(msg->argv[0]);
    char probe[4096], id[SS_ID_MAX];
    if (!ss_resolve_command(exe, m->self_dir, getenv("PATH"), probe, sizeof probe)) {
        error_to(m, &from, "/nsm/server/add", -4,
                 "not an allowed program (a bare name next to aiotone-session or on PATH)");
        return;
    }
    const char *base = !strncmp(exe, "aiotone-", 8) ? exe + 8 : exe;
    for (int k = 1;; k++) {
        snprintf(id, sizeof id, k == 1 ? "%.40s" : "%.40s-%d", base, k);
        for (char *p = id; *p; p++)
            if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", *p))
                *p = '_';
        if (ss_session_find(&m->s, id) < 0)
            break;
    }
    if (!ss_session_add_client(&m->s, id, exe, NULL, 0, true, err, sizeof err)) {
        error_to(m, &from, "/nsm/server/add", -1, err);
        return;
    }
    int i = m->s.n_clients - 1;
    m->cl[i] = (SmClient){.out = {.fd = {-1, -1}}};
    nc_add(&m->core, id, exe, true);
    sm_launch(m, i);
    char text[128];
    snprintf(text, sizeof text, "added as '%s'", id);
    reply(m, msg, "/nsm/server/add", text);
}

static NcOp request_of(const char *path)
{
    for (NcOp op = NC_OP_DUPLICATE; op <= NC_OP_ABORT; op++)
        if (!strcmp(path, nc_op_path(op)))
            return op;
    return NC_OP_NONE;
}

/* duplicate/open/new take s NAME; close/quit/abort nothing. */
static void on_request(SmMgr *m, const AtOscMsg *msg, NcOp op)
{
    const NcAddr from = addr_of(msg);
    bool named = op == NC_OP_DUPLICATE || op == NC_OP_OPEN || op == NC_OP_NEW;
    if (named && strcmp(msg->types, "s")) {
        error_to(m, &from, msg->path, -1, "takes s NAME (a session name or an absolute path)");
        return;
    }
    nc_request(&m->core, op, &from, named ? at_osc_arg_str(msg->argv[0]) : "", at_mono_now());
}

static void on_command(SmMgr *m, const AtOscMsg *msg)
{
    const NcAddr from = addr_of(msg);
    if (!strcmp(msg->path, "/nsm/server/save")) {
        nc_save(&m->core, &from, at_mono_now());
    } else if (request_of(msg->path) != NC_OP_NONE) {
        on_request(m, msg, request_of(msg->path));
    } else if (!strcmp(msg->path, "/nsm/gui/gui_announce")) {
        nc_gui_announce(&m->core, &from);
    } else if (!strcmp(msg->path, "/nsm/server/list")) {
        static char names[256][256];
        int n = sm_list_sessions(m->core.root[0] ? m->core.root : "/", names, 256);
        for (int i = 0; i < n; i++)
            reply(m, msg, "/nsm/server/list", names[i]);
        reply(m, msg, "/nsm/server/list", ""); /* the end of the list */
    } else if (!strcmp(msg->path, "/nsm/server/add")) {
        cmd_add(m, msg);
    } else if (!strcmp(msg->path, "/aiotone/session/status")) {
        char *t = status_text(m);
        reply(m, msg, "/aiotone/session/status", t ? t : "out of memory");
        free(t);
    } else if (msg->argc > NC_MAX_ARGS && (!strncmp(msg->path, "/nsm/gui/client/", 16) ||
                                           !strcmp(msg->path, "/nsm/server/broadcast"))) {
        error_to(m, &from, msg->path, -1, "too many arguments (at most 8)");
    } else if (!strncmp(msg->path, "/nsm/server/", 12)) {
        error_to(m, &from, msg->path, -1, "not supported by aiotone-session");
    }
}

void sm_on_osc(void *user, AtOsc *osc, const AtOscMsg *msg)
{
    SmMgr *m = user;
    (void)osc;
    if (!msg->allowed)
        return; /* only loopback (the socket is bound there anyway) */
    NcMsg in;
    const NcAddr from = addr_of(msg);
    if (!to_event(msg, &in) || !nc_receive(&m->core, &from, &in))
        on_command(m, msg);
    sm_carry_out(m);
}
