/* app_osc.c - the tool shell's OSC surface: /TOOL/<parameter> sets or
 * reads a parameter, /TOOL/get and /TOOL/list answer, every change is
 * echoed to the surfaces (docs/osc.md). Control thread. See app_priv.h. */
#include "app_priv.h"
#include "log.h"

#include <stdio.h>
#include <string.h>

static lo_message value_message(AtApp *app, int i)
{
    const AtParamDef *d = at_params_def(app->params, i);
    const AtParamValue *v = at_params_get(app->params, i);
    lo_message m = lo_message_new();
    switch (d->type) {
    case AT_PARAM_INT:
    case AT_PARAM_BOOL:
        lo_message_add_int32(m, v->i);
        break;
    case AT_PARAM_FLOAT:
    case AT_PARAM_DURATION:
        lo_message_add_float(m, (float)v->f);
        break;
    case AT_PARAM_ENUM:
        lo_message_add_string(m, d->choices[v->i]);
        break;
    case AT_PARAM_STRING:
        lo_message_add_string(m, v->s ? v->s : "");
        break;
    case AT_PARAM_STRLIST:
        for (int k = 0; k < v->count; k++)
            lo_message_add_string(m, v->list[k]);
        break;
    case AT_PARAM_INTLIST:
        for (int k = 0; k < v->count; k++)
            lo_message_add_int32(m, v->ilist[k]);
        break;
    case AT_PARAM_ACTION:
        break;
    }
    return m;
}

static void osc_path_of(AtApp *app, int i, char *out, size_t outlen)
{
    snprintf(out, outlen, "/%s/%s", app->tool->name, at_params_def(app->params, i)->osc);
}

/* Tell every surface the current value of parameter i. */
void at_app_echo_param(AtApp *app, int i)
{
    const AtParamDef *d = at_params_def(app->params, i);
    if (!app->osc || !d->osc || d->type == AT_PARAM_ACTION)
        return;
    char path[256];
    osc_path_of(app, i, path, sizeof path);
    lo_message m = value_message(app, i);
    at_osc_send_surfaces(app->osc, path, m);
    lo_message_free(m);
}

static void osc_error(AtApp *app, AtOsc *osc, const AtOscMsg *msg, const char *path,
                      const char *reason)
{
    char addr[160];
    snprintf(addr, sizeof addr, "/%s/error", app->tool->name);
    lo_message m = lo_message_new();
    lo_message_add_string(m, path);
    lo_message_add_string(m, reason);
    at_osc_send_to(osc, &msg->from, msg->fromlen, addr, m);
    lo_message_free(m);
    at_warn("OSC %s: %s", path, reason);
}

static void osc_reply_value(AtApp *app, AtOsc *osc, const AtOscMsg *msg, int i)
{
    char path[256];
    osc_path_of(app, i, path, sizeof path);
    lo_message m = value_message(app, i);
    at_osc_send_to(osc, &msg->from, msg->fromlen, path, m);
    lo_message_free(m);
}

static const char *type_word(AtParamType t)
{
    static const char *const w[] = {"int",      "float",   "bool", "enum",  "string",
                                    "duration", "strings", "ints", "action"};
    return w[t];
}

static void osc_list(AtApp *app, AtOsc *osc, const AtOscMsg *msg)
{
    char addr[160];
    snprintf(addr, sizeof addr, "/%s/list", app->tool->name);
    for (size_t i = 0; i < at_params_count(app->params); i++) {
        const AtParamDef *d = at_params_def(app->params, (int)i);
        if (!d->osc)
            continue;
        lo_message m = lo_message_new();
        char path[256];
        osc_path_of(app, (int)i, path, sizeof path);
        lo_message_add_string(m, path);
        lo_message_add_string(m, type_word(d->type));
        double lo = d->min, hi = d->max;
        if (d->type == AT_PARAM_ENUM) {
            lo = 0;
            hi = 0;
            while (hi < AT_PARAM_MAX_CHOICES && d->choices[(int)hi])
                hi++;
            hi--;
        } else if (d->type == AT_PARAM_BOOL) {
            lo = 0;
            hi = 1;
        }
        lo_message_add_float(m, (float)lo);
        lo_message_add_float(m, (float)hi);
        char val[1024];
        at_params_format(app->params, (int)i, val, sizeof val);
        lo_message_add_string(m, val);
        lo_message_add_string(m, d->unit ? d->unit : "");
        at_osc_send_to(osc, &msg->from, msg->fromlen, addr, m);
        lo_message_free(m);
    }
}

static bool arg_number(char t, lo_arg *a, double *v)
{
    switch (t) {
    case 'i':
        *v = at_osc_arg_i32(a);
        return true;
    case 'f':
        *v = at_osc_arg_f32(a);
        return true;
    case 'd':
        *v = at_osc_arg_f64(a);
        return true;
    case 'h':
        *v = (double)at_osc_arg_i64(a);
        return true;
    case 'T':
        *v = 1;
        return true;
    case 'F':
        *v = 0;
        return true;
    default:
        return false;
    }
}

static void osc_set(AtApp *app, AtOsc *osc, const AtOscMsg *msg, int i, const char *path)
{
    const AtParamDef *d = at_params_def(app->params, i);
    char why[512];
    if (!msg->allowed) {
        osc_error(app, osc, msg, path, "not allowed: this address is not in osc.allow");
        return;
    }
    if (d->type == AT_PARAM_ACTION) {
        AtParamValue old = {0};
        at_app_commit_change(app, i, &old, why, sizeof why);
        return;
    }
    if (msg->argc == 0) {
        osc_reply_value(app, osc, msg, i);
        return;
    }
    if (!(d->flags & AT_PARAM_LIVE)) {
        osc_error(app, osc, msg, path, "not live: set it in the config file and restart");
        return;
    }
    AtParamValue old;
    at_params_value_copy(&old, at_params_get(app->params, i));
    bool ok;
    double num;
    char t = msg->types[0];
    if (msg->argc != 1 && d->type != AT_PARAM_STRLIST) {
        snprintf(why, sizeof why, "expects one argument");
        ok = false;
    } else if (t == 's' || t == 'S') {
        ok = at_params_set_string(app->params, i, at_osc_arg_str(msg->argv[0]), why, sizeof why);
    } else if (arg_number(t, msg->argv[0], &num)) {
        ok = at_params_set_number(app->params, i, num, why, sizeof why);
    } else {
        snprintf(why, sizeof why, "argument of OSC type '%c' not accepted", t);
        ok = false;
    }
    if (ok)
        ok = at_app_commit_change(app, i, &old, why, sizeof why);
    if (!ok)
        osc_error(app, osc, msg, path, why);
    at_params_value_free(&old);
}

static void on_osc(void *user, AtOsc *osc, const AtOscMsg *msg)
{
    AtApp *app = user;
    size_t tl = strlen(app->tool->name);
    const char *path = msg->path;
    if (path[0] != '/' || strncmp(path + 1, app->tool->name, tl) != 0 || path[tl + 1] != '/') {
        osc_error(app, osc, msg, path, "unknown address");
        return;
    }
    const char *rest = path + tl + 2;
    if (strcmp(rest, "list") == 0) {
        osc_list(app, osc, msg);
        return;
    }
    if (strcmp(rest, "get") == 0) {
        if (msg->argc < 1 || msg->types[0] != 's') {
            osc_error(app, osc, msg, path, "expects s PATH");
            return;
        }
        const char *want = at_osc_arg_str(msg->argv[0]);
        char prefix[160];
        snprintf(prefix, sizeof prefix, "/%s/", app->tool->name);
        if (strncmp(want, prefix, strlen(prefix)) == 0)
            want += strlen(prefix);
        int i = at_params_find_osc(app->params, want);
        if (i < 0)
            osc_error(app, osc, msg, want, "unknown parameter");
        else
            osc_reply_value(app, osc, msg, i);
        return;
    }
    int i = at_params_find_osc(app->params, rest);
    if (i < 0) {
        osc_error(app, osc, msg, path, "unknown parameter");
        return;
    }
    osc_set(app, osc, msg, i, path);
}

AtStatus at_app_start_osc(AtApp *app, char *err, size_t errlen)
{
    int port = at_params_int(app->params, "osc.port");
    if (port == 0)
        return AT_OK;
    const AtParamValue *allow = at_params_value(app->params, "osc.allow");
    app->osc =
        at_osc_open(at_params_str(app->params, "osc.bind"), port, (const char *const *)allow->list,
                    allow->count, on_osc, app, err, errlen);
    if (!app->osc)
        return AT_ERR_RUNTIME;
    at_info("OSC on %s:%d (/%s/...)", at_params_str(app->params, "osc.bind"), at_osc_port(app->osc),
            app->tool->name);
    return AT_OK;
}
