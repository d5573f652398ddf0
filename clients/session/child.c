/* child.c - the session manager's children: spawn, and print their
 * output line by line with their names in front (see child.h). */
#include "child.h"
#include "monotime.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

extern char **environ;

void sm_client_argv(const SsClientDef *d, char *argv[])
{
    int n = 0;
    argv[n++] = (char *)d->command;
    for (int k = 0; k < d->n_args; k++)
        argv[n++] = d->args[k];
    argv[n] = NULL;
}

void sm_nsm_url(char *url, size_t len, int osc_port)
{
    snprintf(url, len, "osc.udp://127.0.0.1:%d/", osc_port);
}

/* The environment for a child, built before fork (no malloc after it). */
static char **child_env(const char *nsm_url, const char *server)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 3, sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "NSM_URL=", 8) && strncmp(environ[i], "JACK_DEFAULT_SERVER=", 20))
            env[k++] = environ[i];
    if (nsm_url && asprintf(&env[k], "NSM_URL=%s", nsm_url) > 0)
        k++;
    if (asprintf(&env[k], "JACK_DEFAULT_SERVER=%s", server) > 0)
        k++;
    env[k] = NULL;
    return env;
}

static void free_env(char **env)
{
    if (!env)
        return;
    for (size_t i = 0; env[i]; i++)
        if (!strncmp(env[i], "NSM_URL=", 8) || !strncmp(env[i], "JACK_DEFAULT_SERVER=", 20))
            free(env[i]); /* ours; the rest belong to environ */
    free(env);
}

static void out_close(SmOut *o, int k)
{
    if (o->fd[k] >= 0)
        close(o->fd[k]);
    o->fd[k] = -1;
}

typedef struct {
    const SmOut *o;
    FILE *f;
} EmitCtx;

static void emit_line(void *ctx, const char *line, size_t len)
{
    const EmitCtx *e = ctx;
    fprintf(e->f, "[%s] %.*s\n", e->o->name, (int)len, line);
    fflush(e->f);
}

/* Read what a child wrote (until the pipe is empty); at EOF print a last
 * unfinished line and close the pipe. */
void sm_out_pump(SmOut *o)
{
    for (int k = 0; k < 2; k++) {
        EmitCtx ctx = {o, k ? stderr : stdout};
        while (o->fd[k] >= 0) {
            char buf[4096];
            ssize_t r = read(o->fd[k], buf, sizeof buf);
            if (r > 0) {
                ss_lines_feed(&o->lines[k], buf, (size_t)r, emit_line, &ctx);
                continue;
            }
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0 && errno == EAGAIN)
                break;
            ss_lines_flush(&o->lines[k], emit_line, &ctx);
            out_close(o, k);
        }
    }
}

/* The child has ended: print everything left, close the pipes (a
 * grandchild still holding them would only keep them open). */
void sm_out_finish(SmOut *o)
{
    sm_out_pump(o);
    for (int k = 0; k < 2; k++) {
        EmitCtx ctx = {o, k ? stderr : stdout};
        ss_lines_flush(&o->lines[k], emit_line, &ctx);
        out_close(o, k);
    }
}

void sm_pump(SmMgr *m)
{
    for (int i = 0; i < m->s.n_clients; i++)
        sm_out_pump(&m->cl[i].out);
    sm_out_pump(&m->jackd_out);
    sm_out_pump(&m->bridge_out);
}

pid_t sm_spawn(const char *dir, const char *server, const char *exe, char *const argv[],
               int die_sig, const char *nsm_url, SmOut *out, const char *name)
{
    int p[2][2] = {{-1, -1}, {-1, -1}};
    char **env = child_env(nsm_url, server);
    if (!env || pipe2(p[0], O_CLOEXEC) || pipe2(p[1], O_CLOEXEC)) {
        for (int k = 0; k < 4; k++)
            if (p[k / 2][k % 2] >= 0)
                close(p[k / 2][k % 2]);
        free_env(env);
        return -1;
    }
    sm_out_finish(out); /* a previous run's pipes */
    snprintf(out->name, sizeof out->name, "%s", name);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = fork();
    if (pid == 0) {
        /* Own process group (a ^C on the terminal reaches only the
         * manager, which then stops everyone in order); die with it. */
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, die_sig);
        struct sigaction dfl = {.sa_handler = SIG_DFL};
        for (int s = 1; s < NSIG; s++)
            sigaction(s, &dfl, NULL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (dup2(p[0][1], 1) < 0 || dup2(p[1][1], 2) < 0 || chdir(dir) != 0)
            _exit(127);
        close_range(3, ~0U, 0);
        execve(exe, argv, env);
        _exit(127);
    }
    int e = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    free_env(env);
    close(p[0][1]);
    close(p[1][1]);
    if (pid < 0) {
        close(p[0][0]);
        close(p[1][0]);
        errno = e;
        return -1;
    }
    for (int k = 0; k < 2; k++) {
        fcntl(p[k][0], F_SETFL, O_NONBLOCK);
        out->fd[k] = p[k][0];
        out->lines[k].len = 0;
    }
    return pid;
}
