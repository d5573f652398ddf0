/* sessconf.c - the session model (sessconf.h): valid ids and commands,
 * resolving a command to a program, adding clients and connections,
 * freeing, reading the file. Reading its text is in sessparse.c, writing
 * it in sesswrite.c, the manager's pure rules in sessrules.c, the readers
 * shared with hosts.c in confread.c. */
#include "sessconf.h"
#include "fileio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool ss_valid_id(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n >= SS_ID_MAX)
        return false;
    return strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

bool ss_valid_command(const char *cmd)
{
    size_t n = strlen(cmd);
    if (n == 0 || n >= SS_CMD_MAX || cmd[0] == '.' || cmd[0] == '-')
        return false;
    return strspn(cmd, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.+") == n;
}

static bool executable_in(const char *dir, size_t dirlen, const char *cmd, char *out, size_t outlen)
{
    if (dirlen == 0)
        return false; /* an empty PATH entry means ".", which we never search */
    int w = snprintf(out, outlen, "%.*s/%s", (int)dirlen, dir, cmd);
    if (w < 0 || (size_t)w >= outlen || dir[0] != '/')
        return false;
    struct stat st;
    return stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0;
}

bool ss_resolve_command(const char *cmd, const char *self_dir, const char *path_env, char *out,
                        size_t outlen)
{
    if (!ss_valid_command(cmd))
        return false;
    /* Our own tools come from the build we are part of, not from PATH. */
    if (!strncmp(cmd, "aiotone-", 8) && self_dir &&
        executable_in(self_dir, strlen(self_dir), cmd, out, outlen))
        return true;
    for (const char *p = path_env ? path_env : ""; *p;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        if (executable_in(p, len, cmd, out, outlen))
            return true;
        p += len + (colon ? 1 : 0);
    }
    return false;
}

int ss_session_find(const SsSession *s, const char *id)
{
    for (int i = 0; i < s->n_clients; i++)
        if (!strcmp(s->clients[i].id, id))
            return i;
    return -1;
}

bool ss_session_add_client(SsSession *s, const char *id, const char *command,
                           const char *const *args, int n_args, bool nsm, char *err, size_t errlen)
{
    if (!ss_valid_id(id)) {
        snprintf(err, errlen, "bad client id \"%s\": use letters, digits, _ and - (1..63)", id);
        return false;
    }
    if (!ss_valid_command(command)) {
        snprintf(err, errlen,
                 "bad command \"%s\": must be a bare program name (letters, digits, . _ + -), "
                 "no path and no shell syntax",
                 command);
        return false;
    }
    if (ss_session_find(s, id) >= 0) {
        snprintf(err, errlen, "client id \"%s\" is used twice", id);
        return false;
    }
    if (s->n_clients >= SS_MAX_CLIENTS || n_args > SS_MAX_ARGS) {
        snprintf(err, errlen, "too many clients (max %d) or arguments (max %d)", SS_MAX_CLIENTS,
                 SS_MAX_ARGS);
        return false;
    }
    SsClientDef *c = &s->clients[s->n_clients];
    memset(c, 0, sizeof *c);
    snprintf(c->id, sizeof c->id, "%s", id);
    snprintf(c->command, sizeof c->command, "%s", command);
    for (int i = 0; i < n_args; i++) {
        c->args[i] = strdup(args[i]);
        if (!c->args[i]) {
            for (int k = 0; k < i; k++)
                free(c->args[k]);
            snprintf(err, errlen, "out of memory");
            return false;
        }
    }
    c->n_args = n_args;
    c->nsm = nsm;
    s->n_clients++;
    return true;
}

bool ss_session_add_conn(SsSession *s, const char *from, const char *to)
{
    for (int i = 0; i < s->n_conns; i++)
        if (!strcmp(s->conns[i].from, from) && !strcmp(s->conns[i].to, to))
            return true;
    if (s->n_conns == s->cap_conns) {
        int cap = s->cap_conns ? s->cap_conns * 2 : 16;
        SsConn *c = realloc(s->conns, (size_t)cap * sizeof *c);
        if (!c)
            return false;
        s->conns = c;
        s->cap_conns = cap;
    }
    char *f = strdup(from), *t = strdup(to);
    if (!f || !t) {
        free(f);
        free(t);
        return false;
    }
    s->conns[s->n_conns++] = (SsConn){.from = f, .to = t, .made = false};
    return true;
}

void ss_session_free(SsSession *s)
{
    for (int i = 0; i < s->n_clients; i++)
        for (int k = 0; k < s->clients[i].n_args; k++)
            free(s->clients[i].args[k]);
    for (int i = 0; i < s->n_conns; i++) {
        free(s->conns[i].from);
        free(s->conns[i].to);
    }
    free(s->conns);
    memset(s, 0, sizeof *s);
}

/* A session file is a config file: small (as paramload.c's limit). */
#define SS_FILE_MAX ((size_t)16 << 20)

char *ss_read_file(const char *path, size_t *len_out)
{
    return at_file_read(path, SS_FILE_MAX, len_out, NULL, 0);
}
