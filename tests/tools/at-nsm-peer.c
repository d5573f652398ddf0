/* at-nsm-peer - a scripted NSM server for testing NSM clients: launches
 * a program with NSM_URL pointing at itself, then runs a script of steps
 * and prints what happens, one line each:
 *   announce NAME CAPS EXE MAJOR MINOR PID-MATCHES(yes|no)
 *   open-reply MSG | open-error CODE MSG
 *   save-reply MSG | save-error CODE MSG
 *   dirty | clean | message PRIORITY TEXT
 *   exit STATUS MS   (MS = time from SIGTERM to exit)
 *   timeout STEP
 * Steps (argv, before "--"):
 *   announce             wait for the announce and accept it
 *   refuse CODE MSG      wait for the announce and answer /error
 *   open ID PATH         send /nsm/client/open PATH ID ID; wait for the answer
 *   save                 send /nsm/client/save; wait for the answer
 *   wait-dirty|wait-clean  wait for is_dirty / is_clean
 *   loaded               send /nsm/client/session_is_loaded
 *   sh COMMAND           run COMMAND with /bin/sh (for pokes in between)
 *   sleep MS
 *   term                 SIGTERM the program and wait for it to exit
 *   wait-exit            wait for the program to exit by itself
 * usage: at-nsm-peer [-t TIMEOUT_MS] STEP... -- PROGRAM [ARG...] */
#include "osc.h"

#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static AtOsc *osc;
static struct sockaddr_storage client;
static socklen_t client_len;
static pid_t child;
static int timeout_ms = 10000;
static int refuse_code;
static const char *refuse_msg;

/* What the last wait is looking for, and whether it came. */
static const char *want_path, *want_reply;
static bool got;

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

static void send_msg(const char *path, lo_message m)
{
    at_osc_send_to(osc, &client, client_len, path, m);
    lo_message_free(m);
}

static void on_announce(const AtOscMsg *msg)
{
    memcpy(&client, &msg->from, msg->fromlen);
    client_len = msg->fromlen;
    if (strcmp(msg->types, "sssiii")) {
        printf("announce bad-types %s\n", msg->types);
        return;
    }
    printf("announce %s %s %s %d %d %s\n", at_osc_arg_str(msg->argv[0]),
           at_osc_arg_str(msg->argv[1]), at_osc_arg_str(msg->argv[2]), at_osc_arg_i32(msg->argv[3]),
           at_osc_arg_i32(msg->argv[4]), at_osc_arg_i32(msg->argv[5]) == (int)child ? "yes" : "no");
    lo_message r = lo_message_new();
    if (refuse_msg) {
        lo_message_add_string(r, "/nsm/server/announce");
        lo_message_add_int32(r, refuse_code);
        lo_message_add_string(r, refuse_msg);
        send_msg("/error", r);
    } else {
        lo_message_add_string(r, "/nsm/server/announce");
        lo_message_add_string(r, "hello");
        lo_message_add_string(r, "at-nsm-peer");
        lo_message_add_string(r, ":server-control:");
        send_msg("/reply", r);
    }
}

static void on_reply(const AtOscMsg *msg, bool ok)
{
    const char *what = at_osc_arg_str(msg->argv[0]);
    const char *kind = !strcmp(what, "/nsm/client/open")   ? "open"
                       : !strcmp(what, "/nsm/client/save") ? "save"
                                                           : what;
    if (ok && !strcmp(msg->types, "ss"))
        printf("%s-reply %s\n", kind, at_osc_arg_str(msg->argv[1]));
    else if (!ok && !strcmp(msg->types, "sis"))
        printf("%s-error %d %s\n", kind, at_osc_arg_i32(msg->argv[1]),
               at_osc_arg_str(msg->argv[2]));
    else
        printf("%s-%s bad-types %s\n", kind, ok ? "reply" : "error", msg->types);
    if (want_reply && !strcmp(what, want_reply))
        got = true;
}

static void on_message(void *user, AtOsc *o, const AtOscMsg *msg)
{
    (void)user;
    (void)o;
    if (!strcmp(msg->path, "/nsm/server/announce"))
        on_announce(msg);
    else if ((!strcmp(msg->path, "/reply") || !strcmp(msg->path, "/error")) && msg->argc >= 1 &&
             msg->types[0] == 's')
        on_reply(msg, !strcmp(msg->path, "/reply"));
    else if (!strcmp(msg->path, "/nsm/client/is_dirty"))
        printf("dirty\n");
    else if (!strcmp(msg->path, "/nsm/client/is_clean"))
        printf("clean\n");
    else if (!strcmp(msg->path, "/nsm/client/message") && !strcmp(msg->types, "is"))
        printf("message %d %s\n", at_osc_arg_i32(msg->argv[0]), at_osc_arg_str(msg->argv[1]));
    else
        printf("other %s %s\n", msg->path, msg->types);
    fflush(stdout);
    if (want_path && !strcmp(msg->path, want_path))
        got = true;
}

/* Pump messages until the awaited one came or the time is up. */
static bool wait_for(const char *path, const char *reply_to, const char *step)
{
    want_path = path;
    want_reply = reply_to;
    got = false;
    double end = now_ms() + timeout_ms;
    while (!got && now_ms() < end) {
        struct pollfd p = {.fd = at_osc_fd(osc), .events = POLLIN};
        poll(&p, 1, 20);
        at_osc_receive(osc);
    }
    want_path = want_reply = NULL;
    if (!got)
        printf("timeout %s\n", step);
    fflush(stdout);
    return got;
}

static void wait_exit(double since)
{
    double end = now_ms() + timeout_ms;
    int status;
    while (now_ms() < end) {
        pid_t r = waitpid(child, &status, WNOHANG);
        if (r == child) {
            printf("exit %d %.0f\n",
                   WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
                   now_ms() - since);
            child = 0;
            return;
        }
        struct pollfd p = {.fd = at_osc_fd(osc), .events = POLLIN};
        poll(&p, 1, 10);
        at_osc_receive(osc);
    }
    printf("timeout exit\n");
}

static int run_step(char **argv, int i, int end)
{
    const char *s = argv[i];
    int need = !strcmp(s, "refuse") || !strcmp(s, "open") ? 2
               : !strcmp(s, "sh") || !strcmp(s, "sleep")  ? 1
                                                          : 0;
    if (i + need >= end) {
        fprintf(stderr, "at-nsm-peer: step %s needs %d argument(s)\n", s, need);
        return -1;
    }
    if (!strcmp(s, "announce") || !strcmp(s, "refuse")) {
        if (!strcmp(s, "refuse")) {
            refuse_code = atoi(argv[i + 1]);
            refuse_msg = argv[i + 2];
        }
        wait_for("/nsm/server/announce", NULL, s);
    } else if (!strcmp(s, "open")) {
        lo_message m = lo_message_new();
        lo_message_add_string(m, argv[i + 2]);
        lo_message_add_string(m, argv[i + 1]);
        lo_message_add_string(m, argv[i + 1]);
        send_msg("/nsm/client/open", m);
        wait_for(NULL, "/nsm/client/open", s);
    } else if (!strcmp(s, "save")) {
        send_msg("/nsm/client/save", lo_message_new());
        wait_for(NULL, "/nsm/client/save", s);
    } else if (!strcmp(s, "wait-dirty")) {
        wait_for("/nsm/client/is_dirty", NULL, s);
    } else if (!strcmp(s, "wait-clean")) {
        wait_for("/nsm/client/is_clean", NULL, s);
    } else if (!strcmp(s, "loaded")) {
        send_msg("/nsm/client/session_is_loaded", lo_message_new());
    } else if (!strcmp(s, "sh")) {
        fflush(stdout);
        int r = system(argv[i + 1]);
        (void)r;
    } else if (!strcmp(s, "sleep")) {
        double until = now_ms() + atoi(argv[i + 1]);
        while (now_ms() < until) {
            struct pollfd p = {.fd = at_osc_fd(osc), .events = POLLIN};
            poll(&p, 1, 10);
            at_osc_receive(osc);
        }
    } else if (!strcmp(s, "term")) {
        double t = now_ms();
        if (child > 0)
            kill(child, SIGTERM);
        wait_exit(t);
    } else if (!strcmp(s, "wait-exit")) {
        wait_exit(now_ms());
    } else {
        fprintf(stderr, "at-nsm-peer: unknown step %s\n", s);
        return -1;
    }
    return need + 1;
}

int main(int argc, char **argv)
{
    int first = 1;
    if (argc > 2 && !strcmp(argv[1], "-t")) {
        timeout_ms = atoi(argv[2]);
        first = 3;
    }
    int dash = first;
    while (dash < argc && strcmp(argv[dash], "--"))
        dash++;
    if (dash >= argc - 1) {
        fprintf(stderr, "usage: at-nsm-peer [-t TIMEOUT_MS] STEP... -- PROGRAM [ARG...]\n");
        return 2;
    }
    char err[256];
    osc = at_osc_open("127.0.0.1", 0, NULL, 0, on_message, NULL, err, sizeof err);
    if (!osc) {
        fprintf(stderr, "at-nsm-peer: %s\n", err);
        return 1;
    }
    char url[64];
    snprintf(url, sizeof url, "osc.udp://127.0.0.1:%d/", at_osc_port(osc));
    setvbuf(stdout, NULL, _IOLBF, 0);
    child = fork();
    if (child == 0) {
        setenv("NSM_URL", url, 1);
        execvp(argv[dash + 1], argv + dash + 1);
        _exit(127);
    }
    for (int i = first; i < dash;) {
        int used = run_step(argv, i, dash);
        if (used < 0)
            break;
        i += used;
    }
    if (child > 0) {
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
    }
    at_osc_close(osc);
    return 0;
}
