/* at-lv2host - a small offline LV2 host (liblilv) for the plugin tests:
 * loads a plugin from LV2_PATH, feeds it MIDI from a Standard MIDI File
 * (-m, events at round(seconds * rate) as aiotone-fmsynth --render places
 * them) or from CYCLE:OFFSET:HEX lines (-E, at-probe's format, one cycle =
 * one block), plus host transport positions (-t), runs it in blocks and
 * prints each MIDI output event as "SYMBOL CYCLE OFFSET HEX" and writes the
 * stereo audio output to a float WAV (-w). State can be restored from a
 * file (-l) or a preset (-p) before the run and saved after it (-s). The
 * plugin's log lines go to stderr as "log: ...". */
#include "clients/fmsynth/fmrender.h"
#include "lv2urid.h"

#include <lilv/lilv.h>
#include <lv2/atom/forge.h>
#include <lv2/atom/util.h>
#include <lv2/log/log.h>
#include <lv2/midi/midi.h>
#include <lv2/time/time.h>
#include <lv2/worker/worker.h>
#include <math.h>
#include <sndfile.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EVENTS 100000
#define MAX_PORTS 128
#define ATOM_BYTES 65536
#define MAX_BLOCK 8192
/* The subject of the state files this host writes and reads. */
#define STATE_URI "urn:aiotone:test-state"

typedef struct {
    uint64_t frame;
    int kind; /* 0 MIDI, 1 position */
    uint8_t size, data[3];
    double speed, bpm, beat;
} Ev;

static Ev evs[MAX_EVENTS];
static size_t n_evs;
static float controls[MAX_PORTS];
static const LilvPlugin *plugin;
static LilvWorld *world;
static uint8_t work_queue[65536];
static uint32_t work_len;

static int log_vprintf(LV2_Log_Handle h, LV2_URID type, const char *fmt, va_list ap)
{
    fprintf(stderr, "log: ");
    return vfprintf(stderr, fmt, ap);
}

static int log_printf(LV2_Log_Handle h, LV2_URID type, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = log_vprintf(h, type, fmt, ap);
    va_end(ap);
    return n;
}

/* Work is queued and done after run() returns (this host has one thread). */
static LV2_Worker_Status schedule(LV2_Worker_Schedule_Handle h, uint32_t size, const void *data)
{
    if (work_len + sizeof size + size > sizeof work_queue)
        return LV2_WORKER_ERR_NO_SPACE;
    memcpy(work_queue + work_len, &size, sizeof size);
    memcpy(work_queue + work_len + sizeof size, data, size);
    work_len += (uint32_t)sizeof size + size;
    return LV2_WORKER_SUCCESS;
}

static LV2_Worker_Status respond(LV2_Worker_Respond_Handle h, uint32_t size, const void *data)
{
    return LV2_WORKER_SUCCESS;
}

static int port_index(const char *symbol)
{
    LilvNode *s = lilv_new_string(world, symbol);
    const LilvPort *p = lilv_plugin_get_port_by_symbol(plugin, s);
    lilv_node_free(s);
    return p ? (int)lilv_port_get_index(plugin, p) : -1;
}

static void set_value(const char *symbol, void *user, const void *value, uint32_t size,
                      uint32_t type)
{
    int i = port_index(symbol);
    if (i >= 0 && size == sizeof(float))
        controls[i] = *(const float *)value;
}

static const void *get_value(const char *symbol, void *user, uint32_t *size, uint32_t *type)
{
    int i = port_index(symbol);
    *size = sizeof(float);
    *type = tu_map_uri(NULL, LV2_ATOM__Float);
    return i >= 0 ? &controls[i] : NULL;
}

static void add_midi(uint64_t frame, const uint8_t *d, int n)
{
    if (n_evs < MAX_EVENTS)
        evs[n_evs++] = (Ev){.frame = frame, .size = (uint8_t)n, .data = {d[0], d[1], d[2]}};
}

static int load_events(const char *path, uint32_t block)
{
    FILE *f = fopen(path, "r");
    char line[256];
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        unsigned c, o, b[3];
        int k = 0, n = 0;
        if (line[0] == '#' || sscanf(line, "%u:%u:%n", &c, &o, &k) < 2)
            continue;
        for (char *s = line + k; n < 3 && sscanf(s, "%x%n", &b[n], &k) == 1; s += k)
            n++;
        uint8_t d[3] = {(uint8_t)b[0], n > 1 ? (uint8_t)b[1] : 0, n > 2 ? (uint8_t)b[2] : 0};
        add_midi((uint64_t)c * block + o, d, n);
    }
    fclose(f);
    return 0;
}

static int cmp_ev(const void *a, const void *b)
{
    const Ev *x = a, *y = b;
    return x->frame < y->frame ? -1 : x->frame > y->frame ? 1 : (x < y ? -1 : 1);
}

int main(int argc, char **argv)
{
    const char *uri = NULL, *mid = NULL, *evfile = NULL, *wav = NULL, *load = NULL, *save = NULL,
               *preset = NULL, *sets[64];
    uint32_t block = 256, rate = 48000, n_sets = 0;
    uint64_t frames = 48000;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *a = argv[i], *v = argv[i + 1];
        /* the options that name a string */
        const struct {
            const char *opt, **to;
        } strs[] = {{"-u", &uri},  {"-m", &mid},  {"-E", &evfile}, {"-w", &wav},
                    {"-l", &load}, {"-s", &save}, {"-p", &preset}};
        size_t k = 0;
        while (k < sizeof strs / sizeof strs[0] && strcmp(a, strs[k].opt))
            k++;
        if (k < sizeof strs / sizeof strs[0])
            *strs[k].to = v;
        else if (!strcmp(a, "-b"))
            block = (uint32_t)atoi(v);
        else if (!strcmp(a, "-r"))
            rate = (uint32_t)atoi(v);
        else if (!strcmp(a, "-f"))
            frames = strtoull(v, NULL, 10);
        else if (!strcmp(a, "-c") && n_sets < 64)
            sets[n_sets++] = v;
        else if (!strcmp(a, "-t") && n_evs < MAX_EVENTS) { /* FRAME:SPEED:BPM:BEAT */
            Ev *e = &evs[n_evs++];
            *e = (Ev){.kind = 1};
            if (sscanf(v, "%lu:%lf:%lf:%lf", &e->frame, &e->speed, &e->bpm, &e->beat) != 4)
                return fprintf(stderr, "at-lv2host: bad -t '%s'\n", v), 2;
        } else
            return fprintf(stderr, "at-lv2host: unknown option '%s'\n", a), 2;
    }
    if (!uri || block == 0 || block > MAX_BLOCK) {
        fprintf(stderr, "usage: at-lv2host -u URI [-b BLOCK] [-r RATE] [-f FRAMES] [-m IN.mid]\n"
                        "  [-E EVENTS] [-t FRAME:SPEED:BPM:BEAT] [-c SYMBOL=VALUE] [-p PRESET]\n"
                        "  [-l STATE.ttl] [-s STATE.ttl] [-w OUT.wav]\n");
        return 2;
    }
    if (mid) {
        FmSong song;
        char err[512];
        if (fm_song_load_file(&song, mid, err, sizeof err) != FM_OK)
            return fprintf(stderr, "at-lv2host: %s\n", err), 1;
        for (size_t k = 0; k < song.count; k++)
            add_midi((uint64_t)llround(song.events[k].seconds * rate), song.events[k].data,
                     song.events[k].size);
        /* where --render lifts every key (the first FM_BLOCK frame after the last event) */
        uint64_t last = song.count ? (uint64_t)llround(song.length * rate) : 0;
        fprintf(stderr, "# song end %lu\n", (unsigned long)((last / FM_BLOCK + 1) * FM_BLOCK));
        fm_song_free(&song);
    }
    if (evfile && load_events(evfile, block) != 0)
        return fprintf(stderr, "at-lv2host: cannot read %s\n", evfile), 1;
    qsort(evs, n_evs, sizeof *evs, cmp_ev);

    world = lilv_world_new();
    lilv_world_load_all(world);
    LilvNode *un = lilv_new_uri(world, uri);
    plugin = lilv_plugins_get_by_uri(lilv_world_get_all_plugins(world), un);
    if (!plugin)
        return fprintf(stderr, "at-lv2host: no plugin %s in LV2_PATH\n", uri), 1;
    LV2_URID_Map map = {NULL, tu_map_uri};
    LV2_URID_Unmap unmap = {NULL, tu_unmap_uri};
    LV2_Log_Log logger = {NULL, log_printf, log_vprintf};
    LV2_Worker_Schedule sched = {NULL, schedule};
    LV2_Feature fmap = {LV2_URID__map, &map}, funmap = {LV2_URID__unmap, &unmap},
                flog = {LV2_LOG__log, &logger}, fwork = {LV2_WORKER__schedule, &sched};
    const LV2_Feature *features[] = {&fmap, &funmap, &flog, &fwork, NULL};
    LilvInstance *inst = lilv_plugin_instantiate(plugin, rate, features);
    if (!inst)
        return fprintf(stderr, "at-lv2host: cannot instantiate %s\n", uri), 1;
    const LV2_Worker_Interface *worker =
        lilv_instance_get_extension_data(inst, LV2_WORKER__interface);

    uint32_t np = lilv_plugin_get_num_ports(plugin);
    float mins[MAX_PORTS], maxs[MAX_PORTS], defs[MAX_PORTS];
    lilv_plugin_get_port_ranges_float(plugin, mins, maxs, defs);
    LilvNode *c_audio = lilv_new_uri(world, LV2_CORE__AudioPort),
             *c_atom = lilv_new_uri(world, LV2_ATOM__AtomPort),
             *c_in = lilv_new_uri(world, LV2_CORE__InputPort);
    static float audio[2][MAX_BLOCK];
    static uint64_t atoms[MAX_PORTS][ATOM_BYTES / 8];
    int kind[MAX_PORTS], n_audio = 0, atom_in = -1;
    for (uint32_t i = 0; i < np && i < MAX_PORTS; i++) {
        const LilvPort *p = lilv_plugin_get_port_by_index(plugin, i);
        bool in = lilv_port_is_a(plugin, p, c_in);
        if (lilv_port_is_a(plugin, p, c_audio)) {
            kind[i] = 1;
            lilv_instance_connect_port(inst, i, audio[n_audio++ & 1]);
        } else if (lilv_port_is_a(plugin, p, c_atom)) {
            kind[i] = in ? 2 : 3;
            atom_in = in ? (int)i : atom_in;
            lilv_instance_connect_port(inst, i, atoms[i]);
        } else {
            kind[i] = 0;
            controls[i] = isnan(defs[i]) ? 0.0f : defs[i];
            lilv_instance_connect_port(inst, i, &controls[i]);
        }
    }
    LilvState *state = NULL;
    if (preset) {
        LilvNode *pn = lilv_new_uri(world, preset);
        lilv_world_load_resource(world, pn);
        state = lilv_state_new_from_world(world, &map, pn);
        lilv_node_free(pn);
    } else if (load) {
        static char text[1 << 20];
        FILE *f = fopen(load, "r");
        size_t len = f ? fread(text, 1, sizeof text - 1, f) : 0;
        text[len] = 0;
        if (f)
            fclose(f);
        state = lilv_state_new_from_string(world, &map, text);
    }
    if ((preset || load) && !state)
        return fprintf(stderr, "at-lv2host: cannot read the state %s\n", preset ? preset : load), 1;
    if (state) {
        lilv_state_restore(state, inst, set_value, NULL, 0, features);
        lilv_state_free(state);
    }
    for (uint32_t k = 0; k < n_sets; k++) {
        char sym[128];
        float v;
        if (sscanf(sets[k], "%127[^=]=%f", sym, &v) != 2 || port_index(sym) < 0)
            return fprintf(stderr, "at-lv2host: bad -c '%s'\n", sets[k]), 2;
        controls[port_index(sym)] = v;
    }

    SNDFILE *sf = NULL;
    if (wav) {
        SF_INFO info = {
            .samplerate = (int)rate, .channels = 2, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
        if (!(sf = sf_open(wav, SFM_WRITE, &info)))
            return fprintf(stderr, "at-lv2host: %s: %s\n", wav, sf_strerror(NULL)), 1;
    }
    LV2_Atom_Forge forge;
    lv2_atom_forge_init(&forge, &map);
    LV2_URID midi_type = map.map(NULL, LV2_MIDI__MidiEvent);
    lilv_instance_activate(inst);
    size_t next = 0;
    for (uint64_t pos = 0, cycle = 0; pos < frames; pos += block, cycle++) {
        uint32_t n = frames - pos < block ? (uint32_t)(frames - pos) : block;
        for (uint32_t i = 0; i < np; i++)
            if (kind[i] == 3)
                atoms[i][0] = ATOM_BYTES - 8; /* capacity; the plugin writes the sequence */
        if (atom_in >= 0) {
            LV2_Atom_Forge_Frame seq;
            lv2_atom_forge_set_buffer(&forge, (uint8_t *)atoms[atom_in], ATOM_BYTES);
            lv2_atom_forge_sequence_head(&forge, &seq, 0);
            for (; next < n_evs && evs[next].frame < pos + n; next++) {
                const Ev *e = &evs[next];
                lv2_atom_forge_frame_time(&forge, (int64_t)(e->frame - pos));
                if (e->kind == 0) {
                    lv2_atom_forge_atom(&forge, e->size, midi_type);
                    lv2_atom_forge_write(&forge, e->data, e->size);
                } else {
                    LV2_Atom_Forge_Frame obj;
                    lv2_atom_forge_object(&forge, &obj, 0, map.map(NULL, LV2_TIME__Position));
                    lv2_atom_forge_key(&forge, map.map(NULL, LV2_TIME__speed));
                    lv2_atom_forge_float(&forge, (float)e->speed);
                    lv2_atom_forge_key(&forge, map.map(NULL, LV2_TIME__beatsPerMinute));
                    lv2_atom_forge_float(&forge, (float)e->bpm);
                    lv2_atom_forge_key(&forge, map.map(NULL, LV2_TIME__beat));
                    lv2_atom_forge_double(&forge, e->beat);
                    lv2_atom_forge_pop(&forge, &obj);
                }
            }
            lv2_atom_forge_pop(&forge, &seq);
        }
        lilv_instance_run(inst, n);
        for (uint32_t off = 0; worker && off < work_len;) {
            uint32_t size;
            memcpy(&size, work_queue + off, sizeof size);
            worker->work(lilv_instance_get_handle(inst), respond, NULL, size,
                         work_queue + off + sizeof size);
            off += (uint32_t)sizeof size + size;
        }
        work_len = 0;
        for (uint32_t i = 0; i < np; i++) {
            if (kind[i] != 3)
                continue;
            const char *sym = lilv_node_as_string(
                lilv_port_get_symbol(plugin, lilv_plugin_get_port_by_index(plugin, i)));
            const LV2_Atom_Sequence *out = (const void *)atoms[i];
            LV2_ATOM_SEQUENCE_FOREACH(out, ev)
            {
                const uint8_t *d = LV2_ATOM_BODY(&ev->body);
                printf("%s %lu %ld", sym, (unsigned long)cycle, (long)ev->time.frames);
                for (uint32_t k = 0; k < ev->body.size; k++)
                    printf(" %02x", d[k]);
                printf("\n");
            }
        }
        if (sf) {
            static float inter[2 * MAX_BLOCK];
            for (uint32_t k = 0; k < n; k++) {
                inter[2 * k] = audio[0][k];
                inter[2 * k + 1] = audio[1][k];
            }
            sf_writef_float(sf, inter, n);
        }
    }
    lilv_instance_deactivate(inst);
    if (sf)
        sf_close(sf);
    int status = 0;
    if (save) {
        LilvState *st = lilv_state_new_from_instance(plugin, inst, &map, NULL, NULL, NULL, NULL,
                                                     get_value, NULL, 0, features);
        char *text = st ? lilv_state_to_string(world, &map, &unmap, st, STATE_URI, NULL) : NULL;
        FILE *f = text ? fopen(save, "w") : NULL;
        if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
            fprintf(stderr, "at-lv2host: cannot save the state to %s\n", save);
            status = 1;
        }
        lilv_free(text);
        lilv_state_free(st);
    }
    lilv_instance_free(inst);
    lilv_node_free(un);
    lilv_node_free(c_audio);
    lilv_node_free(c_atom);
    lilv_node_free(c_in);
    lilv_world_free(world);
    tu_free_uris();
    return status;
}
