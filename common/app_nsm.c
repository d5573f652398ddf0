/* app_nsm.c - the tool shell under an NSM session manager: wait for the
 * open, load and save the session state PATH.conf, and switch to another
 * session (:switch:). Control thread. See app_priv.h, common/nsm.h and
 * docs/sessions.md. */
#include "app_priv.h"
#include "log.h"
#include "sigpipe.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Load the session state <path>.conf into p when it exists; --osc-port
 * still wins over the file's osc.port, as at start. */
static AtStatus load_nsm_state(AtApp *app, AtParams *p, const char *path, char *err, size_t errlen)
{
    char file[4200];
    snprintf(file, sizeof file, "%s.conf", path);
    if (access(file, F_OK) == 0 && at_params_load_file(p, file, err, errlen) != AT_OK)
        return AT_ERR_USAGE;
    if (app->osc_port_override >= 0)
        at_params_set_number(p, at_params_find_key(p, "osc.port"), app->osc_port_override, NULL, 0);
    return AT_OK;
}

static AtStatus nsm_save(void *user, const char *path, char *err, size_t errlen)
{
    AtApp *app = user;
    char file[4096];
    snprintf(file, sizeof file, "%s.conf", path);
    AtStatus st = at_params_save_file(app->params, file, err, errlen);
    if (st == AT_OK)
        app->dirty = false;
    return st;
}

/* NSM :switch: a later /nsm/client/open moves the tool to another session:
 * the new values (defaults, the -c config, then <path>.conf) are checked
 * first, so a bad file leaves the running session alone; then the JACK
 * client closes (silencing its destinations) and opens again under the new
 * client id. The OSC server stays as it is. */
static AtStatus nsm_switch(void *user, const char *path, const char *client_id, char *err,
                           size_t errlen)
{
    AtApp *app = user;
    AtParams *np = at_params_new(app->tool->name, app->tool->params, app->tool->n_params);
    if (!np) {
        snprintf(err, errlen, "out of memory");
        return AT_ERR_RUNTIME;
    }
    if ((app->config && at_params_load_file(np, app->config, err, errlen) != AT_OK) ||
        load_nsm_state(app, np, path, err, errlen) != AT_OK) {
        at_params_free(np);
        at_error("NSM: cannot switch to '%s': %s", client_id, err);
        return AT_ERR_USAGE;
    }
    at_info("NSM: switching from '%s' to '%s'", app->client_name, client_id);
    at_app_graceful_stop(app);
    at_app_close_jack(app);
    snprintf(app->nsm_path, sizeof app->nsm_path, "%s", path);
    at_params_free(app->params);
    app->params = np;
    app->dirty = false;
    AtStatus st = at_app_open_jack(app, client_id, err, errlen);
    if (st != AT_OK) {
        at_error("NSM: switching to '%s' failed: %s", client_id, err);
        at_app_quit(app, 1);
        return st;
    }
    for (int i = 0; i < (int)app->tool->n_params; i++)
        at_app_echo_param(app, i); /* surfaces follow the new values */
    return AT_OK;
}

static void nsm_loaded(void *user)
{
    AtApp *app = user;
    if (app->core_made && app->tool->session_loaded)
        app->tool->session_loaded(app, app->core);
}

int at_app_nsm_start(AtApp *app, const char *prog, const char *argv0, const char **name,
                     char *name_buf, size_t name_len, char *err, size_t errlen)
{
    if (!getenv("NSM_URL") || !*getenv("NSM_URL"))
        return -1;
    AtNsmHooks hooks = {
        .save = nsm_save, .switch_to = nsm_switch, .loaded = nsm_loaded, .user = app};
    app->nsm = at_nsm_open(prog, argv0, &hooks, err, errlen);
    if (!app->nsm) {
        at_error("NSM: %s", err);
        return 1;
    }
    char path[4096];
    if (!at_nsm_wait_open(app->nsm, name_buf, name_len, path, sizeof path, at_sigpipe_flag()))
        return *at_sigpipe_flag() ? 0 : 1;
    if (load_nsm_state(app, app->params, path, err, errlen) != AT_OK) {
        at_nsm_open_reply(app->nsm, false, err);
        at_error("%s", err);
        return 2;
    }
    *name = name_buf;
    snprintf(app->nsm_path, sizeof app->nsm_path, "%s", path);
    return -1;
}
