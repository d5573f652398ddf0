/* Fuzz the LV2 plugin's state restore (plugins/lv2/plugin.c) with the
 * fmsynth tool: any settings string, version and value type must be
 * restored or refused with a logged reason, never crash or leak; the
 * plugin then still runs (a note in, finite audio out) and saves.
 * Input: byte 0 picks the version property (absent, 1, 2, a wrong type)
 * and whether the string ends in NUL; the rest is the settings text. The
 * LV2 shell's app.h functions are renamed here so they do not clash with
 * the JACK shell (common/app.c) the fuzz build links; AT_LV2_SHELL, as in
 * the plugin's build, leaves fmsynth's main() out. */
#define AT_LV2_SHELL
#define at_app_add_port fz_at_app_add_port
#define at_app_add_dests fz_at_app_add_dests
#define at_cycle_dest_outs fz_at_cycle_dest_outs
#define at_app_add_connect fz_at_app_add_connect
#define at_app_load_values fz_at_app_load_values
#define at_app_core fz_at_app_core
#define at_app_params fz_at_app_params
#define at_app_rate fz_at_app_rate
#define at_app_client_name fz_at_app_client_name
#define at_app_quit fz_at_app_quit
#define at_cycle_quit fz_at_cycle_quit
#define at_cycle_report fz_at_cycle_report
#define at_cycle_log fz_at_cycle_log
#define at_app_session_path fz_at_app_session_path

#include "plugins/lv2/hostclock.c"
#include "plugins/lv2/lv2app.c"
#include "clients/fmsynth/main.c"
#include "plugins/lv2/plugin.c"

#include "lv2urid.h"

#include <stdint.h>

static const char *const fz_state_only[] = {"audio.polyphony", NULL};
static const AtLv2Plugin fz_fmsynth = {
    .name = "fmsynth",
    .label = "aiotone fmsynth",
    .klass = "InstrumentPlugin",
    .tool = &fmsynth_tool,
    .state_only = fz_state_only,
};
const AtLv2Plugin *const at_lv2_plugins[] = {&fz_fmsynth, NULL};

static int fz_vprintf(LV2_Log_Handle h, LV2_URID type, const char *fmt, va_list ap)
{
    return 0;
}

static int fz_printf(LV2_Log_Handle h, LV2_URID type, const char *fmt, ...)
{
    return 0;
}

typedef struct {
    const uint8_t *text;
    size_t len;
    int version_kind;
    int32_t version;
    LV2_URID config, vers, t_string, t_int, t_float;
} FzState;

static const void *fz_retrieve(LV2_State_Handle h, uint32_t key, size_t *size, uint32_t *type,
                               uint32_t *flags)
{
    FzState *s = h;
    *flags = LV2_STATE_IS_POD;
    if (key == s->config) {
        *size = s->len;
        *type = s->t_string;
        return s->text;
    }
    if (key == s->vers && s->version_kind > 0) {
        *size = sizeof s->version;
        *type = s->version_kind == 3 ? s->t_float : s->t_int;
        return &s->version;
    }
    return NULL;
}

static size_t fz_saved;

static LV2_State_Status fz_store(LV2_State_Handle h, uint32_t key, const void *value, size_t size,
                                 uint32_t type, uint32_t flags)
{
    fz_saved += size;
    return LV2_STATE_SUCCESS;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    LV2_URID_Map map = {NULL, tu_map_uri};
    LV2_Log_Log log = {NULL, fz_printf, fz_vprintf};
    LV2_Feature fmap = {LV2_URID__map, &map}, flog = {LV2_LOG__log, &log};
    const LV2_Feature *features[] = {&fmap, &flog, NULL};
    const LV2_Descriptor *d = lv2_descriptor(0);
    LV2_Handle h = d->instantiate(d, 48000, "", features);
    if (!h)
        abort();
    Plugin *p = h;
    float ports[AT_LV2_MAX_PORTS][256];
    static uint64_t seq_buf[512];
    for (int i = 0; i < p->n_ports; i++) {
        ports[i][0] = p->ports[i].kind == AT_LV2_PORT_CONTROL ? p->shadow[i] : 0.0f;
        d->connect_port(h, (uint32_t)i,
                        p->ports[i].kind == AT_LV2_PORT_MIDI_IN ? (void *)seq_buf : ports[i]);
    }
    /* the settings text, with or without its final NUL */
    uint8_t *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = 0;
    FzState st = {
        .text = text,
        .len = (data[0] & 4) ? size - 1 : size,
        .version_kind = data[0] & 3,
        .version = (data[0] & 3) == 2 ? 2 : 1,
        .config = tu_map_uri(NULL, STATE_CONFIG),
        .vers = tu_map_uri(NULL, STATE_VERSION),
        .t_string = tu_map_uri(NULL, LV2_ATOM__String),
        .t_int = tu_map_uri(NULL, LV2_ATOM__Int),
        .t_float = tu_map_uri(NULL, LV2_ATOM__Float),
    };
    if (st.len == 0)
        st.len = 1;
    const LV2_State_Interface *si = d->extension_data(LV2_STATE__interface);
    si->restore(h, fz_retrieve, &st, 0, features);
    free(text);

    /* a note at frame 10 of a 256-frame block: the plugin still plays */
    LV2_Atom_Sequence *seq = (LV2_Atom_Sequence *)seq_buf;
    seq->atom.type = tu_map_uri(NULL, LV2_ATOM__Sequence);
    seq->atom.size = sizeof(LV2_Atom_Sequence_Body);
    seq->body.unit = 0;
    seq->body.pad = 0;
    struct {
        LV2_Atom_Event ev;
        uint8_t data[8];
    } note = {{{10}, {3, tu_map_uri(NULL, LV2_MIDI__MidiEvent)}}, {0x90, 60, 100}};
    lv2_atom_sequence_append_event(seq, sizeof seq_buf, &note.ev);
    d->activate(h);
    d->run(h, 256);
    for (int i = 0; i < p->n_ports; i++)
        if (p->ports[i].kind == AT_LV2_PORT_AUDIO_OUT)
            for (int k = 0; k < 256; k++)
                if (!isfinite(ports[i][k]))
                    abort();
    si->save(h, fz_store, NULL, 0, features);
    d->deactivate(h);
    d->cleanup(h);
    return 0;
}
