/* gen-ttl.c - writes the bundle's Turtle from the tools' own parameter
 * tables and set-up (the ports each tool declares), and fmsynth's shipped
 * presets from their .conf files, so nothing is written twice:
 *
 *   gen-ttl DIR BINARY PRESET.conf...
 *
 * writes DIR/manifest.ttl, DIR/aiotone.ttl and DIR/presets.ttl. Run by
 * make; see docs/lv2.md. */
#include "clients/fmsynth/fmparams.h"
#include "clients/fmsynth/fmsynth.h"
#include "fileio.h"
#include "log.h"
#include "lv2app.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIXES                                                                                   \
    "@prefix atom: <http://lv2plug.in/ns/ext/atom#> .\n"                                           \
    "@prefix doap: <http://usefulinc.com/ns/doap#> .\n"                                            \
    "@prefix log: <http://lv2plug.in/ns/ext/log#> .\n"                                             \
    "@prefix lv2: <http://lv2plug.in/ns/lv2core#> .\n"                                             \
    "@prefix midi: <http://lv2plug.in/ns/ext/midi#> .\n"                                           \
    "@prefix pprops: <http://lv2plug.in/ns/ext/port-props#> .\n"                                   \
    "@prefix pset: <http://lv2plug.in/ns/ext/presets#> .\n"                                        \
    "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"                               \
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"                                    \
    "@prefix state: <http://lv2plug.in/ns/ext/state#> .\n"                                         \
    "@prefix time: <http://lv2plug.in/ns/ext/time#> .\n"                                           \
    "@prefix units: <http://lv2plug.in/ns/extensions/units#> .\n"                                  \
    "@prefix urid: <http://lv2plug.in/ns/ext/urid#> .\n"                                           \
    "@prefix work: <http://lv2plug.in/ns/ext/worker#> .\n"                                         \
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\n"

/* A Turtle string literal of s (quotes, backslashes, control characters
 * escaped). */
static void put_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c < 0x20)
            fprintf(f, "\\u%04X", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* A number as a Turtle literal (an integer, or a decimal/double). */
static void put_number(FILE *f, double v)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.9g", v);
    fputs(buf, f);
}

static const char *unit_uri(const char *unit)
{
    if (!unit)
        return NULL;
    if (!strcmp(unit, "s"))
        return "units:s";
    if (!strcmp(unit, "ms"))
        return "units:ms";
    if (!strcmp(unit, "Hz"))
        return "units:hz";
    if (!strcmp(unit, "dB"))
        return "units:db";
    return NULL;
}

/* The routing of fmsynth algorithm alg from the core: "4>3 3>2 2>1; out 1". */
static void algorithm_label(int alg, char *out, size_t outlen)
{
    size_t k = 0;
    out[0] = 0;
    for (int op = FM_OPS - 1; op >= 0; op--) {
        unsigned mods = fm_algorithm_modulators(alg, op);
        for (int m = FM_OPS - 1; m >= 0; m--)
            if (mods & (1u << m))
                k += (size_t)snprintf(out + k, outlen - k, "%s%d>%d", k ? " " : "", m + 1, op + 1);
    }
    k += (size_t)snprintf(out + k, outlen - k, "%sout ", k ? "; " : "");
    unsigned car = fm_algorithm_carriers(alg);
    bool first = true;
    for (int op = 0; op < FM_OPS; op++)
        if (car & (1u << op)) {
            k += (size_t)snprintf(out + k, outlen - k, "%s%d", first ? "" : "+", op + 1);
            first = false;
        }
}

static void human_name(const char *symbol, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s", symbol);
    for (char *c = out; *c; c++)
        if (*c == '_')
            *c = ' ';
}

static void write_control(FILE *f, const AtLv2Plugin *plug, const AtParams *reg, const AtLv2Port *p)
{
    const AtParamDef *d = at_params_def(reg, p->param);
    char name[128];
    human_name(p->symbol, name, sizeof name);
    fprintf(f, "        a lv2:InputPort, lv2:ControlPort ;\n        lv2:symbol \"%s\" ;\n",
            p->symbol);
    fprintf(f, "        lv2:name ");
    put_string(f, name);
    fprintf(f, " ;\n        rdfs:comment ");
    put_string(f, d->doc ? d->doc : "");
    fprintf(f, " ;\n");
    double lo = d->min, hi = d->max, def = at_lv2_param_port_value(reg, p->param);
    bool alg = !strcmp(plug->name, "fmsynth") && !strcmp(d->key, "patch.algorithm");
    switch (d->type) {
    case AT_PARAM_ACTION:
        fprintf(f, "        lv2:portProperty lv2:toggled, pprops:trigger ;\n");
        lo = 0, hi = 1, def = 0;
        break;
    case AT_PARAM_BOOL:
        fprintf(f, "        lv2:portProperty lv2:toggled ;\n");
        lo = 0, hi = 1;
        break;
    case AT_PARAM_ENUM: {
        int n = 0;
        while (n < AT_PARAM_MAX_CHOICES && d->choices[n])
            n++;
        lo = 0, hi = n - 1;
        fprintf(f, "        lv2:portProperty lv2:integer, lv2:enumeration ;\n");
        for (int i = 0; i < n; i++) {
            fprintf(f, "        lv2:scalePoint [ rdfs:label ");
            put_string(f, d->choices[i]);
            fprintf(f, " ; rdf:value %d ] ;\n", i);
        }
        break;
    }
    case AT_PARAM_INT:
        fprintf(f, "        lv2:portProperty lv2:integer%s ;\n", alg ? ", lv2:enumeration" : "");
        if (alg) {
            for (int a = (int)lo; a <= (int)hi; a++) {
                char label[128];
                algorithm_label(a, label, sizeof label);
                fprintf(f, "        lv2:scalePoint [ rdfs:label \"%d: %s\" ; rdf:value %d ] ;\n", a,
                        label, a);
            }
        }
        break;
    default:
        break;
    }
    const char *unit = unit_uri(d->unit);
    if (unit)
        fprintf(f, "        units:unit %s ;\n", unit);
    fprintf(f, "        lv2:default ");
    put_number(f, def);
    fprintf(f, " ;\n        lv2:minimum ");
    put_number(f, lo);
    fprintf(f, " ;\n        lv2:maximum ");
    put_number(f, hi);
    fprintf(f, " ;\n");
}

static void write_port(FILE *f, const AtLv2Plugin *plug, const AtParams *reg, const AtLv2Port *p,
                       int index)
{
    fprintf(f, "    lv2:port [\n");
    switch (p->kind) {
    case AT_LV2_PORT_MIDI_IN:
        fprintf(f,
                "        a lv2:InputPort, atom:AtomPort ;\n"
                "        atom:bufferType atom:Sequence ;\n"
                "        atom:supports midi:MidiEvent%s ;\n"
                "        lv2:designation lv2:control ;\n",
                plug->transport ? ", time:Position" : "");
        break;
    case AT_LV2_PORT_MIDI_OUT:
        fprintf(f, "        a lv2:OutputPort, atom:AtomPort ;\n"
                   "        atom:bufferType atom:Sequence ;\n"
                   "        atom:supports midi:MidiEvent ;\n");
        break;
    case AT_LV2_PORT_AUDIO_OUT:
        fprintf(f, "        a lv2:OutputPort, lv2:AudioPort ;\n");
        break;
    default:
        write_control(f, plug, reg, p);
        break;
    }
    if (p->kind != AT_LV2_PORT_CONTROL && p->kind != AT_LV2_PORT_TRIGGER) {
        fprintf(f, "        lv2:symbol \"%s\" ;\n        lv2:name ", p->symbol);
        put_string(f, p->name);
        fprintf(f, " ;\n");
    }
    fprintf(f, "        lv2:index %d\n    ]", index);
}

static bool write_plugin(FILE *f, const AtLv2Plugin *plug)
{
    char err[512];
    AtApp *app = at_lv2_app_new(plug, 48000, err, sizeof err);
    if (!app) {
        fprintf(stderr, "gen-ttl: %s: %s\n", plug->name, err);
        return false;
    }
    AtLv2Port ports[AT_LV2_MAX_PORTS];
    int n = at_lv2_ports(app, ports, AT_LV2_MAX_PORTS);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (!strcmp(ports[i].symbol, ports[j].symbol)) {
                fprintf(stderr, "gen-ttl: %s: two ports with the symbol '%s'\n", plug->name,
                        ports[i].symbol);
                at_lv2_app_free(app);
                return false;
            }
    fprintf(f, "<%s%s>\n    a lv2:Plugin, lv2:%s ;\n    doap:name ", AT_LV2_URI_PREFIX, plug->name,
            plug->klass);
    put_string(f, plug->label);
    fprintf(f, " ;\n    rdfs:comment ");
    put_string(f, plug->tool->summary);
    fprintf(f, " ;\n"
               "    doap:license <http://opensource.org/licenses/MIT> ;\n"
               "    lv2:requiredFeature urid:map ;\n"
               "    lv2:optionalFeature lv2:hardRTCapable, log:log, work:schedule ;\n"
               "    lv2:extensionData state:interface, work:interface ;\n");
    for (int i = 0; i < n; i++) {
        write_port(f, plug, app->params, &ports[i], i);
        fprintf(f, "%s", i + 1 < n ? " ;\n" : " .\n\n");
    }
    at_lv2_app_free(app);
    return true;
}

/* The preset's name: its file name without directory and ".conf". */
static void preset_name(const char *path, char *out, size_t outlen)
{
    const char *base = strrchr(path, '/');
    snprintf(out, outlen, "%s", base ? base + 1 : path);
    char *dot = strrchr(out, '.');
    if (dot)
        *dot = 0;
}

/* One preset: the control ports of its patch (for hosts that set ports)
 * and the file itself as state (exact values; loaded as the tool loads it). */
static bool write_preset(FILE *f, FILE *man, const AtLv2Plugin *plug, const char *path)
{
    char err[4200], name[256];
    preset_name(path, name, sizeof name);
    AtApp *app = at_lv2_app_new(plug, 48000, err, sizeof err);
    char *text = at_file_read(path, (size_t)16 << 20, NULL, NULL, 0); /* a preset is small */
    if (!app || !text) {
        fprintf(stderr, "gen-ttl: %s: %s\n", path, app ? strerror(errno) : err);
        free(text);
        at_lv2_app_free(app);
        return false;
    }
    if (at_params_load_file(app->params, path, err, sizeof err) != AT_OK) {
        fprintf(stderr, "gen-ttl: %s\n", err);
        free(text);
        at_lv2_app_free(app);
        return false;
    }
    fprintf(man,
            "<%s%s:preset:%s>\n    a pset:Preset ;\n    lv2:appliesTo <%s%s> ;\n"
            "    rdfs:seeAlso <presets.ttl> .\n\n",
            AT_LV2_URI_PREFIX, plug->name, name, AT_LV2_URI_PREFIX, plug->name);
    fprintf(f, "<%s%s:preset:%s>\n    a pset:Preset ;\n    lv2:appliesTo <%s%s> ;\n",
            AT_LV2_URI_PREFIX, plug->name, name, AT_LV2_URI_PREFIX, plug->name);
    fprintf(f, "    rdfs:label ");
    put_string(f, name);
    fprintf(f, " ;\n");
    AtLv2Port ports[AT_LV2_MAX_PORTS];
    int n = at_lv2_ports(app, ports, AT_LV2_MAX_PORTS);
    for (int i = 0; i < n; i++) {
        if (ports[i].kind != AT_LV2_PORT_CONTROL)
            continue;
        const AtParamDef *d = at_params_def(app->params, ports[i].param);
        if (strncmp(d->key, "patch.", 6) != 0)
            continue;
        fprintf(f, "    lv2:port [ lv2:symbol \"%s\" ; pset:value ", ports[i].symbol);
        put_number(f, at_lv2_param_port_value(app->params, ports[i].param));
        fprintf(f, " ] ;\n");
    }
    fprintf(f,
            "    state:state [\n        <%sstate#version> \"%d\"^^xsd:int ;\n"
            "        <%sstate#config> ",
            AT_LV2_URI_PREFIX, AT_LV2_STATE_VERSION, AT_LV2_URI_PREFIX);
    put_string(f, text);
    fprintf(f, "\n    ] .\n\n");
    free(text);
    at_lv2_app_free(app);
    return true;
}

static FILE *open_out(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        fprintf(stderr, "gen-ttl: %s: %s\n", path, strerror(errno));
    return f;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: gen-ttl DIR BINARY [PRESET.conf...]\n");
        return 2;
    }
    at_log_init("gen-ttl", AT_LOG_WARN);
    FILE *man = open_out(argv[1], "manifest.ttl");
    FILE *ttl = open_out(argv[1], "aiotone.ttl");
    FILE *pre = open_out(argv[1], "presets.ttl");
    bool ok = man && ttl && pre;
    if (ok) {
        fprintf(man, "# Generated by plugins/lv2/gen-ttl.c: do not edit.\n" PREFIXES);
        fprintf(
            ttl,
            "# Generated by plugins/lv2/gen-ttl.c from the tools' parameter tables.\n" PREFIXES);
        fprintf(pre,
                "# Generated by plugins/lv2/gen-ttl.c from clients/fmsynth/presets/.\n" PREFIXES);
    }
    if (ok)
        fprintf(ttl,
                "<%sstate#config>\n    a rdf:Property ;\n    rdfs:label \"aiotone state\" ;\n"
                "    rdfs:comment \"The plugin's settings in the format of the tool's config "
                "and session state file (libconfig).\" ;\n    rdfs:range xsd:string .\n\n"
                "<%sstate#version>\n    a rdf:Property ;\n    rdfs:label \"aiotone state "
                "version\" ;\n    rdfs:comment \"Layout version of the state; a plugin refuses "
                "a newer one.\" ;\n    rdfs:range xsd:int .\n\n",
                AT_LV2_URI_PREFIX, AT_LV2_URI_PREFIX);
    for (const AtLv2Plugin *const *p = at_lv2_plugins; ok && *p; p++) {
        fprintf(man,
                "<%s%s>\n    a lv2:Plugin ;\n    lv2:binary <%s> ;\n"
                "    rdfs:seeAlso <aiotone.ttl> .\n\n",
                AT_LV2_URI_PREFIX, (*p)->name, argv[2]);
        ok = write_plugin(ttl, *p);
    }
    for (int i = 3; ok && i < argc; i++)
        ok = write_preset(pre, man, at_lv2_plugins[0], argv[i]);
    if (man && fclose(man) != 0)
        ok = false;
    if (ttl && fclose(ttl) != 0)
        ok = false;
    if (pre && fclose(pre) != 0)
        ok = false;
    return ok ? 0 : 1;
}
