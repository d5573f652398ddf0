/* app_options.c - the tool shell's command line (getopt_long) and the
 * modes that end before JACK runs: --make-config, --check-config,
 * --touchosc-layout and the tool's offline modes. See app_priv.h and
 * docs/man/. */
#include "app_priv.h"
#include "cmdline.h"
#include "log.h"
#include "touchosc.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef AT_VERSION
#define AT_VERSION "0"
#endif

/* The options, as --help shows them and as they are read (cmdline.h):
 * a line here is an option. The %s are the tool's name, summary, name. */
#define USAGE                                                                                      \
    "Usage: aiotone-%s [OPTIONS]\n%s\n\n"                                                          \
    "Options:\n"                                                                                   \
    "  -c, --config FILE   load the configuration (libconfig syntax) from FILE\n"                  \
    "      --make-config   print a commented default configuration and exit\n"                     \
    "  -n, --name NAME     JACK client name (default: %s)\n"                                       \
    "  -s, --server NAME   JACK server (default: $JACK_DEFAULT_SERVER or 'default')\n"             \
    "      --osc-port N    OSC UDP port, 0 = off (overrides osc.port)\n"                           \
    "      --touchosc-layout FILE\n"                                                               \
    "                      write a TouchOSC layout for every live parameter and exit\n"            \
    "      --check-config FILE\n"                                                                  \
    "                      load FILE (over -c) with every check the tool makes,\n"                 \
    "                      print what is wrong; exit 0 good, 2 bad (no JACK)\n"                    \
    "  -v, --verbose       more messages\n"                                                        \
    "  -q, --quiet         only warnings and errors\n"                                             \
    "  -h, --help          show this help and exit\n"                                              \
    "  -V, --version       show the version and exit\n"

static void usage(const AtTool *t, FILE *f)
{
    fprintf(f, USAGE, t->name, t->summary, t->name);
    if (t->usage_extra)
        fprintf(f, "%s", t->usage_extra);
    fprintf(f,
            "\nOSC: /%s/<parameter> sets, /%s/get s PATH reads, /%s/list lists.\n"
            "Under NSM (NSM_URL set) the state is kept by the session manager, which may\n"
            "switch the running tool to another session (:switch:).\n"
            "See aiotone-%s(1).\n",
            t->name, t->name, t->name, t->name);
}

/* Where the value of option opt goes, for the options that take a file or
 * a name; NULL for the others. */
static const char **value_of(AtAppOptions *o, const char *opt)
{
    return !strcmp(opt, "config")            ? &o->config
           : !strcmp(opt, "name")            ? &o->name
           : !strcmp(opt, "server")          ? &o->server
           : !strcmp(opt, "touchosc-layout") ? &o->touchosc
           : !strcmp(opt, "check-config")    ? &o->check
                                             : NULL;
}

/* One option getopt_long returned (by its long name); -1 to go on, or an
 * exit status. */
static int apply_option(const AtTool *t, const char *opt, const char *arg, AtAppOptions *o)
{
    const char **value = value_of(o, opt);
    char *end;
    long port;
    if (value) {
        *value = arg;
    } else if (!strcmp(opt, "help")) {
        usage(t, stdout);
        return 0;
    } else if (!strcmp(opt, "version")) {
        printf("aiotone-%s %s\n", t->name, AT_VERSION);
        return 0;
    } else if (!strcmp(opt, "osc-port")) {
        port = strtol(arg, &end, 10);
        if (*end || port < 0 || port > 65535) {
            fprintf(stderr, "aiotone-%s: --osc-port: '%s' is not a port 0..65535\n", t->name, arg);
            return 2;
        }
        o->osc_port = (int)port;
    } else if (!strcmp(opt, "make-config")) {
        o->make_config = true;
    } else if (!strcmp(opt, "verbose") || !strcmp(opt, "quiet")) {
        o->verbosity = !strcmp(opt, "verbose") ? AT_LOG_DEBUG : AT_LOG_WARN;
    }
    return -1;
}

/* Words the shell does not know (the tool's offline options, their values,
 * stray arguments) go to o->rest in their order, each once, whole. */
static void keep_word(AtAppOptions *o, char **argv, int word, int *last)
{
    if (word != *last)
        o->rest[o->n_rest++] = argv[word];
    *last = word;
}

/* getopt_long reads a private copy of the words: an unknown short option
 * inside a word ends that word (the rest of it is blanked), so no letter of
 * a tool's "-ox.wav" is taken for one of the shell's. */
static char **copy_words(int argc, char **argv)
{
    char **w = calloc((size_t)argc + 1, sizeof *w);
    for (int i = 0; w && i < argc; i++)
        if (!(w[i] = strdup(argv[i]))) {
            at_app_free_options(&(AtAppOptions){.words = w, .n_words = i});
            return NULL;
        }
    return w;
}

static int missing_value(const AtTool *t, const char *word)
{
    char key[8];
    if (strncmp(word, "--", 2) != 0) {
        snprintf(key, sizeof key, "-%c", optopt);
        word = key;
    }
    fprintf(stderr, "aiotone-%s: option %s needs a value (see --help)\n", t->name, word);
    return 2;
}

/* Returns -1 to go on, or an exit status. "-" first: every word comes in
 * order (words that are not options as 1); ":" second: a missing value is
 * told apart. */
int at_app_parse_options(const AtTool *t, int argc, char **argv, AtAppOptions *o)
{
    o->osc_port = -1;
    o->verbosity = AT_LOG_INFO;
    o->rest = calloc((size_t)argc + 1, sizeof *o->rest);
    o->words = copy_words(argc, argv);
    o->n_words = argc;
    AtCmdline cl;
    if (!o->rest || !o->words || !at_cmdline_init(&cl, USAGE, "-:"))
        return 1;
    o->rest[o->n_rest++] = argv[0];
    opterr = 0;
    optind = 0;
    int last = -1, c;
    for (int before = 1; (c = getopt_long(argc, o->words, cl.shorts, cl.longs, NULL)) != -1;
         before = optind) {
        if (c == 1) {
            keep_word(o, argv, optind - 1, &last);
        } else if (c == '?' && optind == before) {
            /* inside a word of short options: keep it whole, skip the rest */
            keep_word(o, argv, optind, &last);
            memset(o->words[optind] + 2, 0, strlen(o->words[optind] + 2));
            optind++;
        } else if (c == '?') {
            keep_word(o, argv, optind - 1, &last);
        } else if (c == ':') {
            return missing_value(t, argv[optind - 1]);
        } else {
            int r = apply_option(t, at_cmdline_name(&cl, c), optarg, o);
            if (r >= 0)
                return r;
        }
    }
    while (optind < argc)
        o->rest[o->n_rest++] = argv[optind++];
    return -1;
}

void at_app_free_options(AtAppOptions *o)
{
    for (int i = 0; o->words && i < o->n_words; i++)
        free(o->words[i]);
    free(o->words);
    free(o->rest);
}

/* --check-config FILE: load FILE over the -c config the way a session
 * state file is loaded, then the tool's own checks; no JACK. */
static int check_config(AtApp *app, const char *file)
{
    char err[2048] = "";
    if (access(file, F_OK) != 0) {
        at_error("%s: %s", file, strerror(errno));
        return 2;
    }
    if (at_params_load_file(app->params, file, err, sizeof err) != AT_OK ||
        (app->tool->validate && app->tool->validate(app, err, sizeof err) != AT_OK)) {
        at_error("%s", err);
        return 2;
    }
    printf("%s: ok\n", file);
    return 0;
}

/* --touchosc-layout FILE: write the layout and end. */
static int write_touchosc(AtApp *app, const char *file)
{
    char err[2048] = "";
    if (at_touchosc_write(app->params, file, err, sizeof err) != AT_OK) {
        at_error("%s", err);
        return 1;
    }
    at_info("wrote TouchOSC layout %s", file);
    return 0;
}

int at_app_early_modes(AtApp *app, const AtAppOptions *o)
{
    char err[2048] = "";
    if (o->make_config) {
        at_params_write(app->params, stdout, true, false);
        return 0;
    }
    if (o->config && at_params_load_file(app->params, o->config, err, sizeof err) != AT_OK) {
        at_error("%s", err);
        return 2;
    }
    if (o->check)
        return check_config(app, o->check);
    if (o->touchosc)
        return write_touchosc(app, o->touchosc);
    if (o->osc_port >= 0) {
        int i = at_params_find_key(app->params, "osc.port");
        at_params_set_number(app->params, i, o->osc_port, NULL, 0);
    }
    app->server = o->server;
    app->config = o->config;
    app->osc_port_override = o->osc_port;
    if (o->n_rest > 1 || app->tool->offline) {
        if (!app->tool->offline) {
            at_error("unexpected argument '%s' (see --help)", o->rest[1]);
            return 2;
        }
        return app->tool->offline(app, o->n_rest, o->rest);
    }
    return -1;
}
