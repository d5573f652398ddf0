/* folders.c - session folders for the NSM server commands: a name under
 * the session root, the list of sessions there, and copying or creating
 * one atomically (built in a hidden temporary folder next to it and
 * renamed into place, so a failure leaves no half copy); and opening
 * another folder's session in place of the running one (sm_switch). */
#include "folders.h"
#include "control.h"
#include "log.h"
#include "monotime.h"
#include "supervise.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool sm_session_path(const char *root, const char *name, char *out, size_t outlen, char *err,
                     size_t errlen)
{
    static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _.+-";
    const char *base = name[0] == '/' ? strrchr(name, '/') + 1 : name;
    bool good = base[0] && base[0] != '.' && strspn(base, ok) == strlen(base);
    if (!good) {
        snprintf(err, errlen,
                 "bad session name '%s': a folder name of letters, digits, space and _.+- "
                 "(not starting with '.'), or an absolute path ending in one",
                 name);
        return false;
    }
    int n = name[0] == '/' ? snprintf(out, outlen, "%s", name)
                           : snprintf(out, outlen, "%s/%s", root, name);
    if (n < 0 || (size_t)n >= outlen) {
        snprintf(err, errlen, "session path too long: %s", name);
        return false;
    }
    return true;
}

static int by_name(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

int sm_list_sessions(const char *root, char (*names)[256], int max)
{
    DIR *d = opendir(root);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while (n < max && (e = readdir(d))) {
        char conf[8192];
        struct stat st;
        if (e->d_name[0] == '.' || strlen(e->d_name) >= 256)
            continue;
        snprintf(conf, sizeof conf, "%s/%s/session.conf", root, e->d_name);
        if (stat(conf, &st) == 0 && S_ISREG(st.st_mode))
            snprintf(names[n++], 256, "%s", e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, 256, by_name);
    return n;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* Remove a folder and everything in it (a failed copy's temporary). */
static void remove_tree(const char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static bool copy_file(const char *from, const char *to, mode_t mode)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return false;
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 07777);
    bool ok = out >= 0;
    char buf[65536];
    while (ok) {
        ssize_t r = read(in, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            ok = r == 0;
            break;
        }
        for (ssize_t w = 0; ok && w < r;) {
            ssize_t k = write(out, buf + w, (size_t)(r - w));
            ok = k > 0 || (k < 0 && errno == EINTR);
            w += k > 0 ? k : 0;
        }
    }
    ok = ok && fsync(out) == 0;
    int e = errno;
    close(in);
    if (out >= 0 && close(out) != 0)
        ok = false;
    errno = e;
    return ok;
}

/* Copy the folder from into the new folder to (files, folders, links);
 * the manager's URL file stays behind. */
static bool copy_tree(const char *from, const char *to, char *err, size_t errlen)
{
    struct stat st;
    if (stat(from, &st) != 0 || mkdir(to, st.st_mode & 07777) != 0) {
        snprintf(err, errlen, "cannot create %s: %s", to, strerror(errno));
        return false;
    }
    DIR *d = opendir(from);
    if (!d) {
        snprintf(err, errlen, "cannot read %s: %s", from, strerror(errno));
        return false;
    }
    bool ok = true;
    struct dirent *e;
    while (ok && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, SM_URL_FILE))
            continue;
        char a[8192], b[8192], link[4096];
        snprintf(a, sizeof a, "%s/%s", from, e->d_name);
        snprintf(b, sizeof b, "%s/%s", to, e->d_name);
        ok = lstat(a, &st) == 0;
        if (ok && S_ISDIR(st.st_mode)) {
            ok = copy_tree(a, b, err, errlen);
            continue;
        }
        if (ok && S_ISLNK(st.st_mode)) {
            ssize_t n = readlink(a, link, sizeof link - 1);
            ok = n >= 0 && (link[n] = 0, symlink(link, b) == 0);
        } else if (ok && S_ISREG(st.st_mode)) {
            ok = copy_file(a, b, st.st_mode);
        } /* (sockets, fifos and devices are not session state) */
        if (!ok)
            snprintf(err, errlen, "cannot copy %s to %s: %s", a, b, strerror(errno));
    }
    closedir(d);
    return ok;
}

/* Make the finished temporary folder tmp the session dst, unless dst
 * exists by now; remove tmp when that fails. */
static bool put_in_place(const char *tmp, const char *dst, char *err, size_t errlen)
{
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dst, RENAME_NOREPLACE) != 0) {
        snprintf(err, errlen, "cannot create %s: %s", dst, strerror(errno));
        remove_tree(tmp);
        return false;
    }
    return true;
}

/* The hidden temporary next to dst, after checking that dst is free and
 * its folder exists. */
static bool temp_for(const char *dst, char *tmp, size_t tmplen, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(dst, &st) == 0) {
        snprintf(err, errlen, "%s exists already: refusing to overwrite it (choose a new name)",
                 dst);
        return false;
    }
    const char *slash = strrchr(dst, '/');
    if (!slash) {
        snprintf(err, errlen, "not an absolute path: %s", dst);
        return false;
    }
    char parent[4096];
    snprintf(parent, sizeof parent, "%.*s", (int)(slash - dst), dst);
    if (stat(parent[0] ? parent : "/", &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "cannot create %s: its folder %s does not exist", dst, parent);
        return false;
    }
    int n = snprintf(tmp, tmplen, "%s/.%s.tmp-%d", parent, slash + 1, (int)getpid());
    if (n < 0 || (size_t)n >= tmplen) {
        snprintf(err, errlen, "session path too long: %s", dst);
        return false;
    }
    remove_tree(tmp); /* a leftover of a run killed while copying */
    return true;
}

bool sm_copy_session(const char *src, const char *dst, char *err, size_t errlen)
{
    char tmp[8192];
    if (!temp_for(dst, tmp, sizeof tmp, err, errlen))
        return false;
    if (!copy_tree(src, tmp, err, errlen)) {
        remove_tree(tmp);
        return false;
    }
    return put_in_place(tmp, dst, err, errlen);
}

bool sm_new_session(const char *dst, char *err, size_t errlen)
{
    char tmp[8192], conf[8300];
    if (!temp_for(dst, tmp, sizeof tmp, err, errlen))
        return false;
    snprintf(conf, sizeof conf, "%s/session.conf", tmp);
    FILE *f = NULL;
    if (mkdir(tmp, 0755) != 0 || !(f = fopen(conf, "w")) ||
        fputs("# A new session (aiotone-session, docs/sessions.md): add clients here or with\n"
              "# /nsm/server/add, then save.\nclients = ( );\n",
              f) < 0 ||
        fflush(f) != 0 || fsync(fileno(f)) != 0) {
        snprintf(err, errlen, "cannot create %s: %s", conf, strerror(errno));
        if (f)
            fclose(f);
        remove_tree(tmp);
        return false;
    }
    if (fclose(f) != 0) {
        snprintf(err, errlen, "cannot create %s: %s", conf, strerror(errno));
        remove_tree(tmp);
        return false;
    }
    return put_in_place(tmp, dst, err, errlen);
}

/* Load and check the session in dir (its file, no live manager there,
 * every program found) without touching the running one. */
static SsSession *load_other(SmMgr *m, const char *dir, char *err, size_t errlen)
{
    char conf[4200], url[4200], exe[4096];
    int port;
    pid_t other;
    snprintf(conf, sizeof conf, "%s/session.conf", dir);
    snprintf(url, sizeof url, "%s/" SM_URL_FILE, dir);
    if (sm_read_url_file(url, &port, &other) && other != getpid() && sm_manager_alive(other)) {
        snprintf(err, errlen, "a session is already running in %s (pid %d)", dir, (int)other);
        return NULL;
    }
    SsSession *s = calloc(1, sizeof *s);
    if (!s || ss_session_load(s, conf, err, errlen) != AT_OK) {
        free(s);
        return NULL;
    }
    for (int i = 0; i < s->n_clients; i++)
        if (!s->clients[i].host[0] && !ss_resolve_command(s->clients[i].command, m->self_dir,
                                                          getenv("PATH"), exe, sizeof exe)) {
            snprintf(err, errlen, "%s: client '%s': program '%s' not found", conf, s->clients[i].id,
                     s->clients[i].command);
            ss_session_free(s);
            free(s);
            return NULL;
        }
    return s;
}

bool sm_switch(SmMgr *m, const char *dir, char *err, size_t errlen)
{
    SsSession *s = load_other(m, dir, err, errlen);
    if (!s)
        return false;
    if (s->server[0] && strcmp(s->server, m->server))
        at_warn("%s/session.conf names the JACK server '%s'; it opens on '%s', which runs (its "
                "own server is used when it is run by itself)",
                dir, s->server, m->server);
    at_info("closing session %s to open %s", m->dir, dir);
    m->closing = true;
    sm_stop_clients(m);
    m->closing = false;
    int port;
    pid_t who;
    if (sm_read_url_file(m->urlfile, &port, &who) && who == getpid())
        unlink(m->urlfile);
    ss_session_free(&m->s);
    m->s = *s; /* (the copy owns what s held) */
    free(s);
    snprintf(m->dir, sizeof m->dir, "%s", dir);
    snprintf(m->conf, sizeof m->conf, "%s/session.conf", dir);
    snprintf(m->urlfile, sizeof m->urlfile, "%s/" SM_URL_FILE, dir);
    nc_switch(&m->core, dir);
    for (int i = 0; i < m->s.n_clients; i++) {
        m->cl[i] = (SmClient){.out = {.fd = {-1, -1}}};
        nc_add(&m->core, m->s.clients[i].id, m->s.clients[i].command, m->s.clients[i].nsm);
    }
    m->reported_open = m->reported_conns = m->reported_waiting = false;
    m->t0 = at_mono_now();
    char why[512];
    if (!sm_write_url_file(m->urlfile, at_osc_port(m->osc), why, sizeof why))
        at_error("%s", why);
    at_info("session %s open on JACK server '%s'; NSM_URL=osc.udp://127.0.0.1:%d/", m->dir,
            m->server, at_osc_port(m->osc));
    for (int i = 0; i < m->s.n_clients; i++)
        sm_launch(m, i);
    atomic_store(&m->jack_changed, 1);
    return true;
}
