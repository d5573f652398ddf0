/* ssparams.c - samplesnake's parameter table (config keys, defaults,
 * ranges, docs), declared once for the registry. */
#include "ssparams.h"

#include "plan.h"

const AtParamDef sn_params[SN_P_COUNT] = {
    [SN_P_CHANNEL] = {.key = "midi.channel",
                      .type = AT_PARAM_INT,
                      .min = 1,
                      .max = 16,
                      .def = 1,
                      .doc = "MIDI channel the notes are sent on"},
    [SN_P_MIDI_CONNECT] =
        AT_CONNECT_PARAM("midi.connect", "instrument MIDI inputs to connect midi_out to"),
    [SN_P_RECORD_LEFT] =
        AT_CONNECT_PARAM("audio.record-left", "instrument outputs to connect to in_L (recorded)"),
    [SN_P_RECORD_RIGHT] =
        AT_CONNECT_PARAM("audio.record-right", "instrument outputs to connect to in_R (recorded)"),
    [SN_P_MONITOR_LEFT] = AT_CONNECT_PARAM(
        "audio.monitor-left", "playback ports monitor_L (what is recorded) connects to"),
    [SN_P_MONITOR_RIGHT] = AT_CONNECT_PARAM(
        "audio.monitor-right", "playback ports monitor_R (what is recorded) connects to"),
    [SN_P_SAMPLE_RATE] = {.key = "audio.sample-rate",
                          .type = AT_PARAM_INT,
                          .max = 768000,
                          .unit = "Hz",
                          .doc = "sample rate of the files: must be the JACK server's (no "
                                 "resampling); 0 = the server's"},
    [SN_P_DIRECTORY] = {.key = "sampling.directory",
                        .type = AT_PARAM_STRING,
                        .def_str = "samples",
                        .doc = "where the WAVs and instrument files go (created if missing)"},
    [SN_P_PREFIX] = {.key = "sampling.prefix",
                     .type = AT_PARAM_STRING,
                     .def_str = "handpan",
                     .doc = "sample names are PREFIX-NOTE-vVELOCITY; empty: NOTE-vVELOCITY"},
    [SN_P_SILENCE_THRESHOLD] =
        {.key = "sampling.silence-threshold",
         .type = AT_PARAM_STRING,
         .def_str = "0.000001",
         .doc =
             "level below which the input is silent: linear (\"0.000001\"), dBFS (\"-120dB\") or "
             "\"auto\" (noise floor measured before the first note, +6 dB)"},
    [SN_P_MAX_LENGTH] = {.key = "sampling.max-length",
                         .type = AT_PARAM_DURATION,
                         .min = 0.001,
                         .max = 3600,
                         .def = 30,
                         .unit = "s",
                         .doc = "longest recording per sample"},
    [SN_P_NOTES] = {.key = "sampling.notes",
                    .type = AT_PARAM_STRING,
                    .def_str = "C, D, E, F, G, A, B",
                    .doc = "pitch classes, sampled in this order"},
    [SN_P_OCTAVES] = {.key = "sampling.octaves",
                      .type = AT_PARAM_INTLIST,
                      .min = -1,
                      .max = 9,
                      .def_str = "2, 3, 4, 5",
                      .doc = "octaves, sampled ascending (C4 = MIDI note 60)"},
    [SN_P_VELOCITIES] = {.key = "sampling.velocities",
                         .type = AT_PARAM_INTLIST,
                         .min = 1,
                         .max = 127,
                         .def_str = "127",
                         .doc = "velocity layers, sampled ascending"},
    [SN_P_ROUND_ROBINS] = {.key = "sampling.round-robins",
                           .type = AT_PARAM_INT,
                           .min = 1,
                           .max = SN_RR_MAX,
                           .def = 1,
                           .doc =
                               "takes per note and velocity; more than 1 adds -rrN to the names"},
    [SN_P_HOLD] = {.key = "sampling.hold",
                   .type = AT_PARAM_DURATION,
                   .max = 3600,
                   .def = 0.2,
                   .unit = "s",
                   .doc = "how long each note is held"},
    [SN_P_COOLDOWN] = {.key = "sampling.cooldown",
                       .type = AT_PARAM_DURATION,
                       .max = 3600,
                       .def = 0.2,
                       .unit = "s",
                       .doc = "pause after silence before the next note"},
    [SN_P_WAIT_FOR_SOUND] =
        {.key = "sampling.wait-for-sound",
         .type = AT_PARAM_DURATION,
         .min = 0.1,
         .max = 3600,
         .def = 1.0,
         .unit = "s",
         .doc = "after the note-off, how long to wait for any sound before calling a take silent"},
    [SN_P_INSTRUMENT] = {.key = "sampling.instrument",
                         .type = AT_PARAM_ENUM,
                         .choices = {"both", "sfz", "dspreset", "none"},
                         .doc =
                             "instrument file(s) written beside the samples when the plan is done"},
    [SN_P_START] =
        {.key = "sampling.start",
         .type = AT_PARAM_ENUM,
         .choices = {"auto", "now", "osc"},
         .doc =
             "when sampling begins: \"now\" (once the JACK client runs and its connect lists are "
             "connected), \"osc\" (on /samplesnake/start), "
             "\"auto\" (now when standalone; under a session manager when it says the session is "
             "loaded, "
             "its connections made)"},
    [SN_P_START_ACTION] =
        {.key = "start",
         .osc = "start",
         .type = AT_PARAM_ACTION,
         .flags = AT_PARAM_LIVE | AT_PARAM_NOSAVE,
         .doc = "begin sampling now (when sampling.start is \"osc\" or \"auto\" is still waiting)"},
};

const AtParamDef *sn_param_table(size_t *n)
{
    *n = SN_P_COUNT;
    return sn_params;
}
