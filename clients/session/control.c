/* control.c - the commands that do not run a session: check DIR, and
 * save/status/stop, which talk to the running manager of DIR over OSC on
 * loopback (its port is in DIR/.aiotone-session.url). */
#include "child.h"
#include "control.h"
#include "folders.h"
#include "fileio.h"
#include "log.h"
#include "monotime.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---------------- finding the running manager ---------------- */

/* Is pid alive and an aiotone-session (not a recycled pid)? */
bool sm_manager_alive(pid_t pid)
{
    if (pid <= 0 || kill(pid, 0) != 0)
        return false;
    char path[64], cmd[256] = "";
    snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return true;
    size_t n = fread(cmd, 1, sizeof cmd - 1, f);
    fclose(f);
    cmd[n] = 0;
    return strstr(cmd, "aiotone-session") != NULL;
}

/* Read DIR/.aiotone-session.url: "osc.udp://127.0.0.1:PORT/\nPID\n". */
bool sm_read_url_file(const char *file, int *port, pid_t *pid)
{
    FILE *f = fopen(file, "r");
    if (!f)
        return false;
    int p = 0, id = 0;
    bool ok = fscanf(f, "osc.udp://127.0.0.1:%d/ %d", &p, &id) == 2;
    fclose(f);
    *port = p;
    *pid = id;
    return ok && p > 0 && p < 65536;
}

bool sm_write_url_file(const char *file, int port, char *err, size_t errlen)
{
    char text[64];
    snprintf(text, sizeof text, "osc.udp://127.0.0.1:%d/\n%d\n", port, (int)getpid());
    if (at_file_write_atomic(file, text, strlen(text), NULL, 0) != AT_OK) {
        int e = errno;
        snprintf(err, errlen, "cannot write the manager's URL file: %s", strerror(e));
        at_error("(%s)", file);
        return false;
    }
    return true;
}

bool sm_resolve_dir(const char *arg, char *dir, size_t dirlen)
{
    char real[PATH_MAX];
    if (!realpath(arg, real))
        return false;
    snprintf(dir, dirlen, "%s", real);
    return true;
}

/* Load a client's state file with the tool's own rules: run
 * `exe ARGS... --check-config FILE` (the tool prints what is wrong).
 * Returns its exit status (0 good, 2 bad), or -1 when it could not run. */
static int check_state(const char *exe, const SsClientDef *d, const char *file)
{
    char *argv[SS_MAX_ARGS + 4];
    int n = 0;
    argv[n++] = (char *)d->command;
    for (int i = 0; i < d->n_args; i++)
        argv[n++] = d->args[i];
    argv[n++] = "--check-config";
    argv[n++] = (char *)file;
    argv[n] = NULL;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        unsetenv("NSM_URL");
        execv(exe, argv);
        _exit(127);
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* check DIR: validate session.conf, find every program and load every
 * aiotone client's state file; start nothing. */
int sm_cmd_check(const char *arg)
{
    static SsSession s;
    char dir[PATH_MAX], conf[PATH_MAX + 16], err[2048], self[PATH_MAX], exe[4096];
    if (!sm_resolve_dir(arg, dir, sizeof dir)) {
        at_error("session directory %s: %s", arg, strerror(errno));
        return 2;
    }
    snprintf(conf, sizeof conf, "%s/session.conf", dir);
    if (ss_session_load(&s, conf, err, sizeof err) != AT_OK) {
        at_error("%s", err);
        return 2;
    }
    at_exe_dir(self, sizeof self);
    int rc = 0, states = 0;
    for (int i = 0; i < s.n_clients; i++) {
        const SsClientDef *d = &s.clients[i];
        if (!ss_resolve_command(d->command, self, getenv("PATH"), exe, sizeof exe)) {
            at_error("%s: client '%s': program '%s' not found (next to aiotone-session or on "
                     "PATH)",
                     conf, d->id, d->command);
            rc = 2;
            continue;
        }
        char state[PATH_MAX + 80];
        snprintf(state, sizeof state, "%s/%s.conf", dir, d->id);
        if (strncmp(d->command, "aiotone-", 8) || !d->nsm || access(state, F_OK) != 0)
            continue; /* only aiotone tools read <id>.conf, and only under NSM */
        states++;
        int st = check_state(exe, d, state);
        if (st != 0) {
            at_error("%s: client '%s': its state file %s does not load in %s (%s %d); the "
                     "session would mark it FAILED",
                     conf, d->id, state, d->command, st < 0 ? "could not run it:" : "exit status",
                     st);
            rc = 2;
        }
    }
    if (rc == 0)
        printf("%s: ok (%d clients, %d connections, %d state files)\n", conf, s.n_clients,
               s.n_conns, states);
    ss_session_free(&s);
    return rc;
}

/* ---------------- save / status / stop (talk to the manager) ---------------- */

typedef struct {
    const char *want; /* the /reply for-path we wait for */
    const char *sarg; /* the message's one string argument, or NULL */
    int done;         /* 1 reply, -1 error */
    char text[65536];
} Talk;

static void on_talk(void *user, AtOsc *osc, const AtOscMsg *msg)
{
    Talk *t = user;
    (void)osc;
    if (msg->argc < 2 || msg->types[0] != 's' || strcmp(at_osc_arg_str(msg->argv[0]), t->want))
        return;
    if (!strcmp(msg->path, "/reply") && msg->types[1] == 's') {
        snprintf(t->text, sizeof t->text, "%s", at_osc_arg_str(msg->argv[1]));
        t->done = 1;
    } else if (!strcmp(msg->path, "/error") && msg->argc >= 3 && msg->types[2] == 's') {
        snprintf(t->text, sizeof t->text, "%s", at_osc_arg_str(msg->argv[2]));
        t->done = -1;
    }
}

/* Send path to the manager of dir and wait for its answer. Returns 0 on
 * a /reply, 1 on an /error or no answer, 3 when no manager runs. */
static int talk(const char *arg, const char *path, double timeout, Talk *t, pid_t *pid_out)
{
    char dir[PATH_MAX], file[PATH_MAX + 64], err[512];
    int port;
    pid_t pid;
    if (!sm_resolve_dir(arg, dir, sizeof dir)) {
        at_error("session directory %s: %s", arg, strerror(errno));
        return 2;
    }
    snprintf(file, sizeof file, "%s/" SM_URL_FILE, dir);
    if (!sm_read_url_file(file, &port, &pid)) {
        at_error("no session is running in %s (no %s)", dir, SM_URL_FILE);
        return 3;
    }
    if (!sm_manager_alive(pid)) {
        at_error("no session is running in %s (pid %d is gone; removed the stale %s)", dir,
                 (int)pid, SM_URL_FILE);
        unlink(file);
        return 3;
    }
    t->want = path;
    AtOsc *o = at_osc_open("127.0.0.1", 0, NULL, 0, on_talk, t, err, sizeof err);
    if (!o) {
        at_error("%s", err);
        return 1;
    }
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct sockaddr_storage ss;
    memcpy(&ss, &to, sizeof to);
    lo_message msg = lo_message_new();
    if (t->sarg)
        lo_message_add_string(msg, t->sarg);
    at_osc_send_to(o, &ss, sizeof to, path, msg);
    lo_message_free(msg);
    double end = at_mono_now() + timeout;
    while (!t->done && at_mono_now() < end) {
        struct pollfd p = {.fd = at_osc_fd(o), .events = POLLIN};
        poll(&p, 1, 50);
        at_osc_receive(o);
    }
    at_osc_close(o);
    if (pid_out)
        *pid_out = pid;
    if (!t->done) {
        at_error("the session manager (pid %d) did not answer %s", (int)pid, path);
        return 1;
    }
    return t->done > 0 ? 0 : 1;
}

/* Send path (with sarg when not NULL) and print the answer. */
static int ask(const char *arg, const char *path, const char *sarg, double timeout)
{
    static Talk t;
    t.sarg = sarg;
    int rc = talk(arg, path, timeout, &t, NULL);
    if (t.done > 0)
        printf("%s\n", t.text);
    else if (t.done < 0)
        at_error("%s", t.text);
    return rc;
}

int sm_cmd_stop(const char *arg)
{
    static Talk t;
    pid_t pid = 0;
    int rc = talk(arg, "/nsm/server/abort", 5.0, &t, &pid); /* (stop does not save) */
    if (rc != 0)
        return rc; /* 3: nothing runs in DIR (the error says so) */
    for (int i = 0; i < 600 && kill(pid, 0) == 0; i++) {
        char path[64], st = 0;
        snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
        FILE *f = fopen(path, "r");
        if (f) {
            int r = fscanf(f, "%*d %*s %c", &st);
            fclose(f);
            if (r == 1 && st == 'Z')
                break; /* ended; its parent has not reaped it yet */
        }
        usleep(50000);
    }
    printf("session stopped\n");
    return 0;
}

int sm_cmd_simple(const char *arg, const char *path, double timeout)
{
    return ask(arg, path, NULL, timeout);
}

/* arg as an absolute path (it need not exist), without a trailing '/'. */
static bool absolute(const char *arg, char *out, size_t outlen)
{
    char cwd[PATH_MAX];
    int n = arg[0] == '/'             ? snprintf(out, outlen, "%s", arg)
            : getcwd(cwd, sizeof cwd) ? snprintf(out, outlen, "%s/%s", cwd, arg)
                                      : -1;
    if (n < 0 || (size_t)n >= outlen)
        return false;
    for (size_t l = strlen(out); l > 1 && out[l - 1] == '/'; l--)
        out[l - 1] = 0;
    return true;
}

int sm_cmd_duplicate(const char *src_arg, const char *dst_arg)
{
    char src[PATH_MAX], dst[PATH_MAX], file[PATH_MAX + 64], err[2048];
    int port;
    pid_t pid;
    struct stat st;
    if (!sm_resolve_dir(src_arg, src, sizeof src)) {
        at_error("session directory %s: %s", src_arg, strerror(errno));
        return 2;
    }
    snprintf(file, sizeof file, "%s/session.conf", src);
    if (stat(file, &st) != 0) {
        at_error("%s is not a session (no session.conf)", src);
        return 2;
    }
    if (!absolute(dst_arg, dst, sizeof dst) || lstat(dst, &st) == 0) {
        at_error("%s: %s", dst_arg,
                 errno == ENAMETOOLONG || !dst[0] ? "path too long"
                                                  : "exists already: refusing to overwrite it "
                                                    "(choose a new name)");
        return 2;
    }
    snprintf(file, sizeof file, "%s/" SM_URL_FILE, src);
    if (sm_read_url_file(file, &port, &pid) && sm_manager_alive(pid))
        return ask(src, "/nsm/server/duplicate", dst, SM_SAVE_WAIT + 20.0);
    if (!sm_copy_session(src, dst, err, sizeof err)) {
        at_error("%s", err);
        return 1;
    }
    printf("duplicated %s as %s (no session runs in %s: nothing to save; start the copy with "
           "'aiotone-session run %s')\n",
           src, dst, src, dst);
    return 0;
}
