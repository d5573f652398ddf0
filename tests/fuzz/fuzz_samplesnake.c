/* Fuzz samplesnake's parsers and core: the notes list, thresholds, name
 * sanitising, plan building, the state machine on arbitrary audio, and the
 * SFZ / DecentSampler writers. Invariants are checked with abort(). */
#include "fuzz/fuzz_text.h"
#include "clients/samplesnake/instrument.h"
#include "clients/samplesnake/machine.h"
#include "clients/samplesnake/plan.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_name(const char *s)
{
    if (!s[0] || strchr(s, '/') || strchr(s, '\\') || strstr(s, "..") || s[0] == '.' || s[0] == '-')
        abort();
}

static void fuzz_text(const char *text)
{
    int pcs[SN_LIST_MAX];
    size_t n;
    char err[256];
    if (sn_parse_notes(text, pcs, SN_LIST_MAX, &n, err, sizeof err) == AT_OK) {
        if (n == 0 || n > 12)
            abort();
        for (size_t i = 0; i < n; i++)
            if (pcs[i] < 0 || pcs[i] > 11)
                abort();
    }
    double v;
    bool is_auto;
    if (sn_parse_threshold(text, &v, &is_auto) && !is_auto && !(v > 0.0 && v < 1.0))
        abort();
    char out[SN_NAME_MAX];
    sn_sanitize_name(text, out, sizeof out);
    check_name(out);
    sn_take_name(text, 60, 100, 2, 3, out, sizeof out);
    check_name(out);
}

/* A plan from the bytes, then its instrument files. */
static void fuzz_plan(const uint8_t *d, size_t len, const char *notes)
{
    if (len < 4)
        return;
    int oct[8], vel[8];
    size_t no = d[0] % 8, nv = d[1] % 8;
    for (size_t i = 0; i < no; i++)
        oct[i] = (int)(d[(2 + i) % len] % 13) - 2;
    for (size_t i = 0; i < nv; i++)
        vel[i] = d[(10 + i) % len] % 130;
    SnPlanSpec spec = {notes, notes, oct, no, vel, nv, d[2] % 5};
    SnPlan plan;
    char err[256];
    if (sn_plan_build(&spec, &plan, err, sizeof err) != AT_OK)
        return;
    bool *present = calloc(plan.count, sizeof *present);
    for (size_t i = 0; i < plan.count; i++) {
        const SnTake *t = &plan.takes[i];
        if (t->note < 0 || t->note > 127 || t->velocity < 1 || t->velocity > 127)
            abort();
        check_name(t->name);
        present[i] = (d[i % len] & 3) != 0;
    }
    SnZone *z = calloc(plan.count, sizeof *z);
    sn_zones(plan.takes, present, plan.count, z);
    for (size_t i = 0; i < plan.count; i++) {
        if (!present[i])
            continue;
        if (z[i].lokey > z[i].keycenter || z[i].keycenter > z[i].hikey || z[i].lovel < 1 ||
            z[i].lovel > z[i].hivel || z[i].hivel > 127 || z[i].seq_position < 1 ||
            z[i].seq_position > z[i].seq_length)
            abort();
    }
    FILE *f = fopen("/dev/null", "w");
    sn_write_sfz(f, plan.takes, present, plan.count);
    sn_write_dspreset(f, plan.takes, present, plan.count);
    fclose(f);
    free(z);
    free(present);
    sn_plan_free(&plan);
}

/* The machine on audio made of the bytes, in cycles of varying size. */
static void fuzz_machine(const uint8_t *d, size_t len)
{
    if (len < 8)
        return;
    SnMachineConfig c = {
        .channel = d[0] & 15,
        .auto_threshold = d[1] & 1,
        .threshold = 0.01f,
        .silence_frames = d[2] % 16,
        .cooldown_frames = d[3] % 8,
        .hold_frames = d[4] % 32,
        .max_frames = 1 + d[5] % 64,
        .noise_frames = d[6] % 8,
        .wait_frames = d[7] % 32,
    };
    SnNote notes[3] = {{60, 100, 0}, {62, 1, 1}, {127, 127, 2}};
    SnMachine m;
    sn_machine_init(&m, &c, notes, 3);
    AtMidiEvent storage[64];
    AtMidiBuf midi;
    at_midi_buf_init(&midi, storage, 64);
    float l[64], r[64];
    int sounding = 0;
    for (size_t pos = 8; pos < len;) {
        uint32_t n = 1 + d[pos++] % 64;
        for (uint32_t i = 0; i < n; i++) {
            uint8_t b = pos < len ? d[pos++] : 0;
            l[i] = (float)(b & 0x7f) / 127.0f * ((b & 0x80) ? -1.0f : 1.0f);
            r[i] = l[i] * 0.5f;
        }
        at_midi_buf_clear(&midi);
        SnEvents ev = {.count = 0, .dropped = 0};
        if (n == 13)
            sn_machine_gap(&m, &midi, &ev);
        SnEvents run;
        sn_machine_process(&m, l, r, n, &midi, &run);
        if (run.dropped)
            abort();
        for (size_t i = 0; i < run.count; i++)
            if (run.ev[i].from > n || run.ev[i].to > n)
                abort();
        bool stuck = false;
        for (size_t i = 0; i < run.count; i++)
            stuck |= run.ev[i].kind == SN_EV_STUCK;
        at_midi_buf_sort(&midi);
        for (size_t i = 0; i < midi.count; i++) {
            if (at_midi_type(midi.events[i].data) == AT_MIDI_CC)
                continue;
            if (stuck && sounding == 0 &&
                at_midi_is_note_off(midi.events[i].data, midi.events[i].size))
                continue; /* the repeated note-off of a stuck note */
            if (midi.events[i].frame >= n)
                abort();
            sounding += at_midi_is_note_on(midi.events[i].data, midi.events[i].size) ? 1 : -1;
            if (sounding < 0 || sounding > 1)
                abort(); /* one note at a time, every note-off after its note-on */
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_text(data, size);
    if (!text)
        return 0;
    fuzz_text(text);
    fuzz_plan(data, size, text);
    fuzz_machine(data, size);
    free(text);
    return 0;
}
