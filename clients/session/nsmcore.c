/* nsmcore.c - the NSM server's state changes (see nsmcore.h). */
#include "nsmcore.h"
#include "nsmcore_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const NcArg no_arg = {0};

void nc_init(NcCore *c, const char *dir)
{
    NcAction *act = c->act;
    int cap = c->cap_act;
    *c = (NcCore){.act = act, .cap_act = cap};
    nc_set_dir(c, dir);
}

void nc_clear(NcCore *c)
{
    for (int k = 0; k < c->n_act; k++) {
        NcAction *a = &c->act[k];
        for (int j = 0; j < a->msg.argc; j++)
            free(a->msg.argv[j].s);
        free(a->text);
    }
    c->n_act = 0;
}

void nc_free(NcCore *c)
{
    nc_clear(c);
    free(c->act);
    c->act = NULL;
    c->cap_act = 0;
}

/* A new action at the end (NULL when out of memory: it is dropped). */
NcAction *nc_act_push(NcCore *c, NcKind kind)
{
    if (c->n_act == c->cap_act) {
        int cap = c->cap_act ? 2 * c->cap_act : 16;
        NcAction *a = realloc(c->act, (size_t)cap * sizeof *a);
        if (!a)
            return NULL;
        c->act = a;
        c->cap_act = cap;
    }
    NcAction *a = &c->act[c->n_act++];
    *a = (NcAction){.kind = kind, .client = -1};
    return a;
}

static void logf_(NcCore *c, AtLogLevel level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void logf_(NcCore *c, AtLogLevel level, const char *fmt, ...)
{
    NcAction *a = nc_act_push(c, NC_LOG);
    if (!a)
        return;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&a->text, fmt, ap) < 0)
        a->text = NULL;
    va_end(ap);
    a->level = level;
    if (!a->text)
        c->n_act--;
}

/* Send path to `to` with arguments by a type string: 's' const char *,
 * 'i' int, 'f' double. */
void nc_act_send(NcCore *c, const NcAddr *to, const char *path, const char *types, ...)
{
    if (!to->len)
        return;
    NcAction *a = nc_act_push(c, NC_SEND);
    if (!a)
        return;
    a->to = *to;
    snprintf(a->msg.path, sizeof a->msg.path, "%s", path);
    va_list ap;
    va_start(ap, types);
    for (const char *t = types; *t && a->msg.argc < NC_MAX_ARGS; t++) {
        NcArg *g = &a->msg.argv[a->msg.argc++];
        *g = no_arg;
        g->type = *t;
        if (*t == 's')
            g->s = strdup(va_arg(ap, const char *));
        else if (*t == 'i')
            g->i = va_arg(ap, int);
        else
            g->f = (float)va_arg(ap, double);
    }
    va_end(ap);
}

void nc_act_reply(NcCore *c, const NcAddr *to, const char *for_path, const char *text)
{
    nc_act_send(c, to, "/reply", "ss", for_path, text);
}

void nc_act_error(NcCore *c, const NcAddr *to, const char *for_path, int code, const char *text)
{
    nc_act_send(c, to, "/error", "sis", for_path, code, text);
}

int nc_add(NcCore *c, const char *id, const char *command, bool nsm)
{
    if (c->n >= SS_MAX_CLIENTS)
        return -1;
    NcClient *cl = &c->cl[c->n];
    *cl = (NcClient){.nsm = nsm, .state = NC_IDLE};
    snprintf(cl->id, sizeof cl->id, "%s", id);
    snprintf(cl->command, sizeof cl->command, "%s", command);
    return c->n++;
}

const char *nc_state_name(NcState s)
{
    static const char *const names[] = {"idle",       "launched", "opening", "open",
                                        "restarting", "FAILED",   "stopped", "done"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

int nc_by_pid(const NcCore *c, int pid)
{
    for (int i = 0; i < c->n; i++)
        if (pid > 0 && c->cl[i].pid == pid)
            return i;
    return -1;
}

static bool same_addr(const NcAddr *a, const NcAddr *b)
{
    return a->len && a->len == b->len && !memcmp(&a->a, &b->a, a->len);
}

int nc_by_addr(const NcCore *c, const NcAddr *from)
{
    for (int i = 0; i < c->n; i++)
        if (same_addr(&c->cl[i].addr, from))
            return i;
    return -1;
}

void nc_launched(NcCore *c, int i, int pid, const char *why)
{
    NcClient *cl = &c->cl[i];
    cl->addr.len = 0;
    if (cl->state == NC_IDLE)
        nc_act_send(c, &c->gui, "/nsm/gui/client/new", "ss", cl->id, cl->command);
    if (pid <= 0) {
        cl->pid = 0;
        if (why)
            snprintf(cl->message, sizeof cl->message, "%s", why);
        nc_set_state(c, i, NC_FAILED);
        return;
    }
    cl->pid = pid;
    nc_set_state(c, i, cl->nsm ? NC_LAUNCHED : NC_OPEN);
}

void nc_exited(NcCore *c, int i, NcState st, const char *message)
{
    NcClient *cl = &c->cl[i];
    cl->pid = 0;
    if (cl->save_one.len) {
        nc_act_error(c, &cl->save_one, "/nsm/gui/client/save", -1,
                     "the client ended before it saved");
        cl->save_one.len = 0;
    }
    cl->save_pending = false;
    if (cl->stopping) { /* a GUI stopped it: whatever its end, it stays down */
        cl->stopping = false;
        st = NC_STOPPED;
        message = "stopped by request";
    }
    if (message)
        snprintf(cl->message, sizeof cl->message, "%s", message);
    nc_set_state(c, i, st);
}

/* ---------------- messages ---------------- */

/* Do the message's arguments have these types? */
static bool typed(const NcMsg *msg, const char *types)
{
    int n = (int)strlen(types);
    if (msg->argc != n)
        return false;
    for (int k = 0; k < n; k++)
        if (msg->argv[k].type != types[k])
            return false;
    return true;
}

static const char *str_at(const NcMsg *msg, int k)
{
    return k < msg->argc && msg->argv[k].type == 's' ? msg->argv[k].s : "";
}

/* The announcing process is the one we launched (same pid), or, for a
 * wrapper that execs something else, the only client still waiting. */
static int match_announce(const NcCore *c, int pid)
{
    int i = nc_by_pid(c, pid), waiting = -1, n = 0;
    if (i >= 0 && (c->cl[i].state == NC_LAUNCHED || c->cl[i].state == NC_OPEN ||
                   c->cl[i].state == NC_OPENING))
        return i;
    for (int k = 0; k < c->n; k++)
        if (c->cl[k].state == NC_LAUNCHED) {
            waiting = k;
            n++;
        }
    return n == 1 ? waiting : -1;
}

static void on_announce(NcCore *c, const NcAddr *from, const NcMsg *msg)
{
    const char *path = "/nsm/server/announce";
    if (!typed(msg, "sssiii")) {
        nc_act_error(c, from, path, -1,
                     "announce takes sssiii (name, capabilities, executable, major, minor, pid)");
        return;
    }
    if (msg->argv[3].i != 1) {
        nc_act_error(c, from, path, -2, "incompatible API version (this server speaks 1.x)");
        return;
    }
    int i = match_announce(c, msg->argv[5].i);
    if (i < 0) {
        nc_act_error(c, from, path, -1,
                     "this session did not launch you (add clients with /nsm/server/add)");
        return;
    }
    NcClient *cl = &c->cl[i];
    cl->addr = *from;
    snprintf(cl->app, sizeof cl->app, "%s", msg->argv[0].s);
    nc_act_send(c, &c->gui, "/nsm/gui/client/new", "ss", cl->id, cl->app);
    nc_set_state(c, i, NC_OPENING);
    logf_(c, AT_LOG_INFO, "client '%s' announced as %s (capabilities %s)", cl->id, msg->argv[0].s,
          msg->argv[1].s);
    nc_act_send(c, from, "/reply", "ssss", path, "welcome to aiotone-session", "aiotone-session",
                ":server-control:");
    char state[4200];
    snprintf(state, sizeof state, "%s/%s", c->dir, cl->id);
    nc_act_send(c, from, "/nsm/client/open", "sss", state, cl->id, cl->id);
}

static void finish_save(NcCore *c, double now);

static void set_dirty(NcCore *c, int i, bool dirty)
{
    if (c->cl[i].dirty != dirty)
        nc_act_send(c, &c->gui, "/nsm/gui/client/dirty", "si", c->cl[i].id, dirty ? 1 : 0);
    c->cl[i].dirty = dirty;
}

static void on_open_answer(NcCore *c, int i, bool ok, const char *text)
{
    NcClient *cl = &c->cl[i];
    if (ok) {
        nc_set_state(c, i, NC_OPEN);
        NcAction *a = nc_act_push(c, NC_OPENED);
        if (a)
            a->client = i;
        if (c->loaded_sent) /* the session is loaded already: tell the newcomer */
            nc_act_send(c, &cl->addr, "/nsm/client/session_is_loaded", "");
        return;
    }
    logf_(c, AT_LOG_ERROR, "client '%s' could not open its state: %s", cl->id, text);
    snprintf(cl->message, sizeof cl->message, "%sopen failed: %.200s",
             cl->state == NC_FAILED && !strncmp(cl->message, "exit status 2", 13)
                 ? "exit status 2: configuration error: "
                 : "",
             text);
}

static void on_client_reply(NcCore *c, int i, const NcMsg *msg, bool ok)
{
    const char *what = msg->argv[0].s;
    const char *text = str_at(msg, ok ? 1 : 2);
    if (!strcmp(what, "/nsm/client/open")) {
        on_open_answer(c, i, ok, text);
    } else if (!strcmp(what, "/nsm/client/save")) {
        nc_saved(c, i, ok, text);
    }
}

void nc_saved(NcCore *c, int i, bool ok, const char *text)
{
    NcClient *cl = &c->cl[i];
    cl->save_pending = false;
    nc_gui_client_status(c, i);
    cl->save_failed = !ok;
    if (ok)
        set_dirty(c, i, false);
    else
        logf_(c, AT_LOG_ERROR, "client '%s' could not save: %s", cl->id, text);
    snprintf(cl->message, sizeof cl->message, "%s%s", ok ? "" : "save failed: ", text);
    if (cl->save_one.len) {
        char answer[400];
        snprintf(answer, sizeof answer, "%s client '%s'%s%.300s", ok ? "saved" : "could not save",
                 cl->id, text[0] ? ": " : "", text);
        if (ok)
            nc_act_reply(c, &cl->save_one, "/nsm/gui/client/save", answer);
        else
            nc_act_error(c, &cl->save_one, "/nsm/gui/client/save", -1, answer);
        cl->save_one.len = 0;
    }
    /* (no clock here: an answer never makes a save late) */
    finish_save(c, -1.0);
}

void nc_remote(NcCore *c, int i, bool open)
{
    c->cl[i].remote = true;
    if (open && c->cl[i].state != NC_OPEN)
        nc_set_state(c, i, NC_OPEN);
}

static void on_client_message(NcCore *c, int i, const NcMsg *msg)
{
    NcClient *cl = &c->cl[i];
    const char *p = msg->path;
    if (!strcmp(p, "/nsm/client/is_dirty")) {
        set_dirty(c, i, true);
    } else if (!strcmp(p, "/nsm/client/is_clean")) {
        set_dirty(c, i, false);
    } else if (!strcmp(p, "/nsm/client/message") && typed(msg, "is")) {
        snprintf(cl->message, sizeof cl->message, "%s", msg->argv[1].s);
    } else if (!strcmp(p, "/nsm/client/label") && typed(msg, "s")) {
        snprintf(cl->label, sizeof cl->label, "%s", msg->argv[0].s);
        nc_act_send(c, &c->gui, "/nsm/gui/client/label", "ss", cl->id, cl->label);
    } else if (!strcmp(p, "/nsm/client/progress") && typed(msg, "f")) {
        cl->progress = msg->argv[0].f;
        nc_act_send(c, &c->gui, "/nsm/gui/client/progress", "sf", cl->id, (double)cl->progress);
    } else if ((!strcmp(p, "/reply") || !strcmp(p, "/error")) && msg->argc >= 1 &&
               msg->argv[0].type == 's') {
        on_client_reply(c, i, msg, !strcmp(p, "/reply"));
    }
}

/* ---------------- a GUI's requests on one client ---------------- */

static int by_id(const NcCore *c, const char *id)
{
    for (int i = 0; i < c->n; i++)
        if (!strcmp(c->cl[i].id, id))
            return i;
    return -1;
}

static bool running(const NcClient *cl)
{
    return cl->pid > 0 || cl->state == NC_LAUNCHED || cl->state == NC_OPENING ||
           cl->state == NC_OPEN;
}

static void push_client(NcCore *c, NcKind kind, int i)
{
    NcAction *a = nc_act_push(c, kind);
    if (a)
        a->client = i;
}

static void gui_stop(NcCore *c, const NcAddr *from, const char *path, int i)
{
    NcClient *cl = &c->cl[i];
    char text[160];
    if (cl->state == NC_RESTART) { /* waiting to restart: it just stays down */
        snprintf(cl->message, sizeof cl->message, "stopped by request");
        nc_set_state(c, i, NC_STOPPED);
    } else if (running(cl)) {
        cl->stopping = true;
        push_client(c, NC_STOP, i);
    } else {
        snprintf(text, sizeof text, "client '%s' is not running (%s)", cl->id,
                 nc_state_name(cl->state));
        nc_act_error(c, from, path, -1, text);
        return;
    }
    logf_(c, AT_LOG_INFO, "client '%s' stopped by request; it stays in the session", cl->id);
    snprintf(text, sizeof text, "stopped client '%s'", cl->id);
    nc_act_reply(c, from, path, text);
}

static void gui_resume(NcCore *c, const NcAddr *from, const char *path, int i)
{
    NcClient *cl = &c->cl[i];
    char text[160];
    if (cl->state != NC_STOPPED && cl->state != NC_FAILED && cl->state != NC_DONE) {
        snprintf(text, sizeof text, "client '%s' is not stopped (%s)", cl->id,
                 nc_state_name(cl->state));
        nc_act_error(c, from, path, -1, text);
        return;
    }
    cl->stopping = false;
    cl->message[0] = 0;
    logf_(c, AT_LOG_INFO, "client '%s' resumed by request", cl->id);
    push_client(c, NC_RESUME, i);
    snprintf(text, sizeof text, "resumed client '%s'", cl->id);
    nc_act_reply(c, from, path, text);
}

static void gui_remove(NcCore *c, const NcAddr *from, const char *path, int i)
{
    NcClient *cl = &c->cl[i];
    char text[200];
    if (running(cl) || cl->state == NC_RESTART || cl->stopping) {
        snprintf(text, sizeof text, "client '%s' is %s: stop it first", cl->id,
                 nc_state_name(cl->state));
        nc_act_error(c, from, path, -1, text);
        return;
    }
    nc_act_send(c, &c->gui, "/nsm/gui/client/status", "ss", cl->id, "removed");
    logf_(c, AT_LOG_INFO, "client '%s' removed by request (from session.conf on the next save)",
          cl->id);
    snprintf(text, sizeof text, "removed client '%s' (session.conf loses it on the next save)",
             cl->id);
    memmove(&c->cl[i], &c->cl[i + 1], (size_t)(c->n - i - 1) * sizeof c->cl[0]);
    c->n--;
    push_client(c, NC_REMOVE, i);
    nc_act_reply(c, from, path, text);
}

static void gui_save(NcCore *c, const NcAddr *from, const char *path, int i)
{
    NcClient *cl = &c->cl[i];
    char text[200];
    if (c->saving || cl->save_pending) {
        nc_act_error(c, from, path, -8, "a save is running");
        return;
    }
    if (!cl->nsm || cl->state != NC_OPEN || !cl->addr.len) {
        snprintf(text, sizeof text, "client '%s' cannot save: %s", cl->id,
                 !cl->nsm ? "a plain program (no NSM)" : "it is not open");
        nc_act_error(c, from, path, -1, text);
        return;
    }
    cl->save_pending = true;
    cl->save_failed = false;
    cl->save_one = *from;
    nc_act_send(c, &cl->addr, "/nsm/client/save", "");
    nc_gui_client_status(c, i);
}

/* /nsm/gui/client/{stop,resume,remove,save} s CLIENT_ID. */
static bool on_gui_client(NcCore *c, const NcAddr *from, const NcMsg *msg)
{
    static const char *const paths[] = {"/nsm/gui/client/stop", "/nsm/gui/client/resume",
                                        "/nsm/gui/client/remove", "/nsm/gui/client/save"};
    int which = -1;
    for (int k = 0; k < 4; k++)
        if (!strcmp(msg->path, paths[k]))
            which = k;
    if (which < 0)
        return false;
    const char *path = paths[which];
    char text[200];
    if (!typed(msg, "s")) {
        nc_act_error(c, from, path, -1, "takes s CLIENT_ID");
        return true;
    }
    int i = by_id(c, msg->argv[0].s);
    if (i < 0) {
        snprintf(text, sizeof text, "no client '%.64s' in this session", msg->argv[0].s);
        nc_act_error(c, from, path, -1, text);
        return true;
    }
    if (c->cl[i].remote) {
        snprintf(text, sizeof text, "client '%s' runs on another host: not done from here",
                 c->cl[i].id);
        nc_act_error(c, from, path, -1, text);
        return true;
    }
    if (which == 0)
        gui_stop(c, from, path, i);
    else if (which == 1)
        gui_resume(c, from, path, i);
    else if (which == 2)
        gui_remove(c, from, path, i);
    else
        gui_save(c, from, path, i);
    return true;
}

/* ---------------- broadcast ---------------- */

/* /nsm/server/broadcast s PATH [ARG...]: PATH with the arguments to every
 * announced client but the sender; the GUI gets the message as it came. */
static void on_broadcast(NcCore *c, const NcAddr *from, const NcMsg *msg)
{
    const char *path = "/nsm/server/broadcast";
    bool ok = msg->argc >= 1 && msg->argv[0].type == 's' && msg->argv[0].s[0] == '/' &&
              strlen(msg->argv[0].s) < sizeof msg->path;
    for (int k = 1; ok && k < msg->argc; k++)
        ok = strchr("sif", msg->argv[k].type) && msg->argv[k].type;
    if (!ok) {
        nc_act_error(c, from, path, -1,
                     "broadcast takes s PATH (an OSC path, under 64 bytes), then the message's "
                     "arguments (s, i or f)");
        return;
    }
    NcMsg out = {.argc = msg->argc - 1};
    snprintf(out.path, sizeof out.path, "%s", msg->argv[0].s);
    int n = 0;
    for (int i = 0; i < c->n; i++) {
        const NcClient *cl = &c->cl[i];
        if (!cl->addr.len || same_addr(&cl->addr, from) ||
            (cl->state != NC_OPENING && cl->state != NC_OPEN))
            continue;
        NcAction *a = nc_act_push(c, NC_SEND);
        if (!a)
            return;
        a->to = cl->addr;
        a->msg = out;
        for (int k = 1; k < msg->argc; k++) {
            a->msg.argv[k - 1] = msg->argv[k];
            a->msg.argv[k - 1].s = msg->argv[k].type == 's' ? strdup(msg->argv[k].s) : NULL;
        }
        n++;
    }
    if (c->gui.len && !same_addr(&c->gui, from)) {
        NcAction *a = nc_act_push(c, NC_SEND);
        if (a) {
            a->to = c->gui;
            a->msg = *msg;
            for (int k = 0; k < msg->argc; k++)
                a->msg.argv[k].s = msg->argv[k].type == 's' ? strdup(msg->argv[k].s) : NULL;
        }
    }
    logf_(c, AT_LOG_INFO, "broadcast %s to %d client%s", out.path, n, n == 1 ? "" : "s");
}

bool nc_receive(NcCore *c, const NcAddr *from, const NcMsg *msg)
{
    if (!strcmp(msg->path, "/nsm/server/announce")) {
        on_announce(c, from, msg);
        return true;
    }
    if (!strcmp(msg->path, "/nsm/server/broadcast")) {
        on_broadcast(c, from, msg);
        return true;
    }
    if (on_gui_client(c, from, msg))
        return true;
    int i = nc_by_addr(c, from);
    if (i < 0)
        return false;
    on_client_message(c, i, msg);
    return true;
}

/* ---------------- save ---------------- */

void nc_save(NcCore *c, const NcAddr *req, double now)
{
    if (c->saving) {
        if (req)
            nc_act_error(c, req, "/nsm/server/save", -8, "a save is running");
        return;
    }
    c->save_req = req ? *req : (NcAddr){0};
    c->saving = true;
    c->save_deadline = now + NC_SAVE_WAIT;
    for (int i = 0; i < c->n; i++) {
        NcClient *cl = &c->cl[i];
        cl->save_failed = false;
        /* a remote client is asked through its host even when the host
         * is gone: the shell answers for it then (nc_saved) */
        cl->save_pending = cl->nsm && (cl->remote || (cl->state == NC_OPEN && cl->addr.len));
        if (cl->save_pending && cl->remote) {
            NcAction *a = nc_act_push(c, NC_SAVE_REMOTE);
            if (a)
                a->client = i;
            nc_gui_client_status(c, i);
        } else if (cl->save_pending) {
            nc_act_send(c, &cl->addr, "/nsm/client/save", "");
            nc_gui_client_status(c, i);
        }
    }
    finish_save(c, now);
}

/* Once every client answered (or the wait is over, now >= the deadline;
 * now < 0: not late): NC_WRITE_CONF. */
static void finish_save(NcCore *c, double now)
{
    if (!c->saving)
        return;
    bool late = now >= 0 && now >= c->save_deadline;
    char *problems = c->save_problems;
    size_t cap = sizeof c->save_problems;
    problems[0] = 0;
    for (int i = 0; i < c->n; i++)
        if (c->cl[i].save_pending && !late)
            return;
    for (int i = 0; i < c->n; i++) {
        NcClient *cl = &c->cl[i];
        if (cl->save_pending || cl->save_failed)
            snprintf(problems + strlen(problems), cap - strlen(problems), "%s'%s' %s",
                     problems[0] ? ", " : "", cl->id,
                     cl->save_pending ? "did not answer" : "could not save");
        if (cl->save_pending) {
            cl->save_pending = false;
            nc_gui_client_status(c, i);
            nc_act_error(c, &cl->save_one, "/nsm/gui/client/save", -1, "the client did not answer");
            cl->save_one.len = 0;
        }
    }
    c->saving = false;
    nc_act_push(c, NC_WRITE_CONF);
}

void nc_tick(NcCore *c, double now)
{
    finish_save(c, now);
}

void nc_save_written(NcCore *c, bool ok, bool unchanged, const char *err, int n_conns)
{
    const char *problems = c->save_problems;
    char text[8192];
    if (!ok)
        snprintf(text, sizeof text, "%s", err);
    else if (unchanged && !problems[0])
        snprintf(text, sizeof text, "saved %s (%d clients, %d connections; session.conf unchanged)",
                 c->conf, c->n, n_conns);
    else if (problems[0])
        snprintf(text, sizeof text, "saved %s, but client %s", c->conf, problems);
    else
        snprintf(text, sizeof text, "saved %s (%d clients, %d connections)", c->conf, c->n,
                 n_conns);
    logf_(c, ok && !problems[0] ? AT_LOG_INFO : AT_LOG_WARN, "%s", text);
    if (c->op != NC_OP_NONE) {
        nc_op_saved(c, ok, text);
        return;
    }
    if (ok && !problems[0])
        nc_act_reply(c, &c->save_req, "/nsm/server/save", text);
    else
        nc_act_error(c, &c->save_req, "/nsm/server/save", -1, text);
}

void nc_loaded(NcCore *c)
{
    if (c->loaded_sent)
        return;
    c->loaded_sent = true;
    for (int i = 0; i < c->n; i++) {
        NcClient *cl = &c->cl[i];
        if (cl->state == NC_OPEN && cl->nsm && cl->addr.len)
            nc_act_send(c, &cl->addr, "/nsm/client/session_is_loaded", "");
    }
}
