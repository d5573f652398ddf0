/* nsmsession.c - the NSM server core's part for the whole session (see
 * nsmcore.h): the GUI that announced, opening another session folder, and
 * the requests that save first (duplicate, open, new, close, quit) or not
 * (abort). */
#include "nsmcore.h"
#include "nsmcore_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* dir, conf, name and root for the session folder dir. */
void nc_set_dir(NcCore *c, const char *dir)
{
    snprintf(c->dir, sizeof c->dir, "%s", dir);
    snprintf(c->conf, sizeof c->conf, "%s/session.conf", dir);
    const char *slash = strrchr(dir, '/');
    snprintf(c->name, sizeof c->name, "%s", slash ? slash + 1 : dir);
    int root_len = slash ? (int)(slash - dir) : 0;
    snprintf(c->root, sizeof c->root, "%.*s", root_len, dir);
}

/* ---------------- the GUI ---------------- */

/* What a GUI shows for a state (the words nsmd uses). */
static const char *gui_status(const NcClient *cl)
{
    if (cl->save_pending)
        return "save";
    static const char *const words[] = {"stopped", "launch", "open",    "ready",
                                        "stopped", "error",  "stopped", "stopped"};
    return (unsigned)cl->state < sizeof words / sizeof words[0] ? words[cl->state] : "error";
}

void nc_gui_client_status(NcCore *c, int i)
{
    nc_act_send(c, &c->gui, "/nsm/gui/client/status", "ss", c->cl[i].id, gui_status(&c->cl[i]));
}

/* Client i's state changes to st (a GUI is told). */
void nc_set_state(NcCore *c, int i, NcState st)
{
    NcState was = c->cl[i].state;
    c->cl[i].state = st;
    if (was != st)
        nc_gui_client_status(c, i);
}

static void gui_session_name(NcCore *c)
{
    nc_act_send(c, &c->gui, "/nsm/gui/session/root", "s", c->root);
    nc_act_send(c, &c->gui, "/nsm/gui/session/name", "ss", c->name, c->name);
}

void nc_gui_announce(NcCore *c, const NcAddr *from)
{
    c->gui = *from;
    nc_act_send(c, from, "/nsm/gui/gui_announce", "s", "hi");
    for (int i = 0; i < c->n; i++) {
        const NcClient *cl = &c->cl[i];
        nc_act_send(c, from, "/nsm/gui/client/new", "ss", cl->id,
                    cl->app[0] ? cl->app : cl->command);
        nc_gui_client_status(c, i);
        if (cl->label[0])
            nc_act_send(c, from, "/nsm/gui/client/label", "ss", cl->id, cl->label);
        nc_act_send(c, from, "/nsm/gui/client/dirty", "si", cl->id, cl->dirty ? 1 : 0);
    }
    gui_session_name(c);
}

void nc_switch(NcCore *c, const char *dir)
{
    for (int i = 0; i < c->n; i++)
        nc_act_send(c, &c->gui, "/nsm/gui/client/status", "ss", c->cl[i].id, "removed");
    c->n = 0;
    c->loaded_sent = false;
    c->saving = false; /* (a request that switches keeps op until nc_done) */
    nc_set_dir(c, dir);
    gui_session_name(c);
}

/* ---------------- requests on the whole session ---------------- */

const char *nc_op_path(NcOp op)
{
    static const char *const paths[] = {"",
                                        "/nsm/server/duplicate",
                                        "/nsm/server/open",
                                        "/nsm/server/new",
                                        "/nsm/server/close",
                                        "/nsm/server/quit",
                                        "/nsm/server/abort"};
    return (unsigned)op < sizeof paths / sizeof paths[0] ? paths[op] : "";
}

static void do_op(NcCore *c)
{
    NcAction *a = nc_act_push(c, NC_DO);
    if (!a)
        return;
    a->op = c->op;
    a->text = strdup(c->op_arg);
    a->to = c->op_req;
}

void nc_request(NcCore *c, NcOp op, const NcAddr *req, const char *arg, double now)
{
    if (c->saving || c->op != NC_OP_NONE) {
        nc_act_error(c, req, nc_op_path(op), -8,
                     c->op != NC_OP_NONE ? "another request is running" : "a save is running");
        return;
    }
    c->op = op;
    c->op_req = *req;
    snprintf(c->op_arg, sizeof c->op_arg, "%s", arg);
    if (op == NC_OP_ABORT) {
        do_op(c);
        return;
    }
    nc_save(c, NULL, now);
}

/* The save before a request is written: carry the request out, unless
 * session.conf could not be written (then nothing is done). */
void nc_op_saved(NcCore *c, bool ok, const char *text)
{
    if (!ok) {
        char why[8300];
        snprintf(why, sizeof why, "not done: the session could not be saved: %s", text);
        nc_done(c, false, -1, why);
        return;
    }
    do_op(c);
}

void nc_done(NcCore *c, bool ok, int code, const char *text)
{
    const char *path = nc_op_path(c->op);
    if (ok)
        nc_act_reply(c, &c->op_req, path, text);
    else
        nc_act_error(c, &c->op_req, path, code, text);
    c->op = NC_OP_NONE;
}
