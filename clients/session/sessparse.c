/* sessparse.c - reading a session file (sessconf.h): its jack settings,
 * clients and connections, each value checked with the file, line and
 * key in the error (the hosts list is read by hosts.c). */
#include "sessconf.h"
#include "sessfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool parse_jack(const SsConfCtx *x, SsSession *s, const config_setting_t *j)
{
    static const char *const keys[] = {"server", "driver", "rate", "period", "midi-bridge", NULL};
    if (!config_setting_is_group(j)) {
        ss_conf_error(x->err, x->errlen, x->file, ss_conf_line(j), "jack",
                      "must be a group { ... }");
        return false;
    }
    if (!ss_conf_only_keys(x, j, "jack", keys, "server, driver, rate, period, midi-bridge"))
        return false;
    const char *server;
    if (!ss_conf_string(x, j, "jack", "server", false, &server))
        return false;
    if (server) {
        if (!*server || strlen(server) >= sizeof s->server || strchr(server, '/')) {
            ss_conf_member_error(x, j, "jack", "server",
                                 "bad value \"%s\": a JACK server name (1..63 chars, no '/')",
                                 server);
            return false;
        }
        snprintf(s->server, sizeof s->server, "%s", server);
    }
    int drv = SS_DRIVER_AUTO, br = SS_BRIDGE_NONE;
    if (!ss_conf_enum(x, j, "jack", "driver", ss_driver_names, 3, &drv) ||
        !ss_conf_enum(x, j, "jack", "midi-bridge", ss_bridge_names, 3, &br) ||
        !ss_conf_int(x, j, "jack", "rate", 8000, 192000, SS_INT_WHOLE, &s->rate) ||
        !ss_conf_int(x, j, "jack", "period", 16, 8192, SS_INT_POW2, &s->period))
        return false;
    s->driver = (SsDriver)drv;
    s->bridge = (SsBridge)br;
    return true;
}

/* A client's id, command and host against the rules and the rest of the
 * session. */
static bool check_client(const SsConfCtx *x, const SsSession *s, const config_setting_t *c,
                         const char *where, const char *id, const char *cmd, const char *host)
{
    if (host && ss_hosts_find(s->hosts, s->n_hosts, host) < 0) {
        char names[SS_MAX_HOSTS * (SS_HOST_NAME_MAX + 4)] = "";
        for (int i = 0; i < s->n_hosts; i++)
            snprintf(names + strlen(names), sizeof names - strlen(names), ", \"%s\"",
                     s->hosts[i].name);
        ss_conf_member_error(x, c, where, "host",
                             "bad value \"%s\": not a host of this session: allowed are the names "
                             "in hosts%s%s; leave host out for this machine",
                             host, s->n_hosts ? ": " : " (none here)", s->n_hosts ? names + 2 : "");
        return false;
    }
    if (ss_hosts_find(s->hosts, s->n_hosts, id) >= 0) {
        ss_conf_member_error(x, c, where, "id",
                             "client id \"%s\" is also a host's name: the host's NetJACK2 client "
                             "has that name on this machine; rename one",
                             id);
        return false;
    }
    if (!ss_conf_id(x, c, where, "id", "client id", id))
        return false;
    if (!ss_valid_command(cmd)) {
        ss_conf_member_error(x, c, where, "command",
                             "bad value \"%s\": must be a bare program name (aiotone-* or a "
                             "program on PATH; letters, digits, . _ + -), no path, no shell syntax",
                             cmd);
        return false;
    }
    if (ss_session_find(s, id) >= 0) {
        ss_conf_member_error(x, c, where, "id",
                             "client id \"%s\" is used twice: ids must be unique", id);
        return false;
    }
    return true;
}

/* A client's args list into args[] (pointers into the config). */
static bool get_args(const SsConfCtx *x, const config_setting_t *c, const char *where,
                     const char **args, int *n_args)
{
    const config_setting_t *a = config_setting_get_member(c, "args");
    *n_args = 0;
    if (!a)
        return true;
    char key[96];
    snprintf(key, sizeof key, "%s.args", where);
    if (!config_setting_is_aggregate(a) || config_setting_is_group(a) ||
        config_setting_length(a) > SS_MAX_ARGS) {
        ss_conf_error(x->err, x->errlen, x->file, ss_conf_line(a), key,
                      "must be a list of at most %d strings: [ \"-x\", \"1\" ]", SS_MAX_ARGS);
        return false;
    }
    for (int i = 0; i < config_setting_length(a); i++) {
        const config_setting_t *e = config_setting_get_elem(a, (unsigned)i);
        if (config_setting_type(e) != CONFIG_TYPE_STRING) {
            ss_conf_error(x->err, x->errlen, x->file, ss_conf_line(e), key,
                          "item %d must be a string in double quotes", i + 1);
            return false;
        }
        args[(*n_args)++] = config_setting_get_string(e);
    }
    return true;
}

static bool parse_client(const SsConfCtx *x, SsSession *s, const config_setting_t *c, int idx)
{
    static const char *const keys[] = {"id", "command", "args", "nsm", "job", "host", NULL};
    char where[48];
    snprintf(where, sizeof where, "clients.[%d]", idx);
    if (!config_setting_is_group(c)) {
        ss_conf_error(x->err, x->errlen, x->file, ss_conf_line(c), where,
                      "each client must be a group { id = \"...\"; command = \"...\"; }");
        return false;
    }
    if (!ss_conf_only_keys(x, c, where, keys, "id, command, args, nsm, job, host"))
        return false;
    const char *id, *cmd, *host, *args[SS_MAX_ARGS];
    int n_args = 0;
    bool nsm = true, job = false;
    if (!ss_conf_string(x, c, where, "id", true, &id) ||
        !ss_conf_string(x, c, where, "command", true, &cmd) ||
        !ss_conf_string(x, c, where, "host", false, &host) ||
        !check_client(x, s, c, where, id, cmd, host) || !get_args(x, c, where, args, &n_args) ||
        !ss_conf_bool(x, c, where, "nsm", &nsm) || !ss_conf_bool(x, c, where, "job", &job))
        return false;
    char why[256];
    if (!ss_session_add_client(s, id, cmd, args, n_args, nsm, why, sizeof why)) {
        ss_conf_error(x->err, x->errlen, x->file, ss_conf_line(c), where, "%s", why);
        return false;
    }
    s->clients[s->n_clients - 1].job = job;
    if (host)
        snprintf(s->clients[s->n_clients - 1].host, sizeof s->clients[0].host, "%s", host);
    return true;
}

static bool parse_conn(const SsConfCtx *x, SsSession *s, const config_setting_t *c, int idx)
{
    static const char *const keys[] = {"from", "to", NULL};
    char where[48];
    snprintf(where, sizeof where, "connections.[%d]", idx);
    if (!config_setting_is_group(c)) {
        ss_conf_error(
            x->err, x->errlen, x->file, ss_conf_line(c), where,
            "each connection must be a group { from = \"client:port\"; to = \"client:port\"; }");
        return false;
    }
    const char *from, *to;
    if (!ss_conf_only_keys(x, c, where, keys, "from, to") ||
        !ss_conf_string(x, c, where, "from", true, &from) ||
        !ss_conf_string(x, c, where, "to", true, &to))
        return false;
    if (!*from || !*to) {
        ss_conf_error(x->err, x->errlen, x->file, ss_conf_line(c), where,
                      "port names must not be empty");
        return false;
    }
    if (!ss_session_add_conn(s, from, to)) {
        snprintf(x->err, x->errlen, "out of memory");
        return false;
    }
    return true;
}

static bool parse_list(const SsConfCtx *x, SsSession *s, const config_t *cf, const char *name,
                       bool (*each)(const SsConfCtx *, SsSession *, const config_setting_t *, int))
{
    const config_setting_t *l = config_lookup(cf, name);
    if (!l)
        return true;
    if (config_setting_type(l) != CONFIG_TYPE_LIST) {
        ss_conf_error(x->err, x->errlen, x->file, ss_conf_line(l), name,
                      "must be a list ( {...}, {...} )");
        return false;
    }
    for (int i = 0; i < config_setting_length(l); i++)
        if (!each(x, s, config_setting_get_elem(l, (unsigned)i), i))
            return false;
    return true;
}

static bool parse_jobs_done(const SsConfCtx *x, SsSession *s, const config_setting_t *oj)
{
    const char *v =
        config_setting_type(oj) == CONFIG_TYPE_STRING ? config_setting_get_string(oj) : NULL;
    int k = 0;
    while (v && k < 2 && strcmp(v, ss_jobs_done_names[k]))
        k++;
    if (!v || k == 2) {
        ss_conf_error(x->err, x->errlen, x->file, ss_conf_line(oj), "on-jobs-done",
                      "bad value%s%s%s: allowed are \"keep-running\" (the default), \"stop\"",
                      v ? " \"" : "", v ? v : "", v ? "\"" : " (not a string)");
        return false;
    }
    s->on_jobs_done = (SsJobsDone)k;
    return true;
}

static AtStatus parse_config(SsSession *s, config_t *cf, const SsConfCtx *x)
{
    static const char *const top[] = {"jack",        "hosts",        "clients",
                                      "connections", "on-jobs-done", NULL};
    const config_setting_t *root = config_root_setting(cf);
    if (!ss_conf_only_keys(x, root, "", top, "jack, hosts, clients, connections, on-jobs-done"))
        return AT_ERR_USAGE;
    const config_setting_t *hl = config_lookup(cf, "hosts");
    if (hl && !ss_hosts_parse(hl, x->file, s->hosts, &s->n_hosts, x->err, x->errlen))
        return AT_ERR_USAGE;
    const config_setting_t *oj = config_lookup(cf, "on-jobs-done");
    if (oj && !parse_jobs_done(x, s, oj))
        return AT_ERR_USAGE;
    const config_setting_t *j = config_lookup(cf, "jack");
    if (j && !parse_jack(x, s, j))
        return AT_ERR_USAGE;
    if (!parse_list(x, s, cf, "clients", parse_client) ||
        !parse_list(x, s, cf, "connections", parse_conn))
        return AT_ERR_USAGE;
    return AT_OK;
}

AtStatus ss_session_parse(SsSession *s, const char *text, const char *name, char *err,
                          size_t errlen)
{
    memset(s, 0, sizeof *s);
    config_t cf;
    config_init(&cf);
    SsConfCtx x = {name, err, errlen};
    AtStatus st;
    if (!strncmp(text, "\xEF\xBB\xBF", 3))
        text += 3; /* a UTF-8 byte-order mark, as some editors write */
    if (!config_read_string(&cf, text)) {
        const char *why = config_error_text(&cf);
        bool plain = !why || !strcmp(why, "syntax error"); /* not "syntax error: syntax error" */
        snprintf(err, errlen, "%s:%d: syntax error%s%s", name, config_error_line(&cf),
                 plain ? "" : ": ", plain ? "" : why);
        st = AT_ERR_USAGE;
    } else {
        st = parse_config(s, &cf, &x);
    }
    config_destroy(&cf);
    if (st != AT_OK)
        ss_session_free(s);
    return st;
}

AtStatus ss_session_load(SsSession *s, const char *path, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    size_t len = 0;
    char *text = ss_read_file(path, &len);
    if (!text) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return errno == ENOMEM ? AT_ERR_RUNTIME : AT_ERR_USAGE;
    }
    if (strlen(text) != len) {
        snprintf(err, errlen, "%s: holds a NUL byte at offset %zu: not a text file", path,
                 strlen(text));
        free(text);
        return AT_ERR_USAGE;
    }
    AtStatus st = ss_session_parse(s, text, path, err, errlen);
    free(text);
    return st;
}
