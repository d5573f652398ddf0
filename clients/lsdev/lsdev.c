/* lsdev.c - writers for aiotone-lsdev's model. */
#include "lsdev.h"

#include <stdlib.h>
#include <string.h>

void ls_model_free(LsModel *m)
{
    for (int i = 0; i < m->n_jports; i++) {
        LsJackPort *p = &m->jports[i];
        free(p->name);
        free(p->pretty);
        for (int k = 0; k < p->n_aliases; k++)
            free(p->aliases[k]);
        for (int k = 0; k < p->n_conns; k++)
            free(p->conns[k]);
        free(p->conns);
    }
    free(m->jports);
    for (int i = 0; i < m->n_sports; i++) {
        if (m->bridged_capture)
            free(m->bridged_capture[i]);
        if (m->bridged_playback)
            free(m->bridged_playback[i]);
    }
    free(m->bridged_capture);
    free(m->bridged_playback);
    free(m->sports);
    memset(m, 0, sizeof *m);
}

void ls_model_match_bridges(LsModel *m)
{
    if (!m->n_sports)
        return;
    m->bridged_capture = calloc((size_t)m->n_sports, sizeof(char *));
    m->bridged_playback = calloc((size_t)m->n_sports, sizeof(char *));
    if (!m->bridged_capture || !m->bridged_playback)
        return;
    for (int s = 0; s < m->n_sports; s++) {
        for (int j = 0; j < m->n_jports; j++) {
            const LsJackPort *p = &m->jports[j];
            if (!p->midi)
                continue;
            const char *const *al = (const char *const *)p->aliases;
            /* A JACK output carries what the device sends (capture). */
            bool capture = !p->input;
            if (!at_seq_bridge_match_port(&m->sports[s], capture, p->name, al, p->n_aliases))
                continue;
            char **slot = capture ? &m->bridged_capture[s] : &m->bridged_playback[s];
            if (!*slot)
                *slot = strdup(p->name);
        }
    }
}

/* Length of the client part of a full port name. */
static size_t client_len(const char *full)
{
    const char *c = strchr(full, ':');
    return c ? (size_t)(c - full) : strlen(full);
}

static void text_jack(const LsModel *m, FILE *out, bool midi)
{
    fprintf(out, "JACK %s ports (server '%s'):\n", midi ? "MIDI" : "audio", m->jack_server);
    int shown = 0;
    const char *last = NULL;
    size_t last_len = 0;
    for (int i = 0; i < m->n_jports; i++) {
        const LsJackPort *p = &m->jports[i];
        if (p->midi != midi)
            continue;
        size_t cl = client_len(p->name);
        if (!last || cl != last_len || strncmp(last, p->name, cl) != 0) {
            fprintf(out, "  %.*s\n", (int)cl, p->name);
            last = p->name;
            last_len = cl;
        }
        fprintf(out, "    %-6s %s", p->input ? "in" : "out", p->name + cl + 1);
        if (p->pretty)
            fprintf(out, "  \"%s\"", p->pretty);
        if (p->physical)
            fprintf(out, "  [hardware]");
        fprintf(out, "\n");
        for (int k = 0; k < p->n_aliases; k++)
            fprintf(out, "           alias: %s\n", p->aliases[k]);
        for (int k = 0; k < p->n_conns; k++)
            fprintf(out, "           %s %s\n", p->input ? "<-" : "->", p->conns[k]);
        shown++;
    }
    if (!shown)
        fprintf(out, "  (none)\n");
}

static void text_seq(const LsModel *m, FILE *out)
{
    fprintf(out, "ALSA sequencer ports:\n");
    if (!m->seq_ok) {
        fprintf(out, "  unavailable: %s\n", m->seq_why);
        return;
    }
    int shown = 0;
    for (int i = 0; i < m->n_sports; i++) {
        const AtSeqPort *s = &m->sports[i];
        if (s->system)
            continue;
        char spec[200];
        at_seq_format_spec(s, spec, sizeof spec);
        const char *dir = s->readable && s->writable ? "in+out" : s->readable ? "out" : "in";
        fprintf(out, "  %3d:%-2d %-6s %-8s %s\n", s->client, s->port, dir,
                s->hardware ? "hardware" : "software", spec);
        if (m->bridged_capture && m->bridged_capture[i])
            fprintf(out, "           from device in JACK: %s\n", m->bridged_capture[i]);
        if (m->bridged_playback && m->bridged_playback[i])
            fprintf(out, "           to device in JACK:   %s\n", m->bridged_playback[i]);
        shown++;
    }
    if (!shown)
        fprintf(out, "  (none)\n");
}

void ls_write_text(const LsModel *m, FILE *out)
{
    if (m->jack_ok) {
        text_jack(m, out, false);
        fprintf(out, "\n");
        text_jack(m, out, true);
    } else {
        fprintf(out, "JACK: %s\n", m->jack_why);
    }
    fprintf(out, "\n");
    text_seq(m, out);
}

static void json_str(FILE *out, const char *s)
{
    if (!s) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

void ls_write_json(const LsModel *m, FILE *out)
{
    fprintf(out, "{\n  \"jack\": {\"available\": %s, ", m->jack_ok ? "true" : "false");
    fputs("\"server\": ", out);
    json_str(out, m->jack_server);
    fputs(", \"reason\": ", out);
    json_str(out, m->jack_ok ? NULL : m->jack_why);
    fputs(", \"ports\": [", out);
    for (int i = 0; i < m->n_jports; i++) {
        const LsJackPort *p = &m->jports[i];
        fprintf(out, "%s\n    {\"name\": ", i ? "," : "");
        json_str(out, p->name);
        fprintf(out, ", \"type\": \"%s\", \"direction\": \"%s\", \"physical\": %s, \"pretty\": ",
                p->midi ? "midi" : "audio", p->input ? "input" : "output",
                p->physical ? "true" : "false");
        json_str(out, p->pretty);
        fputs(", \"aliases\": [", out);
        for (int k = 0; k < p->n_aliases; k++) {
            fputs(k ? ", " : "", out);
            json_str(out, p->aliases[k]);
        }
        fputs("], \"connections\": [", out);
        for (int k = 0; k < p->n_conns; k++) {
            fputs(k ? ", " : "", out);
            json_str(out, p->conns[k]);
        }
        fputs("]}", out);
    }
    fprintf(out, "%s]},\n  \"alsa\": {\"available\": %s, \"reason\": ", m->n_jports ? "\n  " : "",
            m->seq_ok ? "true" : "false");
    json_str(out, m->seq_ok ? NULL : m->seq_why);
    fputs(", \"ports\": [", out);
    for (int i = 0; i < m->n_sports; i++) {
        const AtSeqPort *s = &m->sports[i];
        char spec[200];
        at_seq_format_spec(s, spec, sizeof spec);
        fprintf(out, "%s\n    {\"client\": %d, \"port\": %d, \"client_name\": ", i ? "," : "",
                s->client, s->port);
        json_str(out, s->client_name);
        fputs(", \"port_name\": ", out);
        json_str(out, s->port_name);
        fprintf(out, ", \"readable\": %s, \"writable\": %s, \"hardware\": %s, \"system\": %s",
                s->readable ? "true" : "false", s->writable ? "true" : "false",
                s->hardware ? "true" : "false", s->system ? "true" : "false");
        fputs(", \"spec\": ", out);
        json_str(out, spec);
        fputs(", \"jack_capture\": ", out);
        json_str(out, m->bridged_capture ? m->bridged_capture[i] : NULL);
        fputs(", \"jack_playback\": ", out);
        json_str(out, m->bridged_playback ? m->bridged_playback[i] : NULL);
        fputs("}", out);
    }
    fprintf(out, "%s]}\n}\n", m->n_sports ? "\n  " : "");
}

static void dot_id(FILE *out, const char *s, size_t len)
{
    fputc('"', out);
    for (size_t i = 0; i < len && s[i]; i++) {
        if (s[i] == '"' || s[i] == '\\')
            fputc('\\', out);
        fputc(s[i], out);
    }
    fputc('"', out);
}

void ls_write_dot(const LsModel *m, FILE *out)
{
    fprintf(out, "digraph jack {\n  rankdir=LR;\n  node [shape=box, fontname=\"sans\"];\n");
    /* one node per client, edges per connection (drawn from outputs) */
    for (int i = 0; i < m->n_jports; i++) {
        const LsJackPort *p = &m->jports[i];
        size_t cl = client_len(p->name);
        bool seen = false;
        for (int j = 0; j < i && !seen; j++)
            seen =
                client_len(m->jports[j].name) == cl && strncmp(m->jports[j].name, p->name, cl) == 0;
        if (!seen) {
            fputs("  ", out);
            dot_id(out, p->name, cl);
            fputs(";\n", out);
        }
    }
    for (int i = 0; i < m->n_jports; i++) {
        const LsJackPort *p = &m->jports[i];
        if (p->input)
            continue;
        for (int k = 0; k < p->n_conns; k++) {
            const char *q = p->conns[k];
            fputs("  ", out);
            dot_id(out, p->name, client_len(p->name));
            fputs(" -> ", out);
            dot_id(out, q, client_len(q));
            fprintf(out, " [label=\"%s -> %s\", color=%s];\n", p->name + client_len(p->name) + 1,
                    q + client_len(q) + (q[client_len(q)] ? 1 : 0), p->midi ? "red" : "blue");
        }
    }
    fprintf(out, "}\n");
}
