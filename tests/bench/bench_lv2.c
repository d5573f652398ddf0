/* bench_lv2 - fmsynth voices per core as an LV2 plugin (loaded through
 * liblilv from build/lv2, as a host does) next to the same core run the way
 * the JACK tool's process callback runs it (fm_synth_process), on the same
 * workload as bench_fmsynth: a patch with sustain 0.7 on every operator,
 * algorithm 10, 64 voices held, 256-frame periods. CPU time is the
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

static double bench_core(double seconds)
{
    FmPatch p;
    fm_patch_default(&p);
    for (int op = 0; op < FM_OPS; op++)
        p.op[op].sustain = 0.7;
    FmSynth *s = NULL;
    if (fm_synth_new(&s, RATE, VOICES, &p) != FM_OK)
        return -1;
    for (int v = 0; v < VOICES; v++) {
        uint8_t on[3] = {0x90, (uint8_t)(36 + v % 60), 100};
        fm_synth_midi(s, on, 3);
    }
    static float l[PERIOD], r[PERIOD];
    long cycles = (long)(seconds * RATE / PERIOD);
    double t0 = cpu_seconds();
    for (long c = 0; c < cycles; c++)
        fm_synth_process(s, NULL, 0, l, r, PERIOD);
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

static double bench_plugin(double seconds, int *sounding)
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
    for (int v = 0; v < VOICES; v++) {
        uint8_t on[3] = {0x90, (uint8_t)(36 + v % 60), 100};
        lv2_atom_forge_frame_time(&forge, 0);
        lv2_atom_forge_atom(&forge, 3, tu_map_uri(NULL, LV2_MIDI__MidiEvent));
        lv2_atom_forge_write(&forge, on, 3);
    }
    lv2_atom_forge_pop(&forge, &frame);
    lilv_instance_activate(inst);
    lilv_instance_run(inst, PERIOD);
    lv2_atom_forge_set_buffer(&forge, (uint8_t *)seq, sizeof seq);
    lv2_atom_forge_sequence_head(&forge, &frame, 0);
    lv2_atom_forge_pop(&forge, &frame);
    long cycles = (long)(seconds * RATE / PERIOD);
    double t0 = cpu_seconds();
    for (long c = 0; c < cycles; c++)
        lilv_instance_run(inst, PERIOD);
    double cpu = cpu_seconds() - t0;
    *sounding = l[PERIOD - 1] != 0.0f || r[PERIOD - 1] != 0.0f;
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
    double plug = 1e9, core = 1e9;
    for (int round = 0; round < 3; round++) {
        int sounding = 0;
        double p = bench_plugin(seconds / 3, &sounding);
        double c = bench_core(seconds / 3);
        if (p <= 0 || c <= 0 || !sounding) {
            fprintf(stderr, "bench_lv2: the plugin did not run (or was silent)\n");
            return 1;
        }
        plug = p < plug ? p : plug;
        core = c < core ? c : core;
    }
    seconds /= 3;
    double vc = VOICES * seconds / core, vp = VOICES * seconds / plug;
    printf("fmsynth core as the JACK tool runs it: voices in real time on one core: %.0f\n", vc);
    printf("fmsynth LV2 plugin (liblilv host):     voices in real time on one core: %.0f\n", vp);
    printf("fmsynth LV2 plugin / JACK tool's core: %.3f\n", vp / vc);
    return 0;
}
