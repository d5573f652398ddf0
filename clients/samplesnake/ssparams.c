/* ssparams.c - samplesnake's parameter table (config keys, defaults,
 * ranges, docs), declared once for the registry. */
#include "ssparams.h"

#include "plan.h"

const AtParamDef sn_params[SN_P_COUNT] = {
    [SN_P_CHANNEL] = AT_INT("midi.channel", 1, 16, 1, "MIDI channel the notes are sent on"),
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
    [SN_P_SAMPLE_RATE] = AT_INT("audio.sample-rate", 0, 768000, 0,
                                "sample rate of the files: must be the JACK server's (no "
                                "resampling); 0 = the server's",
                                .unit = "Hz"),
    [SN_P_DIRECTORY] = AT_STRING("sampling.directory", "samples",
                                 "where the WAVs and instrument files go (created if missing)"),
    [SN_P_PREFIX] = AT_STRING("sampling.prefix", "handpan",
                              "sample names are PREFIX-NOTE-vVELOCITY; empty: NOTE-vVELOCITY"),
    [SN_P_SILENCE_THRESHOLD] = AT_STRING(
        "sampling.silence-threshold", "0.000001",
        "level below which the input is silent: linear (\"0.000001\"), dBFS (\"-120dB\") or "
        "\"auto\" (noise floor measured before the first note, +6 dB)"),
    [SN_P_MAX_LENGTH] = AT_DURATION("sampling.max-length", 0.001, 3600, 30,
                                    "longest recording per sample", .unit = "s"),
    [SN_P_NOTES] =
        AT_STRING("sampling.notes", "C, D, E, F, G, A, B", "pitch classes, sampled in this order"),
    [SN_P_OCTAVES] = AT_INTLIST("sampling.octaves", -1, 9, "2, 3, 4, 5",
                                "octaves, sampled ascending (C4 = MIDI note 60)"),
    [SN_P_VELOCITIES] =
        AT_INTLIST("sampling.velocities", 1, 127, "127", "velocity layers, sampled ascending"),
    [SN_P_ROUND_ROBINS] = AT_INT("sampling.round-robins", 1, SN_RR_MAX, 1,
                                 "takes per note and velocity; more than 1 adds -rrN to the names"),
    [SN_P_HOLD] =
        AT_DURATION("sampling.hold", 0, 3600, 0.2, "how long each note is held", .unit = "s"),
    [SN_P_COOLDOWN] = AT_DURATION("sampling.cooldown", 0, 3600, 0.2,
                                  "pause after silence before the next note", .unit = "s"),
    [SN_P_WAIT_FOR_SOUND] = AT_DURATION(
        "sampling.wait-for-sound", 0.1, 3600, 1.0,
        "after the note-off, how long to wait for any sound before calling a take silent",
        .unit = "s"),
    [SN_P_INSTRUMENT] =
        AT_ENUM("sampling.instrument", ("both", "sfz", "dspreset", "none"), 0,
                "instrument file(s) written beside the samples when the plan is done"),
    [SN_P_START] = AT_ENUM("sampling.start", ("auto", "now", "osc"), 0,
                           "when sampling begins: \"now\" (once the JACK client runs and its "
                           "connect lists are connected), \"osc\" (on /samplesnake/start), "
                           "\"auto\" (now when standalone; under a session manager when it says "
                           "the session is loaded, its connections made)"),
    [SN_P_START_ACTION] = AT_ACTION_PARAM(
        "start", "begin sampling now (when sampling.start is \"osc\" or \"auto\" is still waiting)",
        .flags = AT_PARAM_LIVE | AT_PARAM_NOSAVE),
};

const AtParamDef *sn_param_table(size_t *n)
{
    *n = SN_P_COUNT;
    return sn_params;
}
