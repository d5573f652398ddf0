/* nsmrecv.c - the NSM server core's messages in (see nsmcore.h): a
 * client's announce, its replies and errors to open and save, its
 * dirty/clean/message/label/progress, a GUI's requests on one client
 * (stop, resume, remove, save) and broadcast. */
#include "nsmcore.h"
#include "nsmcore_int.h"

#include <stdio.h>
#include <string.h>

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
    nc_logf(c, AT_LOG_INFO, "client '%s' announced as %s (capabilities %s)", cl->id, msg->argv[0].s,
            msg->argv[1].s);
    nc_act_send(c, from, "/reply", "ssss", path, "welcome to aiotone-session", "aiotone-session",
                ":server-control:");
    char state[4200];
    snprintf(state, sizeof state, "%s/%s", c->dir, cl->id);
    nc_act_send(c, from, "/nsm/client/open", "sss", state, cl->id, cl->id);
}

void nc_set_dirty(NcCore *c, int i, bool dirty)
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
    nc_logf(c, AT_LOG_ERROR, "client '%s' could not open its state: %s", cl->id, text);
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

static void on_client_message(NcCore *c, int i, const NcMsg *msg)
{
    NcClient *cl = &c->cl[i];
    const char *p = msg->path;
    if (!strcmp(p, "/nsm/client/is_dirty")) {
        nc_set_dirty(c, i, true);
    } else if (!strcmp(p, "/nsm/client/is_clean")) {
        nc_set_dirty(c, i, false);
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
    nc_logf(c, AT_LOG_INFO, "client '%s' stopped by request; it stays in the session", cl->id);
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
    nc_logf(c, AT_LOG_INFO, "client '%s' resumed by request", cl->id);
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
    nc_logf(c, AT_LOG_INFO, "client '%s' removed by request (from session.conf on the next save)",
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
        if (!cl->addr.len || nc_same_addr(&cl->addr, from) ||
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
    if (c->gui.len && !nc_same_addr(&c->gui, from)) {
        NcAction *a = nc_act_push(c, NC_SEND);
        if (a) {
            a->to = c->gui;
            a->msg = *msg;
            for (int k = 0; k < msg->argc; k++)
                a->msg.argv[k].s = msg->argv[k].type == 's' ? strdup(msg->argv[k].s) : NULL;
        }
    }
    nc_logf(c, AT_LOG_INFO, "broadcast %s to %d client%s", out.path, n, n == 1 ? "" : "s");
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
