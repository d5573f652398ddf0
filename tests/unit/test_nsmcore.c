/* test_nsmcore.c - the session manager's NSM server core: events in
 * (announce, client replies, dirty/clean, save requests, the clock,
 * client exits), actions out (messages, log lines, "write session.conf"),
 * without liblo or JACK (docs/sessions.md, "NSM"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "clients/session/nsmcore.h"

static NcCore core;

static NcAddr addr(int port)
{
    NcAddr a = {.len = sizeof(struct sockaddr_in)};
    struct sockaddr_in *in = (struct sockaddr_in *)&a.a;
    in->sin_family = AF_INET;
    in->sin_port = htons((uint16_t)port);
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static bool same(const NcAddr *a, const NcAddr *b)
{
    return a->len == b->len && !memcmp(&a->a, &b->a, a->len);
}

/* A message with arguments by a type string (s: char *, i: int, f: double). */
static NcMsg msg(const char *path, const char *types, ...)
{
    NcMsg m = {.argc = 0};
    snprintf(m.path, sizeof m.path, "%s", path);
    va_list ap;
    va_start(ap, types);
    for (const char *t = types; *t; t++) {
        NcArg *a = &m.argv[m.argc++];
        *a = (NcArg){.type = *t};
        if (*t == 's')
            a->s = va_arg(ap, char *);
        else if (*t == 'i')
            a->i = va_arg(ap, int);
        else
            a->f = (float)va_arg(ap, double);
    }
    va_end(ap);
    return m;
}

/* The k-th action of this kind (to `to` and path when given), or NULL. */
static const NcAction *find(NcKind kind, const NcAddr *to, const char *path, int k)
{
    for (int i = 0; i < core.n_act; i++) {
        const NcAction *a = &core.act[i];
        if (a->kind != kind || (to && !same(&a->to, to)) || (path && strcmp(a->msg.path, path)))
            continue;
        if (k-- == 0)
            return a;
    }
    return NULL;
}

static int count(NcKind kind, const NcAddr *to, const char *path)
{
    int n = 0;
    while (find(kind, to, path, n))
        n++;
    return n;
}

static int setup(void **state)
{
    (void)state;
    nc_init(&core, "/s/song");
    assert_int_equal(nc_add(&core, "fm", "aiotone-fmsynth", true), 0);
    assert_int_equal(nc_add(&core, "seq", "aiotone-mothergen", true), 1);
    assert_int_equal(nc_add(&core, "dump", "jack_midi_dump", false), 2);
    nc_launched(&core, 0, 100, NULL);
    nc_launched(&core, 1, 101, NULL);
    nc_launched(&core, 2, 102, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    nc_free(&core);
    return 0;
}

static NcMsg announce(int pid)
{
    return msg("/nsm/server/announce", "sssiii", "aiotone-fmsynth", ":dirty:", "aiotone-fmsynth", 1,
               1, pid);
}

/* Announce and open client i from port. */
static void open_client(int i, int port)
{
    NcAddr a = addr(port);
    NcMsg an = announce(100 + i);
    assert_true(nc_receive(&core, &a, &an));
    NcMsg r = msg("/reply", "ss", "/nsm/client/open", "opened");
    assert_true(nc_receive(&core, &a, &r));
    assert_int_equal(core.cl[i].state, NC_OPEN);
    nc_clear(&core);
}

static void launch_states(void **state)
{
    (void)state;
    assert_int_equal(core.cl[0].state, NC_LAUNCHED);
    assert_int_equal(core.cl[2].state, NC_OPEN); /* a plain program is open once it runs */
    nc_launched(&core, 1, -1, "program not found");
    assert_int_equal(core.cl[1].state, NC_FAILED);
    assert_string_equal(core.cl[1].message, "program not found");
    assert_int_equal(nc_by_pid(&core, 100), 0);
    assert_int_equal(nc_by_pid(&core, 999), -1);
}

static void announce_is_welcomed_and_opened(void **state)
{
    (void)state;
    NcAddr a = addr(5000);
    NcMsg an = announce(100);
    assert_true(nc_receive(&core, &a, &an));
    const NcAction *r = find(NC_SEND, &a, "/reply", 0);
    assert_non_null(r);
    assert_int_equal(r->msg.argc, 4);
    assert_string_equal(r->msg.argv[0].s, "/nsm/server/announce");
    assert_string_equal(r->msg.argv[2].s, "aiotone-session");
    assert_string_equal(r->msg.argv[3].s, ":server-control:");
    const NcAction *o = find(NC_SEND, &a, "/nsm/client/open", 0);
    assert_non_null(o);
    assert_true(o > r); /* welcome first, then open */
    assert_string_equal(o->msg.argv[0].s, "/s/song/fm");
    assert_string_equal(o->msg.argv[1].s, "fm");
    assert_string_equal(o->msg.argv[2].s, "fm");
    assert_int_equal(core.cl[0].state, NC_OPENING);
    assert_int_equal(nc_by_addr(&core, &a), 0);
    assert_non_null(find(NC_LOG, NULL, NULL, 0));
}

static void bad_announces_get_errors(void **state)
{
    (void)state;
    NcAddr a = addr(5001);
    NcMsg bad = msg("/nsm/server/announce", "sss", "x", "", "x");
    nc_receive(&core, &a, &bad);
    const NcAction *e = find(NC_SEND, &a, "/error", 0);
    assert_non_null(e);
    assert_int_equal(e->msg.argv[1].i, -1);
    nc_clear(&core);
    NcMsg api2 = msg("/nsm/server/announce", "sssiii", "x", "", "x", 2, 0, 100);
    nc_receive(&core, &a, &api2);
    e = find(NC_SEND, &a, "/error", 0);
    assert_non_null(e);
    assert_int_equal(e->msg.argv[1].i, -2);
    nc_clear(&core);
    /* a stranger while two clients wait: not ours */
    NcMsg stranger = announce(4242);
    nc_receive(&core, &a, &stranger);
    e = find(NC_SEND, &a, "/error", 0);
    assert_non_null(e);
    assert_string_equal(e->msg.argv[2].s,
                        "this session did not launch you (add clients with /nsm/server/add)");
    assert_int_equal(nc_by_addr(&core, &a), -1);
    assert_int_equal(count(NC_SEND, &a, "/nsm/client/open"), 0);
}

static void a_wrapper_is_the_only_one_waiting(void **state)
{
    (void)state;
    open_client(0, 5000);
    NcAddr a = addr(5002);
    NcMsg an = announce(7777); /* a wrapper exec'd something with another pid */
    nc_receive(&core, &a, &an);
    assert_int_equal(nc_by_addr(&core, &a), 1);
    assert_int_equal(core.cl[1].state, NC_OPENING);
}

static void open_answers(void **state)
{
    (void)state;
    NcAddr a = addr(5000);
    NcMsg an = announce(100);
    nc_receive(&core, &a, &an);
    nc_clear(&core);
    NcMsg err = msg("/error", "sis", "/nsm/client/open", -1, "fm.conf:3: bad");
    assert_true(nc_receive(&core, &a, &err));
    assert_int_equal(core.cl[0].state, NC_OPENING);
    assert_string_equal(core.cl[0].message, "open failed: fm.conf:3: bad");
    const NcAction *l = find(NC_LOG, NULL, NULL, 0);
    assert_non_null(l);
    assert_int_equal(l->level, AT_LOG_ERROR);
    assert_int_equal(count(NC_OPENED, NULL, NULL), 0);
    nc_clear(&core);
    NcMsg ok = msg("/reply", "ss", "/nsm/client/open", "opened");
    nc_receive(&core, &a, &ok);
    assert_int_equal(core.cl[0].state, NC_OPEN);
    const NcAction *o = find(NC_OPENED, NULL, NULL, 0);
    assert_non_null(o);
    assert_int_equal(o->client, 0);
    assert_int_equal(count(NC_SEND, &a, "/nsm/client/session_is_loaded"), 0);
}

static void session_is_loaded_once_and_to_newcomers(void **state)
{
    (void)state;
    open_client(0, 5000);
    NcAddr a0 = addr(5000), a1 = addr(5001);
    nc_loaded(&core);
    assert_int_equal(count(NC_SEND, &a0, "/nsm/client/session_is_loaded"), 1);
    assert_int_equal(count(NC_SEND, NULL, NULL), 1); /* seq has not announced, dump is plain */
    nc_clear(&core);
    nc_loaded(&core);
    assert_int_equal(core.n_act, 0);
    open_client(1, 5001); /* clears: check through a fresh open */
    NcMsg an = announce(101);
    nc_exited(&core, 1, NC_RESTART, "killed by signal 9");
    nc_launched(&core, 1, 201, NULL);
    an.argv[5].i = 201;
    nc_receive(&core, &a1, &an);
    NcMsg ok = msg("/reply", "ss", "/nsm/client/open", "opened");
    nc_receive(&core, &a1, &ok);
    assert_int_equal(count(NC_SEND, &a1, "/nsm/client/session_is_loaded"), 1);
}

static void status_messages(void **state)
{
    (void)state;
    open_client(0, 5000);
    NcAddr a = addr(5000);
    NcMsg m = msg("/nsm/client/is_dirty", "");
    nc_receive(&core, &a, &m);
    assert_true(core.cl[0].dirty);
    m = msg("/nsm/client/is_clean", "");
    nc_receive(&core, &a, &m);
    assert_false(core.cl[0].dirty);
    m = msg("/nsm/client/message", "is", 1, "loading samples");
    nc_receive(&core, &a, &m);
    assert_string_equal(core.cl[0].message, "loading samples");
    m = msg("/nsm/client/progress", "f", 0.5);
    nc_receive(&core, &a, &m);
    assert_true(core.cl[0].progress > 0.49f && core.cl[0].progress < 0.51f);
    m = msg("/nsm/client/label", "s", "lead");
    nc_receive(&core, &a, &m);
    assert_string_equal(core.cl[0].label, "lead");
    /* not from a client and not an announce: a command for the shell */
    NcAddr other = addr(6000);
    m = msg("/nsm/server/list", "");
    assert_false(nc_receive(&core, &other, &m));
}

static void save_waits_for_every_answer(void **state)
{
    (void)state;
    open_client(0, 5000);
    open_client(1, 5001);
    NcAddr a0 = addr(5000), a1 = addr(5001), req = addr(7000);
    core.cl[0].dirty = true;
    nc_save(&core, &req, 100.0);
    assert_int_equal(count(NC_SEND, &a0, "/nsm/client/save"), 1);
    assert_int_equal(count(NC_SEND, &a1, "/nsm/client/save"), 1);
    assert_int_equal(count(NC_SEND, NULL, "/nsm/client/save"), 2); /* not the plain one */
    assert_int_equal(count(NC_WRITE_CONF, NULL, NULL), 0);
    NcMsg ok = msg("/reply", "ss", "/nsm/client/save", "saved");
    nc_receive(&core, &a0, &ok);
    assert_false(core.cl[0].dirty);
    assert_int_equal(count(NC_WRITE_CONF, NULL, NULL), 0);
    nc_save(&core, &req, 101.0); /* a second save meanwhile */
    const NcAction *busy = find(NC_SEND, &req, "/error", 0);
    assert_non_null(busy);
    assert_int_equal(busy->msg.argv[1].i, -8);
    nc_receive(&core, &a1, &ok);
    assert_int_equal(count(NC_WRITE_CONF, NULL, NULL), 1);
    nc_clear(&core);
    nc_save_written(&core, true, false, "", 3);
    const NcAction *r = find(NC_SEND, &req, "/reply", 0);
    assert_non_null(r);
    assert_string_equal(r->msg.argv[0].s, "/nsm/server/save");
    assert_string_equal(r->msg.argv[1].s, "saved /s/song/session.conf (3 clients, 3 connections)");
    assert_false(core.saving);
}

static void save_reports_failures_and_silence(void **state)
{
    (void)state;
    open_client(0, 5000);
    open_client(1, 5001);
    NcAddr a0 = addr(5000), req = addr(7000);
    nc_save(&core, &req, 100.0);
    NcMsg err = msg("/error", "sis", "/nsm/client/save", -1, "disk full");
    nc_receive(&core, &a0, &err);
    assert_true(core.cl[0].save_failed);
    assert_string_equal(core.cl[0].message, "save failed: disk full");
    nc_tick(&core, 105.0);
    assert_int_equal(count(NC_WRITE_CONF, NULL, NULL), 0);
    nc_tick(&core, 100.0 + NC_SAVE_WAIT);
    assert_int_equal(count(NC_WRITE_CONF, NULL, NULL), 1);
    nc_clear(&core);
    nc_save_written(&core, true, false, "", 0);
    const NcAction *e = find(NC_SEND, &req, "/error", 0);
    assert_non_null(e);
    assert_string_equal(e->msg.argv[2].s, "saved /s/song/session.conf, but client 'fm' could not "
                                          "save, 'seq' did not answer");
    nc_clear(&core);
    /* a write that failed is an error with its reason; nobody asked: no answer */
    nc_save(&core, NULL, 200.0);
    nc_receive(&core, &a0, &(NcMsg){0}); /* (an empty message changes nothing) */
    nc_exited(&core, 0, NC_RESTART, "killed by signal 9");
    nc_exited(&core, 1, NC_RESTART, "killed by signal 9");
    assert_false(core.cl[0].save_pending);
    nc_tick(&core, 200.5);
    assert_int_equal(count(NC_WRITE_CONF, NULL, NULL), 1);
    nc_save_written(&core, false, false, "cannot write session.conf: EROFS", 0);
    assert_int_equal(count(NC_SEND, NULL, "/error"), 0);
    assert_int_equal(count(NC_SEND, NULL, "/reply"), 0);
}

static void unchanged_save_says_so(void **state)
{
    (void)state;
    NcAddr req = addr(7000);
    nc_save(&core, &req, 1.0); /* nobody open: written at once */
    assert_int_equal(count(NC_WRITE_CONF, NULL, NULL), 1);
    nc_save_written(&core, true, true, "", 2);
    const NcAction *r = find(NC_SEND, &req, "/reply", 0);
    assert_non_null(r);
    assert_string_equal(r->msg.argv[1].s,
                        "saved /s/song/session.conf (3 clients, 2 connections; session.conf "
                        "unchanged)");
}

/* The string argument k of action a. */
static const char *sarg(const NcAction *a, int k)
{
    return a && k < a->msg.argc && a->msg.argv[k].type == 's' ? a->msg.argv[k].s : "";
}

/* Is there a message path to `to` whose first two string arguments are s0, s1? */
static bool sent(const NcAddr *to, const char *path, const char *s0, const char *s1)
{
    for (int k = 0; find(NC_SEND, to, path, k); k++) {
        const NcAction *a = find(NC_SEND, to, path, k);
        if (!strcmp(sarg(a, 0), s0) && (!s1 || !strcmp(sarg(a, 1), s1)))
            return true;
    }
    return false;
}

static void a_gui_gets_the_session_and_every_change(void **state)
{
    (void)state;
    open_client(0, 5000);
    NcAddr gui = addr(8000), a0 = addr(5000);
    nc_gui_announce(&core, &gui);
    assert_true(sent(&gui, "/nsm/gui/gui_announce", "hi", NULL));
    assert_true(sent(&gui, "/nsm/gui/client/new", "fm", "aiotone-fmsynth"));
    assert_true(sent(&gui, "/nsm/gui/client/status", "fm", "ready"));
    assert_true(sent(&gui, "/nsm/gui/client/new", "seq", "aiotone-mothergen"));
    assert_true(sent(&gui, "/nsm/gui/client/status", "seq", "launch"));
    assert_true(sent(&gui, "/nsm/gui/client/new", "dump", "jack_midi_dump"));
    assert_true(sent(&gui, "/nsm/gui/session/name", "song", "song"));
    assert_true(sent(&gui, "/nsm/gui/session/root", "/s", NULL));
    const NcAction *name = find(NC_SEND, &gui, "/nsm/gui/session/name", 0);
    assert_true(name > find(NC_SEND, &gui, "/nsm/gui/client/new", 2)); /* after the clients */
    nc_clear(&core);
    NcMsg m = msg("/nsm/client/is_dirty", "");
    nc_receive(&core, &a0, &m);
    const NcAction *d = find(NC_SEND, &gui, "/nsm/gui/client/dirty", 0);
    assert_non_null(d);
    assert_string_equal(sarg(d, 0), "fm");
    assert_int_equal(d->msg.argv[1].i, 1);
    m = msg("/nsm/client/label", "s", "lead");
    nc_receive(&core, &a0, &m);
    assert_true(sent(&gui, "/nsm/gui/client/label", "fm", "lead"));
    m = msg("/nsm/client/progress", "f", 0.25);
    nc_receive(&core, &a0, &m);
    const NcAction *p = find(NC_SEND, &gui, "/nsm/gui/client/progress", 0);
    assert_non_null(p);
    assert_true(p->msg.argv[1].f > 0.24f && p->msg.argv[1].f < 0.26f);
    nc_clear(&core);
    nc_save(&core, NULL, 1.0);
    assert_true(sent(&gui, "/nsm/gui/client/status", "fm", "save"));
    NcMsg ok = msg("/reply", "ss", "/nsm/client/save", "saved");
    nc_receive(&core, &a0, &ok);
    assert_true(sent(&gui, "/nsm/gui/client/status", "fm", "ready"));
    assert_true(sent(&gui, "/nsm/gui/client/dirty", "fm", NULL)); /* clean again */
    nc_clear(&core);
    nc_exited(&core, 0, NC_RESTART, "killed by signal 9");
    assert_true(sent(&gui, "/nsm/gui/client/status", "fm", "stopped"));
    nc_exited(&core, 1, NC_FAILED, "gave up");
    assert_true(sent(&gui, "/nsm/gui/client/status", "seq", "error"));
}

static void without_a_gui_nothing_goes_to_one(void **state)
{
    (void)state;
    open_client(0, 5000);
    NcAddr req = addr(7000);
    nc_request(&core, NC_OP_DUPLICATE, &req, "copy", 1.0);
    NcMsg ok = msg("/reply", "ss", "/nsm/client/save", "saved");
    NcAddr a0 = addr(5000);
    nc_receive(&core, &a0, &ok);
    for (int i = 0; i < core.n_act; i++)
        if (core.act[i].kind == NC_SEND)
            assert_true(strncmp(core.act[i].msg.path, "/nsm/gui/", 9));
    nc_switch(&core, "/s/copy");
    for (int i = 0; i < core.n_act; i++)
        if (core.act[i].kind == NC_SEND)
            assert_true(strncmp(core.act[i].msg.path, "/nsm/gui/", 9));
}

static void requests_save_first_then_act(void **state)
{
    (void)state;
    open_client(0, 5000);
    NcAddr req = addr(7000), a0 = addr(5000), other = addr(7001);
    nc_request(&core, NC_OP_DUPLICATE, &req, "copy", 1.0);
    assert_int_equal(count(NC_SEND, &a0, "/nsm/client/save"), 1);
    assert_int_equal(count(NC_DO, NULL, NULL), 0);
    nc_request(&core, NC_OP_OPEN, &other, "x", 1.5); /* one at a time */
    const NcAction *busy = find(NC_SEND, &other, "/error", 0);
    assert_non_null(busy);
    assert_string_equal(sarg(busy, 0), "/nsm/server/open");
    assert_int_equal(busy->msg.argv[1].i, -8);
    NcMsg ok = msg("/reply", "ss", "/nsm/client/save", "saved");
    nc_receive(&core, &a0, &ok);
    assert_int_equal(count(NC_WRITE_CONF, NULL, NULL), 1);
    nc_save_written(&core, true, false, "", 0);
    const NcAction *d = find(NC_DO, NULL, NULL, 0);
    assert_non_null(d);
    assert_int_equal(d->op, NC_OP_DUPLICATE);
    assert_string_equal(d->text, "copy");
    assert_int_equal(count(NC_SEND, &req, NULL), 0); /* answered once carried out */
    nc_clear(&core);
    nc_switch(&core, "/s/copy");
    assert_int_equal(core.n, 0);
    assert_string_equal(core.name, "copy");
    assert_string_equal(core.conf, "/s/copy/session.conf");
    nc_done(&core, true, 0, "duplicated");
    const NcAction *r = find(NC_SEND, &req, "/reply", 0);
    assert_non_null(r);
    assert_string_equal(sarg(r, 0), "/nsm/server/duplicate");
    assert_string_equal(sarg(r, 1), "duplicated");
    assert_int_equal(core.op, NC_OP_NONE);
}

static void a_failed_save_stops_a_request(void **state)
{
    (void)state;
    NcAddr req = addr(7000);
    nc_request(&core, NC_OP_NEW, &req, "fresh", 1.0);
    nc_save_written(&core, false, false, "cannot write session.conf: read-only", 0);
    assert_int_equal(count(NC_DO, NULL, NULL), 0);
    const NcAction *e = find(NC_SEND, &req, "/error", 0);
    assert_non_null(e);
    assert_string_equal(sarg(e, 0), "/nsm/server/new");
    assert_string_equal(e->msg.argv[2].s, "not done: the session could not be saved: cannot "
                                          "write session.conf: read-only");
    assert_int_equal(core.op, NC_OP_NONE);
}

static void abort_does_not_save(void **state)
{
    (void)state;
    open_client(0, 5000);
    NcAddr req = addr(7000), a0 = addr(5000);
    nc_request(&core, NC_OP_ABORT, &req, "", 1.0);
    assert_int_equal(count(NC_SEND, &a0, "/nsm/client/save"), 0);
    const NcAction *d = find(NC_DO, NULL, NULL, 0);
    assert_non_null(d);
    assert_int_equal(d->op, NC_OP_ABORT);
    nc_clear(&core);
    nc_request(&core, NC_OP_QUIT, &req, "", 2.0);        /* quit saves first */
    assert_int_equal(count(NC_SEND, &req, "/error"), 1); /* (abort still running) */
    nc_done(&core, true, 0, "stopping");
    nc_clear(&core);
    nc_request(&core, NC_OP_QUIT, &req, "", 2.0);
    assert_int_equal(count(NC_SEND, &a0, "/nsm/client/save"), 1);
    assert_int_equal(count(NC_DO, NULL, NULL), 0);
    assert_string_equal(nc_op_path(NC_OP_QUIT), "/nsm/server/quit");
    assert_string_equal(nc_op_path(NC_OP_CLOSE), "/nsm/server/close");
}

/* The /error a request got: its code and text ("" when none). */
static const char *error_text(const NcAddr *to, const char *for_path, int *code)
{
    for (int k = 0; find(NC_SEND, to, "/error", k); k++) {
        const NcAction *e = find(NC_SEND, to, "/error", k);
        if (!strcmp(sarg(e, 0), for_path)) {
            *code = e->msg.argv[1].i;
            return sarg(e, 2);
        }
    }
    return "";
}

static void gui_stops_and_resumes_a_client(void **state)
{
    (void)state;
    open_client(0, 5000);
    NcAddr gui = addr(6000);
    nc_gui_announce(&core, &gui);
    nc_clear(&core);
    NcMsg m = msg("/nsm/gui/client/stop", "s", "fm");
    assert_true(nc_receive(&core, &gui, &m));
    const NcAction *st = find(NC_STOP, NULL, NULL, 0);
    assert_non_null(st);
    assert_int_equal(st->client, 0);
    assert_true(sent(&gui, "/reply", "/nsm/gui/client/stop", "stopped client 'fm'"));
    nc_clear(&core);
    /* its end (SIGTERM: "killed by signal 15") is a stop, not a death */
    nc_exited(&core, 0, NC_RESTART, "killed by signal 15");
    assert_int_equal(core.cl[0].state, NC_STOPPED);
    assert_false(core.cl[0].stopping);
    assert_true(sent(&gui, "/nsm/gui/client/status", "fm", "stopped"));
    nc_clear(&core);
    m = msg("/nsm/gui/client/stop", "s", "fm"); /* stopped already */
    nc_receive(&core, &gui, &m);
    int code = 0;
    assert_string_equal(error_text(&gui, "/nsm/gui/client/stop", &code),
                        "client 'fm' is not running (stopped)");
    assert_int_equal(count(NC_STOP, NULL, NULL), 0);
    nc_clear(&core);
    m = msg("/nsm/gui/client/resume", "s", "fm");
    nc_receive(&core, &gui, &m);
    const NcAction *r = find(NC_RESUME, NULL, NULL, 0);
    assert_non_null(r);
    assert_int_equal(r->client, 0);
    assert_true(sent(&gui, "/reply", "/nsm/gui/client/resume", "resumed client 'fm'"));
    nc_clear(&core);
    nc_launched(&core, 0, 200, NULL);
    assert_int_equal(core.cl[0].state, NC_LAUNCHED);
    m = msg("/nsm/gui/client/resume", "s", "fm"); /* running: refused */
    nc_receive(&core, &gui, &m);
    assert_string_equal(error_text(&gui, "/nsm/gui/client/resume", &code),
                        "client 'fm' is not stopped (launched)");
    assert_int_equal(count(NC_RESUME, NULL, NULL), 0);
    /* a client waiting for its restart is stopped at once (no process) */
    nc_clear(&core);
    nc_exited(&core, 1, NC_RESTART, "killed by signal 9");
    m = msg("/nsm/gui/client/stop", "s", "seq");
    nc_receive(&core, &gui, &m);
    assert_int_equal(core.cl[1].state, NC_STOPPED);
    assert_int_equal(count(NC_STOP, NULL, NULL), 0);
}

static void gui_removes_only_a_stopped_client(void **state)
{
    (void)state;
    NcAddr gui = addr(6000), a0 = addr(5000);
    open_client(0, 5000);
    nc_gui_announce(&core, &gui);
    nc_clear(&core);
    NcMsg m = msg("/nsm/gui/client/remove", "s", "fm");
    nc_receive(&core, &gui, &m);
    int code = 0;
    assert_string_equal(error_text(&gui, "/nsm/gui/client/remove", &code),
                        "client 'fm' is open: stop it first");
    assert_int_equal(core.n, 3);
    nc_clear(&core);
    nc_exited(&core, 0, NC_STOPPED, NULL);
    nc_clear(&core);
    nc_receive(&core, &gui, &m);
    const NcAction *r = find(NC_REMOVE, NULL, NULL, 0);
    assert_non_null(r);
    assert_int_equal(r->client, 0);
    assert_true(sent(&gui, "/nsm/gui/client/status", "fm", "removed"));
    assert_true(sent(&gui, "/reply", "/nsm/gui/client/remove",
                     "removed client 'fm' (session.conf loses it on the next save)"));
    assert_int_equal(core.n, 2); /* the others moved down */
    assert_string_equal(core.cl[0].id, "seq");
    assert_int_equal(core.cl[0].pid, 101);
    assert_string_equal(core.cl[1].id, "dump");
    assert_int_equal(nc_by_addr(&core, &a0), -1);
    nc_clear(&core);
    nc_receive(&core, &gui, &m); /* gone now */
    assert_string_equal(error_text(&gui, "/nsm/gui/client/remove", &code),
                        "no client 'fm' in this session");
    assert_int_equal(code, -1);
}

static void gui_saves_one_client(void **state)
{
    (void)state;
    NcAddr gui = addr(6000), a0 = addr(5000), a1 = addr(5001);
    open_client(0, 5000);
    open_client(1, 5001);
    NcMsg m = msg("/nsm/gui/client/save", "s", "seq");
    nc_receive(&core, &gui, &m);
    assert_int_equal(count(NC_SEND, &a1, "/nsm/client/save"), 1);
    assert_int_equal(count(NC_SEND, &a0, "/nsm/client/save"), 0); /* only that one */
    assert_int_equal(count(NC_WRITE_CONF, NULL, NULL), 0);        /* session.conf untouched */
    assert_int_equal(count(NC_SEND, &gui, "/reply"), 0);          /* answered when it answers */
    nc_clear(&core);
    nc_receive(&core, &gui, &m); /* one at a time */
    int code = 0;
    assert_string_equal(error_text(&gui, "/nsm/gui/client/save", &code), "a save is running");
    assert_int_equal(code, -8);
    nc_clear(&core);
    NcMsg ok = msg("/reply", "ss", "/nsm/client/save", "state written");
    nc_receive(&core, &a1, &ok);
    assert_true(sent(&gui, "/reply", "/nsm/gui/client/save", "saved client 'seq': state written"));
    assert_int_equal(count(NC_WRITE_CONF, NULL, NULL), 0);
    nc_clear(&core);
    NcMsg plain = msg("/nsm/gui/client/save", "s", "dump");
    nc_receive(&core, &gui, &plain);
    assert_string_equal(error_text(&gui, "/nsm/gui/client/save", &code),
                        "client 'dump' cannot save: a plain program (no NSM)");
    nc_clear(&core);
    nc_receive(&core, &gui, &m); /* it ends before it answers: told */
    nc_exited(&core, 1, NC_RESTART, "killed by signal 9");
    assert_string_equal(error_text(&gui, "/nsm/gui/client/save", &code),
                        "the client ended before it saved");
}

static void gui_requests_with_bad_arguments(void **state)
{
    (void)state;
    NcAddr gui = addr(6000);
    const char *const paths[] = {"/nsm/gui/client/stop", "/nsm/gui/client/resume",
                                 "/nsm/gui/client/remove", "/nsm/gui/client/save"};
    for (int k = 0; k < 4; k++) {
        NcMsg bad[] = {msg(paths[k], ""), msg(paths[k], "i", 3), msg(paths[k], "ss", "fm", "x"),
                       msg(paths[k], "f", 1.0)};
        for (int j = 0; j < 4; j++) {
            nc_clear(&core);
            assert_true(nc_receive(&core, &gui, &bad[j]));
            int code = 0;
            assert_string_equal(error_text(&gui, paths[k], &code), "takes s CLIENT_ID");
            assert_int_equal(core.n_act, 1); /* nothing else happened */
        }
        nc_clear(&core);
        NcMsg unknown = msg(paths[k], "s", "nosuch");
        nc_receive(&core, &gui, &unknown);
        int code = 0;
        assert_string_equal(error_text(&gui, paths[k], &code),
                            "no client 'nosuch' in this session");
    }
    NcMsg other = msg("/nsm/gui/client/label", "ss", "fm", "x"); /* not a request */
    assert_false(nc_receive(&core, &gui, &other));
}

static void broadcast_goes_to_every_client_but_the_sender(void **state)
{
    (void)state;
    NcAddr a0 = addr(5000), a1 = addr(5001), gui = addr(6000);
    open_client(0, 5000);
    open_client(1, 5001);
    nc_gui_announce(&core, &gui);
    nc_clear(&core);
    NcMsg m = msg("/nsm/server/broadcast", "sisf", "/tempo/set", 120, "fast", 0.5);
    assert_true(nc_receive(&core, &a0, &m));
    assert_int_equal(count(NC_SEND, &a0, NULL), 0); /* not back to the sender */
    const NcAction *b = find(NC_SEND, &a1, "/tempo/set", 0);
    assert_non_null(b);
    assert_int_equal(b->msg.argc, 3);
    assert_int_equal(b->msg.argv[0].i, 120);
    assert_string_equal(sarg(b, 1), "fast");
    assert_true(b->msg.argv[2].f > 0.49f && b->msg.argv[2].f < 0.51f);
    const NcAction *g = find(NC_SEND, &gui, "/nsm/server/broadcast", 0); /* relayed as it came */
    assert_non_null(g);
    assert_string_equal(sarg(g, 0), "/tempo/set");
    assert_int_equal(g->msg.argc, 4);
    /* from the GUI: every client gets it, the GUI does not */
    nc_clear(&core);
    nc_receive(&core, &gui, &m);
    assert_int_equal(count(NC_SEND, NULL, "/tempo/set"), 2);
    assert_int_equal(count(NC_SEND, &gui, NULL), 0);
    /* a stopped client gets nothing */
    nc_clear(&core);
    nc_exited(&core, 1, NC_STOPPED, NULL);
    nc_receive(&core, &gui, &m);
    assert_int_equal(count(NC_SEND, NULL, "/tempo/set"), 1);
    /* bad arguments: an error, nothing sent */
    NcMsg bad[] = {msg("/nsm/server/broadcast", ""), msg("/nsm/server/broadcast", "i", 3),
                   msg("/nsm/server/broadcast", "s", "no-slash"),
                   msg("/nsm/server/broadcast", "ss", "/x", "y")};
    bad[3].argv[1].type = 'd';
    for (int j = 0; j < 4; j++) {
        nc_clear(&core);
        assert_true(nc_receive(&core, &gui, &bad[j]));
        int code = 0;
        assert_true(
            strstr(error_text(&gui, "/nsm/server/broadcast", &code), "broadcast takes s PATH"));
        assert_int_equal(count(NC_SEND, NULL, NULL), 1);
    }
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
TU_MAIN(T(launch_states), T(announce_is_welcomed_and_opened), T(bad_announces_get_errors),
        T(a_wrapper_is_the_only_one_waiting), T(open_answers),
        T(session_is_loaded_once_and_to_newcomers), T(status_messages),
        T(save_waits_for_every_answer), T(save_reports_failures_and_silence),
        T(unchanged_save_says_so), T(a_gui_gets_the_session_and_every_change),
        T(without_a_gui_nothing_goes_to_one), T(requests_save_first_then_act),
        T(a_failed_save_stops_a_request), T(abort_does_not_save), T(gui_stops_and_resumes_a_client),
        T(gui_removes_only_a_stopped_client), T(gui_saves_one_client),
        T(gui_requests_with_bad_arguments), T(broadcast_goes_to_every_client_but_the_sender))
