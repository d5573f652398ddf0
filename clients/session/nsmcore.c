/* nsmcore.c - the NSM server core (see nsmcore.h): the core and its
 * clients, the actions out, and a client started, ended or remote. The
 * messages in are in nsmrecv.c, the save in nsmsave.c, the whole
 * session's part in nsmsession.c (nsmcore_int.h). */
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

void nc_logf(NcCore *c, AtLogLevel level, const char *fmt, ...)
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

bool nc_same_addr(const NcAddr *a, const NcAddr *b)
{
    return a->len && a->len == b->len && !memcmp(&a->a, &b->a, a->len);
}

int nc_by_addr(const NcCore *c, const NcAddr *from)
{
    for (int i = 0; i < c->n; i++)
        if (nc_same_addr(&c->cl[i].addr, from))
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

void nc_remote(NcCore *c, int i, bool open)
{
    c->cl[i].remote = true;
    if (open && c->cl[i].state != NC_OPEN)
        nc_set_state(c, i, NC_OPEN);
}
