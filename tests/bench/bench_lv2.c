/* bench_lv2 - fmsynth voices per core as an LV2 plugin (loaded through
 * liblilv from build/lv2, as a host does) next to the same core run the way
 * the JACK tool's process callback runs it (fm_synth_process), on the same
 * workload as bench_fmsynth: a patch with sustain 0.7 on every operator,
 * algorithm 10, 64 voices held, 256-frame periods; and 16 voices held at
 * 64-frame periods against the 0.3%-of-a-core budget. CPU time is the
 * process's, so other load costs wall time, not the figure; each is
 * measured three times, alternating, and the best run counts. */
#include "bench/bench.h"
#include "clients/fmsynth/fmsynth.h"

#include <limits.h>
#include <lilv/lilv.h>
#include <lv2/atom/forge.h>
#include <lv2/midi/midi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lv2urid.h"

#define RATE 48000
#define PERIOD 256
#define VOICES 64

/* Hold `held` notes and render seconds of audio in periods of `period`
 * frames through the core; returns CPU seconds. */
static double bench_core(int held, uint32_t period, double seconds)
{
    FmPatch p;
    fm_patch_default(&p);
    for (int op = 0; op < FM_OPS; op++)
        p.op[op].sustain = 0.7;
    FmSynth *s = NULL;
    if (fm_synth_new(&s, RATE, VOICES, &p) != FM_OK)
        return -1;
    for (int v = 0; v < held; v++) {
        uint8_t on[3] = {0x90, (uint8_t)(36 + v % 60), 100};
        fm_synth_midi(s, on, 3);
    }
    static float l[PERIOD], r[PERIOD];
    fm_synth_process(s, NULL, 0, l, r, period);
    long cycles = (long)(seconds * RATE / period);
    double t0 = cpu_seconds();
    for (long c = 0; c < cycles; c++)
        fm_synth_process(s, NULL, 0, l, r, period);
    double cpu = cpu_seconds() - t0;
    fm_synth_free(s);
    return cpu;
}

static const char *STATE = "<urn:aiotone:bench>\n a pset:Preset ;\n lv2:appliesTo "
                           "<urn:aiotone:fmsynth> ;\n state:state [\n"
                           "  <urn:aiotone:state#config> \"\"\"audio = { polyphony = 64; };\n"
                           "patch = { algorithm = 10; op1 = { sustain = 0.7; }; "
                           "op2 = { sustain = 0.7; }; op3 = { sustain = 0.7; }; "
                           "op4 = { sustain = 0.7; }; };\"\"\"\n ] .\n";

/* The same through the plugin: `held` notes, periods of `period` frames. */
static double bench_plugin(int held, uint32_t period, double seconds, int *sounding)
{
    LilvWorld *world = lilv_world_new();
    lilv_world_load_all(world);
    LilvNode *uri = lilv_new_uri(world, "urn:aiotone:fmsynth");
    const LilvPlugin *plug = lilv_plugins_get_by_uri(lilv_world_get_all_plugins(world), uri);
    if (!plug) {
        fprintf(stderr, "bench_lv2: urn:aiotone:fmsynth not found (LV2_PATH=build/lv2?)\n");
        return -1;
    }
    LV2_URID_Map map = {NULL, tu_map_uri};
    LV2_Feature fmap = {LV2_URID__map, &map};
    const LV2_Feature *features[] = {&fmap, NULL};
    LilvInstance *inst = lilv_plugin_instantiate(plug, RATE, features);
    LilvState *state = lilv_state_new_from_string(world, &map, STATE);
    if (!inst || !state) {
        fprintf(stderr, "bench_lv2: cannot instantiate or read the state\n");
        return -1;
    }
    lilv_state_restore(state, inst, NULL, NULL, 0, features);
    lilv_state_free(state);
    uint32_t np = lilv_plugin_get_num_ports(plug);
    float *mins = calloc(np, sizeof *mins), *maxs = calloc(np, sizeof *maxs),
          *defs = calloc(np, sizeof *defs);
    lilv_plugin_get_port_ranges_float(plug, mins, maxs, defs);
    static float l[PERIOD], r[PERIOD];
    static uint64_t seq[4096];
    for (uint32_t i = 0; i < np; i++) {
        if (i == 0)
            lilv_instance_connect_port(inst, i, seq);
        else if (i == 1 || i == 2)
            lilv_instance_connect_port(inst, i, i == 1 ? l : r);
        else
            lilv_instance_connect_port(inst, i, &defs[i]);
    }
    LV2_Atom_Forge forge;
    lv2_atom_forge_init(&forge, &map);
    LV2_Atom_Forge_Frame frame;
    lv2_atom_forge_set_buffer(&forge, (uint8_t *)seq, sizeof seq);
    lv2_atom_forge_sequence_head(&forge, &frame, 0);
    for (int v = 0; v < held; v++) {
        uint8_t on[3] = {0x90, (uint8_t)(36 + v % 60), 100};
        lv2_atom_forge_frame_time(&forge, 0);
        lv2_atom_forge_atom(&forge, 3, tu_map_uri(NULL, LV2_MIDI__MidiEvent));
        lv2_atom_forge_write(&forge, on, 3);
    }
    lv2_atom_forge_pop(&forge, &frame);
    lilv_instance_activate(inst);
    lilv_instance_run(inst, period);
    lv2_atom_forge_set_buffer(&forge, (uint8_t *)seq, sizeof seq);
    lv2_atom_forge_sequence_head(&forge, &frame, 0);
    lv2_atom_forge_pop(&forge, &frame);
    long cycles = (long)(seconds * RATE / period);
    double t0 = cpu_seconds();
    for (long c = 0; c < cycles; c++)
        lilv_instance_run(inst, period);
    double cpu = cpu_seconds() - t0;
    *sounding = l[period - 1] != 0.0f || r[period - 1] != 0.0f;
    lilv_instance_deactivate(inst);
    lilv_instance_free(inst);
    free(mins);
    free(maxs);
    free(defs);
    lilv_node_free(uri);
    lilv_world_free(world);
    return cpu;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 10.0;
    if (!getenv("LV2_PATH")) {
        const char *build = getenv("BUILD");
        static char rel[4096], path[PATH_MAX];
        snprintf(rel, sizeof rel, "%s/lv2", build ? build : "build");
        if (realpath(rel, path))
            setenv("LV2_PATH", path, 1);
    }
    /* three rounds, alternating, the best of each: the machine's other
     * load and clock changes hit both alike */
    double plug = 1e9, core = 1e9, plug16 = 1e9, core16 = 1e9;
    for (int round = 0; round < 3; round++) {
        int sounding = 0, sounding16 = 0;
        double p = bench_plugin(VOICES, PERIOD, seconds / 3, &sounding);
        double c = bench_core(VOICES, PERIOD, seconds / 3);
        double p16 = bench_plugin(16, 64, seconds / 3, &sounding16);
        double c16 = bench_core(16, 64, seconds / 3);
        if (p <= 0 || c <= 0 || p16 <= 0 || c16 <= 0 || !sounding || !sounding16) {
            fprintf(stderr, "bench_lv2: the plugin did not run (or was silent)\n");
            return 1;
        }
        plug = p < plug ? p : plug;
        core = c < core ? c : core;
        plug16 = p16 < plug16 ? p16 : plug16;
        core16 = c16 < core16 ? c16 : core16;
    }
    seconds /= 3;
    double vc = VOICES * seconds / core, vp = VOICES * seconds / plug;
    printf("fmsynth core as the JACK tool runs it: voices in real time on one core: %.0f\n", vc);
    printf("fmsynth LV2 plugin (liblilv host):     voices in real time on one core: %.0f\n", vp);
    printf("fmsynth LV2 plugin / JACK tool's core: %.3f\n", vp / vc);
    double pct = 100.0 * plug16 / seconds, pct_core = 100.0 * core16 / seconds;
    printf("16 voices at a 64-frame period: LV2 plugin %.3f%% of one core, core %.3f%% "
           "(plugin = %.2fx the budget of 0.3%%, goal < 1.0x: %s)\n",
           pct, pct_core, pct / 0.3, pct < 0.3 ? "met" : "NOT MET");
    return 0;
}
