/* sessconf.c - session file parsing, validation and atomic writing; the
 * pure rules of the session manager. */
#include "sessconf.h"
#include "fileio.h"
#include "strbuf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const driver_names[] = {"auto", "alsa", "dummy"};
static const char *const bridge_names[] = {"none", "a2jmidid", "seq"};
static const char *const jobs_done_names[] = {"keep-running", "stop"};

void ss_conf_error(char *err, size_t errlen, const char *file, int line, const char *key,
                   const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "%s:%d: key '%s': %s", file, line, key, what);
}

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

/* ---------------- parsing ---------------- */

typedef struct {
    const char *file;
    char *err;
    size_t errlen;
} Ctx;

static int line_of(const config_setting_t *st)
{
    return (int)config_setting_source_line(st);
}

/* Every member of group g must be one of the allowed names. */
static bool only_keys(Ctx *x, const config_setting_t *g, const char *where,
                      const char *const *allowed, const char *allowed_text)
{
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(m);
        bool ok = false;
        for (int k = 0; allowed[k] && !ok; k++)
            ok = name && !strcmp(name, allowed[k]);
        if (!ok) {
            char key[160];
            snprintf(key, sizeof key, "%s%s%s", where, where[0] ? "." : "", name ? name : "?");
            ss_conf_error(x->err, x->errlen, x->file, line_of(m), key,
                          "unknown key: allowed are %s", allowed_text);
            return false;
        }
    }
    return true;
}

static bool get_string(Ctx *x, const config_setting_t *g, const char *name, const char *where,
                       bool required, const char **out)
{
    const config_setting_t *m = config_setting_get_member(g, name);
    *out = NULL;
    if (!m) {
        if (required)
            ss_conf_error(x->err, x->errlen, x->file, line_of(g), where, "missing '%s' (a string)",
                          name);
        return !required;
    }
    if (config_setting_type(m) != CONFIG_TYPE_STRING) {
        char key[160];
        snprintf(key, sizeof key, "%s.%s", where, name);
        ss_conf_error(x->err, x->errlen, x->file, line_of(m), key,
                      "must be a string in double quotes");
        return false;
    }
    *out = config_setting_get_string(m);
    return true;
}

static bool get_enum(Ctx *x, const config_setting_t *g, const char *name, const char *const *names,
                     int n, int *out)
{
    const char *v;
    char key[64];
    snprintf(key, sizeof key, "jack.%s", name);
    if (!get_string(x, g, name, "jack", false, &v))
        return false;
    if (!v)
        return true;
    for (int i = 0; i < n; i++)
        if (!strcmp(v, names[i])) {
            *out = i;
            return true;
        }
    char allowed[128] = "";
    for (int i = 0; i < n; i++)
        snprintf(allowed + strlen(allowed), sizeof allowed - strlen(allowed), "%s\"%s\"",
                 i ? ", " : "", names[i]);
    ss_conf_error(x->err, x->errlen, x->file, line_of(config_setting_get_member(g, name)), key,
                  "bad value \"%s\": allowed are %s", v, allowed);
    return false;
}

static bool get_int(Ctx *x, const config_setting_t *g, const char *name, int lo, int hi, bool pow2,
                    int *out)
{
    const config_setting_t *m = config_setting_get_member(g, name);
    char key[64];
    snprintf(key, sizeof key, "jack.%s", name);
    if (!m)
        return true;
    int t = config_setting_type(m);
    long long v = t == CONFIG_TYPE_INT     ? config_setting_get_int(m)
                  : t == CONFIG_TYPE_INT64 ? config_setting_get_int64(m)
                                           : -1;
    if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
        ss_conf_error(x->err, x->errlen, x->file, line_of(m), key, "must be a whole number %d..%d",
                      lo, hi);
        return false;
    }
    if (v < lo || v > hi || (pow2 && (v & (v - 1)))) {
        ss_conf_error(x->err, x->errlen, x->file, line_of(m), key,
                      "bad value %lld: must be %s %d..%d", v,
                      pow2 ? "a power of two" : "a whole number", lo, hi);
        return false;
    }
    *out = (int)v;
    return true;
}

static bool parse_jack(Ctx *x, SsSession *s, const config_setting_t *j)
{
    static const char *const keys[] = {"server", "driver", "rate", "period", "midi-bridge", NULL};
    if (!config_setting_is_group(j)) {
        ss_conf_error(x->err, x->errlen, x->file, line_of(j), "jack", "must be a group { ... }");
        return false;
    }
    if (!only_keys(x, j, "jack", keys, "server, driver, rate, period, midi-bridge"))
        return false;
    const char *server;
    if (!get_string(x, j, "server", "jack", false, &server))
        return false;
    if (server) {
        if (!*server || strlen(server) >= sizeof s->server || strchr(server, '/')) {
            ss_conf_error(x->err, x->errlen, x->file,
                          line_of(config_setting_get_member(j, "server")), "jack.server",
                          "bad value \"%s\": a JACK server name (1..63 chars, no '/')", server);
            return false;
        }
        snprintf(s->server, sizeof s->server, "%s", server);
    }
    int drv = SS_DRIVER_AUTO, br = SS_BRIDGE_NONE;
    if (!get_enum(x, j, "driver", driver_names, 3, &drv) ||
        !get_enum(x, j, "midi-bridge", bridge_names, 3, &br) ||
        !get_int(x, j, "rate", 8000, 192000, false, &s->rate) ||
        !get_int(x, j, "period", 16, 8192, true, &s->period))
        return false;
    s->driver = (SsDriver)drv;
    s->bridge = (SsBridge)br;
    return true;
}

/* An optional true/false member; *out keeps its default when absent. */
static bool get_bool(Ctx *x, const config_setting_t *g, const char *name, const char *where,
                     bool *out)
{
    const config_setting_t *m = config_setting_get_member(g, name);
    if (!m)
        return true;
    if (config_setting_type(m) != CONFIG_TYPE_BOOL) {
        char key[160];
        snprintf(key, sizeof key, "%s.%s", where, name);
        ss_conf_error(x->err, x->errlen, x->file, line_of(m), key, "must be true or false");
        return false;
    }
    *out = config_setting_get_bool(m);
    return true;
}

static bool parse_client(Ctx *x, SsSession *s, const config_setting_t *c, int idx)
{
    static const char *const keys[] = {"id", "command", "args", "nsm", "job", "host", NULL};
    char where[48];
    snprintf(where, sizeof where, "clients.[%d]", idx);
    if (!config_setting_is_group(c)) {
        ss_conf_error(x->err, x->errlen, x->file, line_of(c), where,
                      "each client must be a group { id = \"...\"; command = \"...\"; }");
        return false;
    }
    if (!only_keys(x, c, where, keys, "id, command, args, nsm, job, host"))
        return false;
    const char *id, *cmd, *host;
    if (!get_string(x, c, "id", where, true, &id) ||
        !get_string(x, c, "command", where, true, &cmd) ||
        !get_string(x, c, "host", where, false, &host))
        return false;
    char key[96];
    if (host && ss_hosts_find(s->hosts, s->n_hosts, host) < 0) {
        char names[SS_MAX_HOSTS * (SS_HOST_NAME_MAX + 4)] = "";
        for (int i = 0; i < s->n_hosts; i++)
            snprintf(names + strlen(names), sizeof names - strlen(names), ", \"%s\"",
                     s->hosts[i].name);
        snprintf(key, sizeof key, "%s.host", where);
        ss_conf_error(x->err, x->errlen, x->file, line_of(config_setting_get_member(c, "host")),
                      key,
                      "bad value \"%s\": not a host of this session: allowed are the names in "
                      "hosts%s%s; leave host out for this machine",
                      host, s->n_hosts ? ": " : " (none here)", s->n_hosts ? names + 2 : "");
        return false;
    }
    if (ss_hosts_find(s->hosts, s->n_hosts, id) >= 0) {
        snprintf(key, sizeof key, "%s.id", where);
        ss_conf_error(x->err, x->errlen, x->file, line_of(config_setting_get_member(c, "id")), key,
                      "client id \"%s\" is also a host's name: the host's NetJACK2 client has that "
                      "name on this machine; rename one",
                      id);
        return false;
    }
    if (!ss_valid_id(id)) {
        snprintf(key, sizeof key, "%s.id", where);
        ss_conf_error(
            x->err, x->errlen, x->file, line_of(config_setting_get_member(c, "id")), key,
            "bad value \"%s\": a client id uses only letters, digits, _ and - (1..63 chars)", id);
        return false;
    }
    if (!ss_valid_command(cmd)) {
        snprintf(key, sizeof key, "%s.command", where);
        ss_conf_error(
            x->err, x->errlen, x->file, line_of(config_setting_get_member(c, "command")), key,
            "bad value \"%s\": must be a bare program name (aiotone-* or a program on PATH; "
            "letters, digits, . _ + -), no path, no shell syntax",
            cmd);
        return false;
    }
    if (ss_session_find(s, id) >= 0) {
        snprintf(key, sizeof key, "%s.id", where);
        ss_conf_error(x->err, x->errlen, x->file, line_of(config_setting_get_member(c, "id")), key,
                      "client id \"%s\" is used twice: ids must be unique", id);
        return false;
    }
    const char *args[SS_MAX_ARGS];
    int n_args = 0;
    const config_setting_t *a = config_setting_get_member(c, "args");
    if (a) {
        snprintf(key, sizeof key, "%s.args", where);
        if (!config_setting_is_aggregate(a) || config_setting_is_group(a) ||
            config_setting_length(a) > SS_MAX_ARGS) {
            ss_conf_error(x->err, x->errlen, x->file, line_of(a), key,
                          "must be a list of at most %d strings: [ \"-x\", \"1\" ]", SS_MAX_ARGS);
            return false;
        }
        for (int i = 0; i < config_setting_length(a); i++) {
            const config_setting_t *e = config_setting_get_elem(a, (unsigned)i);
            if (config_setting_type(e) != CONFIG_TYPE_STRING) {
                ss_conf_error(x->err, x->errlen, x->file, line_of(e), key,
                              "item %d must be a string in double quotes", i + 1);
                return false;
            }
            args[n_args++] = config_setting_get_string(e);
        }
    }
    bool nsm = true, job = false;
    if (!get_bool(x, c, "nsm", where, &nsm) || !get_bool(x, c, "job", where, &job))
        return false;
    char why[256];
    if (!ss_session_add_client(s, id, cmd, args, n_args, nsm, why, sizeof why)) {
        ss_conf_error(x->err, x->errlen, x->file, line_of(c), where, "%s", why);
        return false;
    }
    s->clients[s->n_clients - 1].job = job;
    if (host)
        snprintf(s->clients[s->n_clients - 1].host, sizeof s->clients[0].host, "%s", host);
    return true;
}

static bool parse_conn(Ctx *x, SsSession *s, const config_setting_t *c, int idx)
{
    static const char *const keys[] = {"from", "to", NULL};
    char where[48];
    snprintf(where, sizeof where, "connections.[%d]", idx);
    if (!config_setting_is_group(c)) {
        ss_conf_error(
            x->err, x->errlen, x->file, line_of(c), where,
            "each connection must be a group { from = \"client:port\"; to = \"client:port\"; }");
        return false;
    }
    const char *from, *to;
    if (!only_keys(x, c, where, keys, "from, to") ||
        !get_string(x, c, "from", where, true, &from) || !get_string(x, c, "to", where, true, &to))
        return false;
    if (!*from || !*to) {
        ss_conf_error(x->err, x->errlen, x->file, line_of(c), where,
                      "port names must not be empty");
        return false;
    }
    if (!ss_session_add_conn(s, from, to)) {
        snprintf(x->err, x->errlen, "out of memory");
        return false;
    }
    return true;
}

static bool parse_list(Ctx *x, SsSession *s, const config_t *cf, const char *name,
                       bool (*each)(Ctx *, SsSession *, const config_setting_t *, int))
{
    const config_setting_t *l = config_lookup(cf, name);
    if (!l)
        return true;
    if (config_setting_type(l) != CONFIG_TYPE_LIST) {
        ss_conf_error(x->err, x->errlen, x->file, line_of(l), name,
                      "must be a list ( {...}, {...} )");
        return false;
    }
    for (int i = 0; i < config_setting_length(l); i++)
        if (!each(x, s, config_setting_get_elem(l, (unsigned)i), i))
            return false;
    return true;
}

static AtStatus parse_config(SsSession *s, config_t *cf, Ctx *x)
{
    static const char *const top[] = {"jack",        "hosts",        "clients",
                                      "connections", "on-jobs-done", NULL};
    const config_setting_t *root = config_root_setting(cf);
    if (!only_keys(x, root, "", top, "jack, hosts, clients, connections, on-jobs-done"))
        return AT_ERR_USAGE;
    const config_setting_t *hl = config_lookup(cf, "hosts");
    if (hl && !ss_hosts_parse(hl, x->file, s->hosts, &s->n_hosts, x->err, x->errlen))
        return AT_ERR_USAGE;
    const config_setting_t *oj = config_lookup(cf, "on-jobs-done");
    if (oj) {
        const char *v =
            config_setting_type(oj) == CONFIG_TYPE_STRING ? config_setting_get_string(oj) : NULL;
        int k = 0;
        while (v && k < 2 && strcmp(v, jobs_done_names[k]))
            k++;
        if (!v || k == 2) {
            ss_conf_error(x->err, x->errlen, x->file, line_of(oj), "on-jobs-done",
                          "bad value%s%s%s: allowed are \"keep-running\" (the default), \"stop\"",
                          v ? " \"" : "", v ? v : "", v ? "\"" : " (not a string)");
            return AT_ERR_USAGE;
        }
        s->on_jobs_done = (SsJobsDone)k;
    }
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
    Ctx x = {name, err, errlen};
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

/* ---------------- writing ---------------- */

/* The text is built in common/strbuf.h's buffer. */
typedef AtStrBuf Sb;
#define sb_printf at_strbuf_printf

/* A libconfig string literal: quotes, backslashes and control bytes are
 * escaped. */
static void sb_quoted(Sb *b, const char *s)
{
    sb_printf(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            sb_printf(b, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            sb_printf(b, "\\x%02x", *p);
        else
            sb_printf(b, "%c", *p);
    }
    sb_printf(b, "\"");
}

static void format_jack(Sb *b, const SsSession *s)
{
    sb_printf(b, "jack = {\n");
    if (s->server[0]) {
        sb_printf(b, "  server = ");
        sb_quoted(b, s->server);
        sb_printf(b, ";\n");
    }
    sb_printf(b, "  driver = \"%s\";\n", driver_names[s->driver]);
    if (s->rate)
        sb_printf(b, "  rate = %d;\n", s->rate);
    if (s->period)
        sb_printf(b, "  period = %d;\n", s->period);
    sb_printf(b, "  midi-bridge = \"%s\";\n};\n", bridge_names[s->bridge]);
}

static void format_clients(Sb *b, const SsSession *s)
{
    sb_printf(b, "clients = (\n");
    for (int i = 0; i < s->n_clients; i++) {
        const SsClientDef *c = &s->clients[i];
        sb_printf(b, "  { id = ");
        sb_quoted(b, c->id);
        sb_printf(b, "; command = ");
        sb_quoted(b, c->command);
        sb_printf(b, ";");
        if (c->n_args) {
            sb_printf(b, " args = [ ");
            for (int k = 0; k < c->n_args; k++) {
                sb_printf(b, "%s", k ? ", " : "");
                sb_quoted(b, c->args[k]);
            }
            sb_printf(b, " ];");
        }
        if (!c->nsm)
            sb_printf(b, " nsm = false;");
        if (c->job)
            sb_printf(b, " job = true;");
        if (c->host[0])
            sb_printf(b, " host = \"%s\";", c->host);
        sb_printf(b, " }%s\n", i + 1 < s->n_clients ? "," : "");
    }
    sb_printf(b, ");\n");
}

static void format_conns(Sb *b, const SsSession *s)
{
    sb_printf(b, "connections = (\n");
    for (int i = 0; i < s->n_conns; i++) {
        sb_printf(b, "  { from = ");
        sb_quoted(b, s->conns[i].from);
        sb_printf(b, "; to = ");
        sb_quoted(b, s->conns[i].to);
        sb_printf(b, "; }%s\n", i + 1 < s->n_conns ? "," : "");
    }
    sb_printf(b, ");\n");
}

static void format_hosts(Sb *b, const SsSession *s)
{
    char *t = ss_hosts_format(s->hosts, s->n_hosts);
    if (!t) {
        b->oom = true;
        return;
    }
    sb_printf(b, "%s", t);
    free(t);
}

static void format_jobs(Sb *b, const SsSession *s)
{
    sb_printf(b, "on-jobs-done = \"%s\";\n", jobs_done_names[s->on_jobs_done]);
}

char *ss_session_format(const SsSession *s)
{
    Sb b = {0};
    sb_printf(&b, "# aiotone session (written by aiotone-session; see docs/sessions.md)\n");
    format_jack(&b, s);
    sb_printf(&b, "\n");
    if (s->n_hosts) {
        format_hosts(&b, s);
        sb_printf(&b, "\n");
    }
    format_clients(&b, s);
    sb_printf(&b, "\n");
    format_conns(&b, s);
    if (s->on_jobs_done != SS_JOBS_KEEP_RUNNING) {
        sb_printf(&b, "\n");
        format_jobs(&b, s);
    }
    if (b.oom) {
        free(b.buf);
        return NULL;
    }
    return b.buf;
}

/* ---------------- comparing and editing in place ---------------- */

static bool same_jack(const SsSession *a, const SsSession *b)
{
    return !strcmp(a->server, b->server) && a->driver == b->driver && a->rate == b->rate &&
           a->period == b->period && a->bridge == b->bridge;
}

static bool same_clients(const SsSession *a, const SsSession *b)
{
    if (a->n_clients != b->n_clients)
        return false;
    for (int i = 0; i < a->n_clients; i++) {
        const SsClientDef *x = &a->clients[i], *y = &b->clients[i];
        if (strcmp(x->id, y->id) || strcmp(x->command, y->command) || x->nsm != y->nsm ||
            x->job != y->job || x->n_args != y->n_args || strcmp(x->host, y->host))
            return false;
        for (int k = 0; k < x->n_args; k++)
            if (strcmp(x->args[k], y->args[k]))
                return false;
    }
    return true;
}

static bool same_conns(const SsSession *a, const SsSession *b)
{
    if (a->n_conns != b->n_conns)
        return false;
    for (int i = 0; i < a->n_conns; i++)
        if (strcmp(a->conns[i].from, b->conns[i].from) || strcmp(a->conns[i].to, b->conns[i].to))
            return false;
    return true;
}

bool ss_session_same(const SsSession *a, const SsSession *b)
{
    return same_jack(a, b) && same_clients(a, b) && same_conns(a, b) &&
           a->on_jobs_done == b->on_jobs_done &&
           ss_hosts_same(a->hosts, a->n_hosts, b->hosts, b->n_hosts);
}

/* Skip blanks and comments (#, //, slash-star) from i. */
static size_t skip_blank(const char *t, size_t i)
{
    for (;;) {
        if (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r' || t[i] == '\f' ||
            t[i] == '\v') {
            i++;
        } else if (t[i] == '#' || (t[i] == '/' && t[i + 1] == '/')) {
            while (t[i] && t[i] != '\n')
                i++;
        } else if (t[i] == '/' && t[i + 1] == '*') {
            i += 2;
            while (t[i] && !(t[i] == '*' && t[i + 1] == '/'))
                i++;
            if (t[i])
                i += 2;
        } else {
            return i;
        }
    }
}

static size_t skip_string(const char *t, size_t i)
{
    for (i++; t[i] && t[i] != '"'; i++)
        if (t[i] == '\\' && t[i + 1])
            i++;
    return t[i] ? i + 1 : i;
}

static bool starts_comment(const char *t, size_t i)
{
    return t[i] == '#' || (t[i] == '/' && (t[i + 1] == '/' || t[i + 1] == '*'));
}

/* The end of the value that starts at i. */
static size_t skip_value(const char *t, size_t i)
{
    if (t[i] == '{' || t[i] == '(' || t[i] == '[') {
        int depth = 0;
        while (t[i]) {
            if (t[i] == '"') {
                i = skip_string(t, i);
                continue;
            }
            if (starts_comment(t, i)) {
                i = skip_blank(t, i);
                continue;
            }
            if (t[i] == '{' || t[i] == '(' || t[i] == '[')
                depth++;
            else if ((t[i] == '}' || t[i] == ')' || t[i] == ']') && --depth == 0)
                return i + 1;
            i++;
        }
        return i;
    }
    if (t[i] == '"') {
        i = skip_string(t, i);
        for (;;) { /* "adjacent" "strings" are one */
            size_t j = skip_blank(t, i);
            if (t[j] != '"')
                return i;
            i = skip_string(t, j);
        }
    }
    while (t[i] && t[i] != ';' && t[i] != ',' && t[i] != '\n' && !starts_comment(t, i))
        i++;
    return i;
}

typedef struct {
    char name[32];
    size_t start, end; /* [start, end): name = value; */
} Span;

/* Find the top-level settings of a libconfig text; false when the text
 * holds something this small scanner does not follow (@include). */
static bool scan_top(const char *t, Span *out, int max, int *n)
{
    *n = 0;
    size_t i = 0;
    for (;;) {
        i = skip_blank(t, i);
        if (!t[i])
            return true;
        size_t start = i;
        while (t[i] && (isalnum((unsigned char)t[i]) || t[i] == '-' || t[i] == '_' || t[i] == '*'))
            i++;
        if (i == start || i - start >= sizeof out[0].name || *n == max)
            return false;
        size_t name_end = i;
        i = skip_blank(t, i);
        if (t[i] != '=' && t[i] != ':')
            return false;
        i = skip_value(t, skip_blank(t, i + 1));
        size_t k = i;
        while (t[k] == ' ' || t[k] == '\t')
            k++;
        if (t[k] == ';' || t[k] == ',')
            i = k + 1;
        Span *sp = &out[(*n)++];
        memcpy(sp->name, t + start, name_end - start);
        sp->name[name_end - start] = 0;
        sp->start = start;
        sp->end = i;
    }
}

/* Append section which of s without its trailing newline. */
static void put_section(Sb *b, const SsSession *s, int which)
{
    Sb one = {0};
    if (which == 0)
        format_jack(&one, s);
    else if (which == 1)
        format_clients(&one, s);
    else if (which == 2)
        format_conns(&one, s);
    else if (which == 3)
        format_jobs(&one, s);
    else
        format_hosts(&one, s);
    if (one.oom) {
        b->oom = true;
        return;
    }
    while (one.len && one.buf[one.len - 1] == '\n')
        one.len--;
    sb_printf(b, "%.*s", (int)one.len, one.buf);
    free(one.buf);
}

/* The leading comment block: blank lines and lines starting with # or //. */
static size_t leading_comments(const char *t)
{
    size_t i = 0, end = 0;
    while (t[i]) {
        size_t k = i;
        while (t[k] == ' ' || t[k] == '\t' || t[k] == '\r')
            k++;
        if (t[k] != '\n' && t[k] != '#' && !(t[k] == '/' && t[k + 1] == '/') && t[k])
            break;
        while (t[k] && t[k] != '\n')
            k++;
        i = end = t[k] ? k + 1 : k;
    }
    return end;
}

static char *whole_rewrite(const char *old_text, const SsSession *s)
{
    char *fresh = ss_session_format(s);
    if (!fresh)
        return NULL;
    size_t keep = leading_comments(old_text);
    if (!keep)
        return fresh;
    Sb b = {0};
    /* The user's comment block replaces our one-line header. */
    const char *body = strchr(fresh, '\n');
    sb_printf(&b, "%.*s%s", (int)keep, old_text, body ? body + 1 : fresh);
    free(fresh);
    if (b.oom) {
        free(b.buf);
        return NULL;
    }
    return b.buf;
}

char *ss_session_update_text(const char *old_text, const SsSession *old, const SsSession *s)
{
    if (ss_session_same(old, s))
        return strdup(old_text);
    static const char *const names[] = {"jack", "clients", "connections", "on-jobs-done", "hosts"};
    bool changed[5] = {!same_jack(old, s), !same_clients(old, s), !same_conns(old, s),
                       old->on_jobs_done != s->on_jobs_done,
                       !ss_hosts_same(old->hosts, old->n_hosts, s->hosts, s->n_hosts)};
    bool done[5] = {false, false, false, false, false};
    Span spans[64];
    int n = 0;
    if (!scan_top(old_text, spans, 64, &n))
        return whole_rewrite(old_text, s);
    Sb b = {0};
    size_t at = 0;
    for (int i = 0; i < n; i++) {
        int which = -1;
        for (int k = 0; k < 5; k++)
            if (!strcmp(spans[i].name, names[k]))
                which = k;
        if (which < 0 || !changed[which])
            continue;
        sb_printf(&b, "%.*s", (int)(spans[i].start - at), old_text + at);
        if (!done[which])
            put_section(&b, s, which);
        done[which] = true;
        at = spans[i].end;
    }
    sb_printf(&b, "%s", old_text + at);
    for (int k = 0; k < 5; k++) {
        if (!changed[k] || done[k])
            continue;
        if (b.len && b.buf[b.len - 1] != '\n')
            sb_printf(&b, "\n");
        put_section(&b, s, k);
        sb_printf(&b, "\n");
    }
    if (b.oom) {
        free(b.buf);
        return NULL;
    }
    /* Only an edit that reads back as s will do. */
    SsSession back;
    char err[256];
    bool ok = ss_session_parse(&back, b.buf, "edit", err, sizeof err) == AT_OK &&
              ss_session_same(&back, s);
    ss_session_free(&back);
    if (ok)
        return b.buf;
    free(b.buf);
    return whole_rewrite(old_text, s);
}

/* A session file is a config file: small (as params.c's limit). */
#define SS_FILE_MAX ((size_t)16 << 20)

char *ss_read_file(const char *path, size_t *len_out)
{
    return at_file_read(path, SS_FILE_MAX, len_out, NULL, 0);
}

/* ---------------- writing a file ---------------- */

static AtStatus write_atomic(const char *text, const char *path, char *err, size_t errlen)
{
    return at_file_write_atomic(path, text, strlen(text), err, errlen);
}

AtStatus ss_session_write_text(const char *text, const char *path, char *err, size_t errlen)
{
    return write_atomic(text, path, err, errlen);
}

AtStatus ss_session_save(const SsSession *s, const char *path, char *err, size_t errlen)
{
    char *text = ss_session_format(s);
    if (!text) {
        snprintf(err, errlen, "out of memory");
        return AT_ERR_RUNTIME;
    }
    AtStatus st = write_atomic(text, path, err, errlen);
    free(text);
    return st;
}

/* ---------------- pure rules ---------------- */

double ss_backoff_death(SsBackoff *b, double now)
{
    int keep = 0;
    for (int i = 0; i < b->n; i++)
        if (now - b->deaths[i] < SS_BACKOFF_WINDOW)
            b->deaths[keep++] = b->deaths[i];
    b->n = keep;
    if (b->n == (int)(sizeof b->deaths / sizeof b->deaths[0])) {
        memmove(b->deaths, b->deaths + 1, (size_t)(b->n - 1) * sizeof b->deaths[0]);
        b->n--;
    }
    b->deaths[b->n++] = now;
    if (b->n >= SS_BACKOFF_LIMIT)
        return -1.0;
    /* 0.25 s, 0.5 s, 1 s, 2 s: fast for one crash, slower for a loop. */
    return 0.25 * (double)(1 << (b->n - 1));
}

bool ss_bridge_missed(SsBridgeMiss *b, bool in_seq, bool bridged, double now,
                      double last_port_change, double bridge_started)
{
    if (!in_seq || bridged) {
        /* Gone (a later appearance is a new one) or bridged: start afresh. */
        b->since = 0;
        b->rescanned = false;
        return false;
    }
    if (b->rescanned)
        return false;
    if (b->since <= 0)
        b->since = now > 0 ? now : 1e-9;
    return now - b->since >= SS_BRIDGE_MISS_S && now - last_port_change >= SS_BRIDGE_MISS_S &&
           now - bridge_started >= SS_BRIDGE_START_S;
}

static bool same(const SsConn *a, const SsConn *b)
{
    return a->from && a->to && b->from && b->to && !strcmp(a->from, b->from) &&
           !strcmp(a->to, b->to);
}

SsConn *ss_conns_for_save(const SsConn *remembered, const SsConnState *state,
                          const SsConn *resolved, int n_remembered, const SsConn *current,
                          int n_current, int *n_out)
{
    SsConn *out = malloc((size_t)(n_remembered + n_current + 1) * sizeof *out);
    int n = 0;
    if (!out) {
        *n_out = 0;
        return NULL;
    }
    for (int i = 0; i < n_remembered; i++)
        if (state[i] != SS_CONN_DISCONNECTED)
            out[n++] = remembered[i];
    for (int k = 0; k < n_current; k++) {
        bool known = false;
        for (int i = 0; i < n_remembered && !known; i++)
            known = state[i] == SS_CONN_MADE && same(&resolved[i], &current[k]);
        for (int i = 0; i < n && !known; i++)
            known = same(&out[i], &current[k]);
        if (!known)
            out[n++] = current[k];
    }
    *n_out = n;
    return out;
}

SsEnd ss_end_of(int wait_status)
{
    if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0)
        return SS_END_DONE;
    if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 2)
        return SS_END_CONFIG;
    return SS_END_RESTART;
}

void ss_lines_feed(SsLines *l, const char *data, size_t n,
                   void (*emit)(void *ctx, const char *line, size_t len), void *ctx)
{
    for (size_t i = 0; i < n; i++) {
        if (data[i] == '\n') {
            emit(ctx, l->buf, l->len);
            l->len = 0;
            continue;
        }
        if (l->len == sizeof l->buf) {
            emit(ctx, l->buf, l->len);
            l->len = 0;
        }
        l->buf[l->len++] = data[i];
    }
}

void ss_lines_flush(SsLines *l, void (*emit)(void *ctx, const char *line, size_t len), void *ctx)
{
    if (l->len)
        emit(ctx, l->buf, l->len);
    l->len = 0;
}
