/* app_params.c - parameter changes in the tool shell: from outside (OSC,
 * NSM, a loaded preset, the tool itself) through the registry and the tool's
 * hooks to the RT thread, and back from the RT thread (reports). Control
 * thread. See app_priv.h and docs/threads.md. */
#include "app_priv.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool at_app_rt_running(const AtApp *app)
{
    return app->to_rt != NULL;
}

/* Send parameter i's value to the RT thread (preparing resources first). */
static bool push_param(AtApp *app, int i, char *err, size_t errlen)
{
    const AtParamDef *d = at_params_def(app->params, i);
    const AtParamValue *v = at_params_get(app->params, i);
    AtParamMsg m = {.index = i, .i = v->i, .f = v->f};
    if (d->type == AT_PARAM_STRING || d->type == AT_PARAM_STRLIST || d->type == AT_PARAM_INTLIST)
        m.i = v->count;
    if (d->field.kind == AT_FIELD_SEED && m.i == 0) {
        /* "random": picked here, off the RT thread (params.h) */
        m.i = at_params_random_seed();
        at_warn("seed 0: using seed %d (set %s = %d to replay)", (int)m.i, d->key, (int)m.i);
    }
    if (app->tool->prepare && app->core_made) {
        bool fail = false;
        m.ptr = app->tool->prepare(app->core, app->params, i, &fail);
        if (fail) {
            snprintf(err, errlen, "cannot prepare the change (out of memory?)");
            return false;
        }
    }
    if (!at_app_rt_running(app)) {
        /* Before JACK runs (e.g. offline): apply directly. */
        if (app->tool->param && app->core_made)
            app->tool->param(app->core, &m, &app->cycle);
        if (m.ptr && app->tool->release)
            app->tool->release(m.ptr);
        return true;
    }
    if (jack_ringbuffer_write_space(app->to_rt) < sizeof m) {
        snprintf(err, errlen, "busy: too many changes at once, try again");
        if (m.ptr && app->tool->release)
            app->tool->release(m.ptr);
        return false;
    }
    jack_ringbuffer_write(app->to_rt, (const char *)&m, sizeof m);
    return true;
}

void at_app_mark_dirty(AtApp *app)
{
    if (!app->dirty) {
        app->dirty = true;
        if (app->nsm)
            at_nsm_dirty(app->nsm, true);
    }
}

/* After the registry's value of i changed: consult the tool, tell RT,
 * echo, mark dirty. On refusal restore old. */
bool at_app_commit_change(AtApp *app, int i, AtParamValue *old, char *err, size_t errlen)
{
    if (app->tool->changed && app->core_made &&
        !app->tool->changed(app, app->core, i, err, errlen)) {
        at_params_store(app->params, i, old);
        return false;
    }
    if (!push_param(app, i, err, errlen)) {
        at_params_store(app->params, i, old);
        return false;
    }
    at_app_echo_param(app, i);
    if (!(at_params_def(app->params, i)->flags & AT_PARAM_NOSAVE))
        at_app_mark_dirty(app);
    return true;
}

AtStatus at_app_set_number(AtApp *app, int index, double value, char *err, size_t errlen)
{
    const AtParamDef *d = at_params_def(app->params, index);
    if (!d || !(d->flags & AT_PARAM_LIVE)) {
        snprintf(err, errlen, "not a live parameter");
        return AT_ERR_USAGE;
    }
    AtParamValue old;
    at_params_value_copy(&old, at_params_get(app->params, index));
    bool ok = at_params_set_number(app->params, index, value, err, errlen) &&
              at_app_commit_change(app, index, &old, err, errlen);
    at_params_value_free(&old);
    return ok ? AT_OK : AT_ERR_USAGE;
}

/* Send every parameter the load changed to the RT thread and the surfaces;
 * one that is not live goes back to its old value while the RT thread
 * runs. */
static void apply_loaded(AtApp *app, const AtParamsSnapshot *before, const char *path)
{
    size_t n = at_params_count(app->params);
    for (size_t i = 0; i < n; i++) {
        if (!at_params_changed_since(app->params, before, (int)i))
            continue;
        const AtParamDef *d = at_params_def(app->params, (int)i);
        if (!(d->flags & AT_PARAM_LIVE) && at_app_rt_running(app)) {
            /* Keep the registry telling the truth about what runs. */
            at_warn("%s: '%s' is not live; set it in the config and restart", path, d->key);
            at_params_restore(app->params, before, (int)i);
            continue;
        }
        char why[256];
        if (!push_param(app, (int)i, why, sizeof why))
            at_warn("%s: '%s': %s", path, d->key, why);
        at_app_echo_param(app, (int)i);
        at_app_mark_dirty(app);
    }
}

AtStatus at_app_load_values(AtApp *app, const char *path, char *err, size_t errlen)
{
    AtParamsSnapshot *before = at_params_snapshot(app->params);
    if (!before) {
        snprintf(err, errlen, "out of memory");
        return AT_ERR_RUNTIME;
    }
    AtStatus st = at_params_load_file(app->params, path, err, errlen);
    if (st != AT_OK)
        at_params_restore(app->params, before, -1);
    else
        apply_loaded(app, before, path);
    at_params_snapshot_free(before);
    return st;
}

void at_app_drain_rt(AtApp *app)
{
    AtLogMsg lm;
    while (jack_ringbuffer_read_space(app->logs) >= sizeof lm) {
        jack_ringbuffer_read(app->logs, (char *)&lm, sizeof lm);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        char text[512];
        snprintf(text, sizeof text, lm.fmt, lm.a, lm.b);
#pragma GCC diagnostic pop
        at_warn("%s", text);
    }
    AtParamMsg m;
    while (jack_ringbuffer_read_space(app->reports) >= sizeof m) {
        jack_ringbuffer_read(app->reports, (char *)&m, sizeof m);
        const AtParamDef *d = at_params_def(app->params, m.index);
        if (!d)
            continue;
        AtParamValue v = *at_params_get(app->params, m.index);
        v.i = m.i;
        v.f = m.f;
        if (d->type != AT_PARAM_STRING && d->type != AT_PARAM_STRLIST)
            at_params_store(app->params, m.index, &v);
        at_app_echo_param(app, m.index);
        if (!(d->flags & AT_PARAM_NOSAVE))
            at_app_mark_dirty(app);
    }
    while (jack_ringbuffer_read_space(app->garbage) >= sizeof m) {
        jack_ringbuffer_read(app->garbage, (char *)&m, sizeof m);
        if (m.ptr && app->tool->release)
            app->tool->release(m.ptr);
    }
}
