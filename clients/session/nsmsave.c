/* nsmsave.c - the NSM server core's save (see nsmcore.h): ask every
 * client, collect the answers (or give up at the deadline), then have
 * session.conf written and answer the request; the session is loaded. */
#include "nsmcore.h"
#include "nsmcore_int.h"

#include <stdio.h>
#include <string.h>

static void finish_save(NcCore *c, double now);

void nc_saved(NcCore *c, int i, bool ok, const char *text)
{
    NcClient *cl = &c->cl[i];
    cl->save_pending = false;
    nc_gui_client_status(c, i);
    cl->save_failed = !ok;
    if (ok)
        nc_set_dirty(c, i, false);
    else
        nc_logf(c, AT_LOG_ERROR, "client '%s' could not save: %s", cl->id, text);
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
    nc_logf(c, ok && !problems[0] ? AT_LOG_INFO : AT_LOG_WARN, "%s", text);
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
