/* lv2app.c - common/app.h for a plugin instance: a tool's setup declares
 * its ports here (they become LV2 ports), its RT hooks get an AtCycle as in
 * the JACK shell, and its RT log lines wait in a ring for the plugin's
 * worker. Also the one place that says which LV2 ports a tool has. */
#include "lv2app.h"

#include "log.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void at_lv2_symbol(const char *key, char *out, size_t outlen)
{
    if (!strncmp(key, "patch.", 6))
        key += 6;
    else if (!strncmp(key, "input.", 6))
        key += 6;
    size_t k = 0;
    for (; *key && k + 1 < outlen; key++)
        out[k++] = (*key == '.' || *key == '-') ? '_' : *key;
    out[k] = 0;
}

const AtParamDef *at_lv2_defs(const AtLv2Plugin *plug, size_t *n)
{
    *n = plug->tool->n_params;
    return plug->tool->params;
}

bool at_lv2_is_port_param(const AtLv2Plugin *plug, const AtParamDef *d)
{
    if (d->type == AT_PARAM_ACTION)
        return true;
    if (!(d->flags & AT_PARAM_LIVE))
        return false;
    switch (d->type) {
    case AT_PARAM_INT:
    case AT_PARAM_FLOAT:
    case AT_PARAM_BOOL:
    case AT_PARAM_ENUM:
    case AT_PARAM_DURATION:
        break;
    default:
        return false;
    }
    for (const char *const *s = plug->state_only; s && *s; s++)
        if (!strcmp(*s, d->key))
            return false;
    return true;
}

/* ---- app.h for a plugin ---- */

int at_app_add_port(AtApp *app, const char *short_name, AtPortKind kind, const char *pretty,
                    const char *group, const char *connect_key)
{
    (void)group;
    (void)connect_key;
    if (app->n_tool_ports >= AT_APP_MAX_PORTS || kind == AT_PORT_AUDIO_IN)
        return -1;
    int h = app->n_tool_ports++;
    app->tool_kind[h] = kind;
    snprintf(app->tool_symbol[h], sizeof app->tool_symbol[h], "%s", short_name);
    snprintf(app->tool_pretty[h], sizeof app->tool_pretty[h], "%s", pretty ? pretty : short_name);
    AtMidiBuf *b = &app->bufs[h];
    at_midi_buf_init(b, app->storage + (size_t)h * AT_APP_MIDI_CAPACITY, AT_APP_MIDI_CAPACITY);
    app->cycle.midi[h] = b;
    app->cycle.audio[h] = NULL;
    return h;
}

/* Each destination is its own LV2 port, named after its section ("red"
 * from "red.port"), whatever port name the state gives it: a host routes
 * every output on its own. */
AtStatus at_app_add_dests(AtApp *app, const AtDest *dests, int n, int *handles, char *err,
                          size_t errlen)
{
    for (int d = 0; d < n; d++) {
        char sym[64];
        snprintf(sym, sizeof sym, "%s", dests[d].port_key);
        char *dot = strchr(sym, '.');
        if (dot)
            *dot = 0;
        handles[d] = at_app_add_port(app, sym, AT_PORT_MIDI_OUT, dests[d].pretty, NULL, NULL);
        if (handles[d] < 0) {
            snprintf(err, errlen, "too many ports");
            return AT_ERR_RUNTIME;
        }
    }
    return AT_OK;
}

void at_cycle_dest_outs(const AtCycle *c, const int *handles, int n, AtMidiBuf **out)
{
    for (int d = 0; d < n; d++)
        out[d] = c->midi[handles[d]];
}

void at_app_add_connect(AtApp *app, int handle, const char *peer)
{
    (void)app;
    (void)handle;
    (void)peer;
}

AtStatus at_app_load_values(AtApp *app, const char *path, char *err, size_t errlen)
{
    return at_params_load_file(app->params, path, err, errlen);
}

void *at_app_core(AtApp *app)
{
    return app->core;
}

AtParams *at_app_params(AtApp *app)
{
    return app->params;
}

uint32_t at_app_rate(const AtApp *app)
{
    return app->rate;
}

const char *at_app_client_name(const AtApp *app)
{
    return app->plug->name;
}

/* A plugin is not an NSM client: its host keeps the state. */
const char *at_app_session_path(const AtApp *app)
{
    (void)app;
    return NULL;
}

void at_app_quit(AtApp *app, int status)
{
    (void)app;
    (void)status;
}

void at_cycle_quit(AtCycle *cycle, int status)
{
    (void)cycle;
    (void)status;
}

/* A core that changed a parameter by itself (a mode key, a transposition):
 * remembered for the next state save. */
void at_cycle_report(AtCycle *cycle, int index, int32_t i, double f)
{
    AtParamMsg m = {.index = index, .i = i, .f = f};
    at_lv2_live_store(cycle->app, &m);
}

void at_cycle_log(AtCycle *cycle, const char *fmt, int a, int b)
{
    AtApp *app = cycle->app;
    if (app->n_logs >= AT_LV2_MAX_LOGS - 1) { /* the last slot tells of the lost */
        app->logs_lost++;
        return;
    }
    app->logs[app->n_logs++] = (AtLv2Log){fmt, a, b};
}

/* ---- instances ---- */

static bool make_core(AtApp *app, char *err, size_t errlen)
{
    app->n_tool_ports = 0;
    memset(&app->cycle, 0, sizeof app->cycle);
    app->cycle.app = app;
    app->cycle.rate = app->rate;
    err[0] = 0;
    AtStatus st = app->plug->tool->validate ? app->plug->tool->validate(app, err, errlen) : AT_OK;
    if (st != AT_OK) {
        app->core = NULL;
        return false;
    }
    st = app->plug->tool->setup(app, &app->core, err, errlen);
    if (st != AT_OK) {
        if (!err[0])
            snprintf(err, errlen, "the tool's set-up failed");
        app->core = NULL;
        return false;
    }
    return true;
}

static void live_from_registry(AtApp *app)
{
    for (size_t i = 0; i < at_params_count(app->params); i++) {
        const AtParamValue *v = at_params_get(app->params, (int)i);
        atomic_store_explicit(&app->live_i[i], v->i, memory_order_relaxed);
        atomic_store_explicit(&app->live_f[i], v->f, memory_order_relaxed);
    }
}

AtApp *at_lv2_app_new(const AtLv2Plugin *plug, uint32_t rate, char *err, size_t errlen)
{
    size_t n;
    const AtParamDef *defs = at_lv2_defs(plug, &n);
    AtApp *app = calloc(1, sizeof *app);
    if (!app)
        goto oom;
    app->plug = plug;
    app->rate = rate;
    app->params = at_params_new(plug->name, defs, n);
    app->storage = calloc((size_t)AT_APP_MAX_PORTS * AT_APP_MIDI_CAPACITY, sizeof *app->storage);
    if (!app->params || !app->storage)
        goto oom;
    app->live_i = calloc(at_params_count(app->params), sizeof *app->live_i);
    app->live_f = calloc(at_params_count(app->params), sizeof *app->live_f);
    if (!app->live_i || !app->live_f)
        goto oom;
    live_from_registry(app);
    if (!make_core(app, err, errlen)) {
        at_lv2_app_free(app);
        return NULL;
    }
    return app;
oom:
    snprintf(err, errlen, "out of memory");
    at_lv2_app_free(app);
    return NULL;
}

void at_lv2_app_free(AtApp *app)
{
    if (!app)
        return;
    if (app->core && app->plug->tool->teardown)
        app->plug->tool->teardown(app->core);
    at_params_free(app->params);
    free(app->storage);
    free((void *)app->live_i);
    free((void *)app->live_f);
    free(app);
}

bool at_lv2_app_rebuild(AtApp *app, AtParams *reg, char *err, size_t errlen)
{
    AtParams *old_reg = app->params;
    void *old_core = app->core;
    int old_n = app->n_tool_ports;
    app->params = reg;
    bool ok = make_core(app, err, errlen);
    if (ok && app->n_tool_ports != old_n) {
        snprintf(err, errlen, "the tool's ports changed");
        if (app->plug->tool->teardown)
            app->plug->tool->teardown(app->core);
        ok = false;
    }
    if (!ok) {
        /* keep the old core; its ports keep their handles and buffers */
        app->params = old_reg;
        at_params_free(reg);
        app->core = old_core;
        app->n_tool_ports = old_n;
        for (int h = 0; h < old_n; h++)
            app->cycle.midi[h] = &app->bufs[h];
        return false;
    }
    if (old_core && app->plug->tool->teardown)
        app->plug->tool->teardown(old_core);
    at_params_free(old_reg);
    live_from_registry(app);
    return true;
}

int at_lv2_ports(const AtApp *app, AtLv2Port *ports, int max)
{
    int n = 0;
    /* the tool's ports: MIDI in first, then audio and MIDI outputs */
    for (int pass = 0; pass < 3; pass++) {
        for (int h = 0; h < app->n_tool_ports && n < max; h++) {
            AtPortKind k = app->tool_kind[h];
            bool take = (pass == 0 && k == AT_PORT_MIDI_IN) ||
                        (pass == 1 && k == AT_PORT_AUDIO_OUT) ||
                        (pass == 2 && k == AT_PORT_MIDI_OUT);
            if (!take)
                continue;
            AtLv2Port *p = &ports[n++];
            *p = (AtLv2Port){.handle = h, .param = -1};
            p->kind = k == AT_PORT_MIDI_IN    ? AT_LV2_PORT_MIDI_IN
                      : k == AT_PORT_MIDI_OUT ? AT_LV2_PORT_MIDI_OUT
                                              : AT_LV2_PORT_AUDIO_OUT;
            snprintf(p->symbol, sizeof p->symbol, "%s", app->tool_symbol[h]);
            snprintf(p->name, sizeof p->name, "%s", app->tool_pretty[h]);
        }
    }
    /* then one control port per live parameter, in table order */
    for (size_t i = 0; i < at_params_count(app->params) && n < max; i++) {
        const AtParamDef *d = at_params_def(app->params, (int)i);
        if (!at_lv2_is_port_param(app->plug, d))
            continue;
        AtLv2Port *p = &ports[n++];
        *p = (AtLv2Port){.handle = -1, .param = (int)i};
        p->kind = d->type == AT_PARAM_ACTION ? AT_LV2_PORT_TRIGGER : AT_LV2_PORT_CONTROL;
        at_lv2_symbol(d->key, p->symbol, sizeof p->symbol);
        snprintf(p->name, sizeof p->name, "%s", d->key);
    }
    return n;
}

float at_lv2_param_port_value(const AtParams *reg, int i)
{
    const AtParamDef *d = at_params_def(reg, i);
    const AtParamValue *v = at_params_get(reg, i);
    switch (d->type) {
    case AT_PARAM_FLOAT:
    case AT_PARAM_DURATION:
        return (float)v->f;
    case AT_PARAM_ACTION:
        return 0.0f;
    default:
        return (float)v->i;
    }
}

bool at_lv2_param_msg(const AtParams *reg, int i, float v, AtParamMsg *msg)
{
    const AtParamDef *d = at_params_def(reg, i);
    if (isnan(v))
        return false;
    double x = v, lo = d->min, hi = d->max;
    if (d->type == AT_PARAM_BOOL || d->type == AT_PARAM_ACTION) {
        lo = 0;
        hi = 1;
    } else if (d->type == AT_PARAM_ENUM) {
        int n = 0;
        while (n < AT_PARAM_MAX_CHOICES && d->choices[n])
            n++;
        lo = 0;
        hi = n - 1;
    }
    if (x < lo)
        x = lo;
    if (x > hi)
        x = hi;
    *msg = (AtParamMsg){.index = i, .f = x, .ptr = NULL};
    if (d->type == AT_PARAM_BOOL || d->type == AT_PARAM_ACTION)
        msg->i = x >= 0.5;
    else
        msg->i = (int32_t)lrint(x);
    if (d->type == AT_PARAM_INT || d->type == AT_PARAM_ENUM || d->type == AT_PARAM_BOOL)
        msg->f = msg->i;
    return true;
}

void at_lv2_live_store(AtApp *app, const AtParamMsg *m)
{
    if (m->index < 0 || (size_t)m->index >= at_params_count(app->params))
        return;
    atomic_store_explicit(&app->live_i[m->index], m->i, memory_order_relaxed);
    atomic_store_explicit(&app->live_f[m->index], m->f, memory_order_relaxed);
}

void at_lv2_live_to_registry(AtApp *app)
{
    for (size_t i = 0; i < at_params_count(app->params); i++) {
        const AtParamDef *d = at_params_def(app->params, (int)i);
        if (!(d->flags & AT_PARAM_LIVE) || d->type == AT_PARAM_ACTION)
            continue;
        AtParamValue v = *at_params_get(app->params, (int)i);
        switch (d->type) {
        case AT_PARAM_INT:
        case AT_PARAM_BOOL:
        case AT_PARAM_ENUM:
            v.i = atomic_load_explicit(&app->live_i[i], memory_order_relaxed);
            v.f = v.i;
            break;
        case AT_PARAM_FLOAT:
        case AT_PARAM_DURATION:
            v.f = atomic_load_explicit(&app->live_f[i], memory_order_relaxed);
            break;
        default:
            continue;
        }
        at_params_store(app->params, (int)i, &v);
    }
}

char *at_lv2_state_text(const AtParams *reg)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    fprintf(f, "# aiotone-%s state, saved by the LV2 plugin. Same format as its config file.\n",
            at_params_tool(reg));
    at_params_write(reg, f, false, true);
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}
