/* plan.c - the sampling plan, sample names and their sanitising. */
#include "plan.h"

#include "midi.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_separator(char c)
{
    return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == ';';
}

AtStatus sn_parse_notes(const char *text, int *pcs, size_t cap, size_t *n, char *err, size_t errlen)
{
    *n = 0;
    const char *p = text ? text : "";
    while (*p) {
        while (*p && is_separator(*p))
            p++;
        if (!*p)
            break;
        char word[16];
        size_t len = 0;
        while (p[len] && !is_separator(p[len]))
            len++;
        if (len >= sizeof word) {
            snprintf(err, errlen, "bad note name '%.*s': expected C, C#, Db, ... B", (int)len, p);
            return AT_ERR_USAGE;
        }
        memcpy(word, p, len);
        word[len] = '\0';
        p += len;
        int pc = at_midi_pitch_class_from_name(word);
        if (pc < 0) {
            snprintf(err, errlen, "bad note name '%s': expected C, C#, Db, ... B", word);
            return AT_ERR_USAGE;
        }
        for (size_t i = 0; i < *n; i++) {
            if (pcs[i] == pc) {
                snprintf(err, errlen, "note '%s' is listed twice", word);
                return AT_ERR_USAGE;
            }
        }
        if (*n >= cap) {
            snprintf(err, errlen, "too many notes (at most %zu)", cap);
            return AT_ERR_USAGE;
        }
        pcs[(*n)++] = pc;
    }
    if (*n == 0) {
        snprintf(err, errlen, "no notes to sample: list pitch classes such as \"C, D#, F\"");
        return AT_ERR_USAGE;
    }
    return AT_OK;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Copy and sort a list ascending; refuse empty lists and repeats. */
static AtStatus sorted_unique(const int *in, size_t n, int *out, const char *what, char *err,
                              size_t errlen)
{
    if (n == 0) {
        snprintf(err, errlen, "no %s to sample", what);
        return AT_ERR_USAGE;
    }
    if (n > SN_LIST_MAX) {
        snprintf(err, errlen, "too many %s (at most %d)", what, SN_LIST_MAX);
        return AT_ERR_USAGE;
    }
    memcpy(out, in, n * sizeof *in);
    qsort(out, n, sizeof *out, cmp_int);
    for (size_t i = 1; i < n; i++) {
        if (out[i] == out[i - 1]) {
            snprintf(err, errlen, "%s: %d is listed twice", what, out[i]);
            return AT_ERR_USAGE;
        }
    }
    return AT_OK;
}

bool sn_prefix_ok(const char *prefix, char *err, size_t errlen)
{
    size_t n = prefix ? strlen(prefix) : 0;
    if (n <= SN_PREFIX_MAX)
        return true;
    snprintf(err, errlen,
             "the prefix is %zu bytes long: at most %d, so that every sample keeps its note, "
             "velocity and round robin in its file name",
             n, SN_PREFIX_MAX);
    return false;
}

static AtStatus check_spec(const SnPlanSpec *spec, int *oct, int *vel, char *err, size_t errlen)
{
    if (!sn_prefix_ok(spec->prefix, err, errlen))
        return AT_ERR_USAGE;
    if (sorted_unique(spec->octaves, spec->n_octaves, oct, "octaves", err, errlen) != AT_OK)
        return AT_ERR_USAGE;
    if (sorted_unique(spec->velocities, spec->n_velocities, vel, "velocities", err, errlen) !=
        AT_OK)
        return AT_ERR_USAGE;
    for (size_t i = 0; i < spec->n_velocities; i++) {
        if (vel[i] < 1 || vel[i] > 127) {
            snprintf(err, errlen, "velocity %d is out of range: must be 1..127", vel[i]);
            return AT_ERR_USAGE;
        }
    }
    if (spec->round_robins < 1 || spec->round_robins > SN_RR_MAX) {
        snprintf(err, errlen, "round-robins %d is out of range: must be 1..%d", spec->round_robins,
                 SN_RR_MAX);
        return AT_ERR_USAGE;
    }
    return AT_OK;
}

/* The MIDI note of pitch class pc in octave oct, as the common note-name
 * parser reads "<pc><oct>" (so "Cb4" means what at_midi_note_from_name says). */
static int note_of(int pc, int oct)
{
    char name[16];
    snprintf(name, sizeof name, "%s%d", at_midi_pitch_class_name(pc), oct);
    return at_midi_note_from_name(name);
}

AtStatus sn_plan_build(const SnPlanSpec *spec, SnPlan *plan, char *err, size_t errlen)
{
    int pcs[SN_LIST_MAX], oct[SN_LIST_MAX], vel[SN_LIST_MAX];
    size_t n_pcs;
    plan->takes = NULL;
    plan->count = 0;
    if (sn_parse_notes(spec->notes, pcs, SN_LIST_MAX, &n_pcs, err, errlen) != AT_OK)
        return AT_ERR_USAGE;
    if (check_spec(spec, oct, vel, err, errlen) != AT_OK)
        return AT_ERR_USAGE;
    size_t total = n_pcs * spec->n_octaves * spec->n_velocities * (size_t)spec->round_robins;
    plan->takes = calloc(total, sizeof *plan->takes);
    if (!plan->takes) {
        snprintf(err, errlen, "out of memory for %zu samples", total);
        return AT_ERR_RUNTIME;
    }
    for (size_t p = 0; p < n_pcs; p++) {
        for (size_t o = 0; o < spec->n_octaves; o++) {
            int note = note_of(pcs[p], oct[o]);
            if (note < 0) {
                snprintf(err, errlen, "note %s%d is outside MIDI notes 0..127",
                         at_midi_pitch_class_name(pcs[p]), oct[o]);
                sn_plan_free(plan);
                return AT_ERR_USAGE;
            }
            for (size_t v = 0; v < spec->n_velocities; v++) {
                for (int rr = 1; rr <= spec->round_robins; rr++) {
                    SnTake *t = &plan->takes[plan->count++];
                    t->note = note;
                    t->velocity = vel[v];
                    t->rr = rr;
                    t->rr_count = spec->round_robins;
                    sn_take_name(spec->prefix, note, vel[v], rr, spec->round_robins, t->name,
                                 sizeof t->name);
                }
            }
        }
    }
    return AT_OK;
}

void sn_plan_free(SnPlan *plan)
{
    free(plan->takes);
    plan->takes = NULL;
    plan->count = 0;
}

size_t sn_plan_pending(const SnPlan *plan)
{
    size_t n = 0;
    for (size_t i = 0; i < plan->count; i++)
        n += !plan->takes[i].skip;
    return n;
}

void sn_take_name(const char *prefix, int note, int velocity, int rr, int rr_count, char *out,
                  size_t outlen)
{
    char note_name[8], raw[SN_NAME_MAX * 2];
    at_midi_note_name(note, note_name, sizeof note_name);
    int len;
    if (prefix && *prefix)
        len = snprintf(raw, sizeof raw, "%s-%s-v%d", prefix, note_name, velocity);
    else
        len = snprintf(raw, sizeof raw, "%s-v%d", note_name, velocity);
    if (rr_count > 1 && len > 0 && (size_t)len < sizeof raw)
        snprintf(raw + len, sizeof raw - (size_t)len, "-rr%d", rr);
    sn_sanitize_name(raw, out, outlen);
}

/* Bytes kept as they are; everything else becomes '_'. '#' stays: note
 * names need it and it is harmless in a file name. */
static bool keep_byte(unsigned char c)
{
    return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '#' || c == '+' || c >= 0x80;
}

void sn_sanitize_name(const char *in, char *out, size_t outlen)
{
    if (outlen == 0)
        return;
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p && o + 1 < outlen; p++) {
        char c = keep_byte(*p) ? (char)*p : '_';
        /* A '.' after a '.' would make "..": turn the second one into '_'. */
        if (c == '.' && o > 0 && out[o - 1] == '.')
            c = '_';
        /* Leading dots hide files, leading dashes look like options. */
        if (o == 0 && (c == '.' || c == '-'))
            c = '_';
        out[o++] = c;
    }
    out[o] = '\0';
    if (o == 0)
        snprintf(out, outlen, "sample");
}

bool sn_parse_threshold(const char *s, double *level, bool *is_auto)
{
    *is_auto = false;
    if (!s)
        return false;
    while (isspace((unsigned char)*s))
        s++;
    if (strcasecmp(s, "auto") == 0) {
        *is_auto = true;
        *level = 0.0;
        return true;
    }
    char *end;
    double v = strtod(s, &end);
    if (end == s || !isfinite(v))
        return false;
    while (isspace((unsigned char)*end))
        end++;
    if (strcasecmp(end, "db") == 0 || strcasecmp(end, "dbfs") == 0) {
        if (v >= 0.0 || v < -300.0)
            return false;
        *level = pow(10.0, v / 20.0);
        return true;
    }
    if (*end != '\0' || v <= 0.0 || v >= 1.0)
        return false;
    *level = v;
    return true;
}
