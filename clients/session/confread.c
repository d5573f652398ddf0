/* confread.c - the readers of a libconfig group shared by the session
 * file's sections and its hosts list (sessfile.h), and the one form of
 * their errors (ss_conf_error). */
#include "sessconf.h"
#include "sessfile.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *const ss_driver_names[3] = {"auto", "alsa", "dummy"};
const char *const ss_bridge_names[3] = {"none", "a2jmidid", "seq"};
const char *const ss_jobs_done_names[2] = {"keep-running", "stop"};

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

int ss_conf_line(const config_setting_t *st)
{
    return (int)config_setting_source_line(st);
}

void ss_conf_member_error(const SsConfCtx *x, const config_setting_t *g, const char *where,
                          const char *name, const char *fmt, ...)
{
    char key[160], what[512];
    snprintf(key, sizeof key, "%s.%s", where, name);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    ss_conf_error(x->err, x->errlen, x->file, ss_conf_line(config_setting_get_member(g, name)), key,
                  "%s", what);
}

bool ss_conf_only_keys(const SsConfCtx *x, const config_setting_t *g, const char *where,
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
            ss_conf_error(x->err, x->errlen, x->file, ss_conf_line(m), key,
                          "unknown key: allowed are %s", allowed_text);
            return false;
        }
    }
    return true;
}

bool ss_conf_string(const SsConfCtx *x, const config_setting_t *g, const char *where,
                    const char *name, bool required, const char **out)
{
    const config_setting_t *m = config_setting_get_member(g, name);
    *out = NULL;
    if (!m) {
        if (required)
            ss_conf_error(x->err, x->errlen, x->file, ss_conf_line(g), where,
                          "missing '%s' (a string)", name);
        return !required;
    }
    if (config_setting_type(m) != CONFIG_TYPE_STRING) {
        ss_conf_member_error(x, g, where, name, "must be a string in double quotes");
        return false;
    }
    *out = config_setting_get_string(m);
    return true;
}

bool ss_conf_int(const SsConfCtx *x, const config_setting_t *g, const char *where, const char *name,
                 int lo, int hi, SsIntRule rule, int *out)
{
    static const char *const said[] = {"", "a whole number ", "a power of two "};
    const config_setting_t *m = config_setting_get_member(g, name);
    if (!m)
        return true;
    int t = config_setting_type(m);
    if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
        ss_conf_member_error(x, g, where, name, "must be a whole number %d..%d", lo, hi);
        return false;
    }
    long long v = t == CONFIG_TYPE_INT ? config_setting_get_int(m) : config_setting_get_int64(m);
    if (v < lo || v > hi || (rule == SS_INT_POW2 && (v & (v - 1)))) {
        ss_conf_member_error(x, g, where, name, "bad value %lld: must be %s%d..%d", v, said[rule],
                             lo, hi);
        return false;
    }
    *out = (int)v;
    return true;
}

bool ss_conf_id(const SsConfCtx *x, const config_setting_t *g, const char *where, const char *name,
                const char *what, const char *v)
{
    if (ss_valid_id(v))
        return true;
    ss_conf_member_error(x, g, where, name,
                         "bad value \"%s\": a %s uses only letters, digits, _ and - (1..63 chars)",
                         v, what);
    return false;
}

bool ss_conf_bool(const SsConfCtx *x, const config_setting_t *g, const char *where,
                  const char *name, bool *out)
{
    const config_setting_t *m = config_setting_get_member(g, name);
    if (!m)
        return true;
    if (config_setting_type(m) != CONFIG_TYPE_BOOL) {
        ss_conf_member_error(x, g, where, name, "must be true or false");
        return false;
    }
    *out = config_setting_get_bool(m);
    return true;
}

bool ss_conf_enum(const SsConfCtx *x, const config_setting_t *g, const char *where,
                  const char *name, const char *const *names, int n, int *out)
{
    const char *v;
    if (!ss_conf_string(x, g, where, name, false, &v))
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
    ss_conf_member_error(x, g, where, name, "bad value \"%s\": allowed are %s", v, allowed);
    return false;
}
