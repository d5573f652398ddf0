/* ssparams.h - samplesnake's parameters, declared once (see params.h). */
#ifndef SN_PARAMS_H
#define SN_PARAMS_H

#include "params.h"

#include <stddef.h>

/* Indexes into the table (the registry's indexes too). */
enum {
    SN_P_CHANNEL,           /* midi.channel */
    SN_P_MIDI_CONNECT,      /* midi.connect */
    SN_P_RECORD_LEFT,       /* audio.record-left */
    SN_P_RECORD_RIGHT,      /* audio.record-right */
    SN_P_MONITOR_LEFT,      /* audio.monitor-left */
    SN_P_MONITOR_RIGHT,     /* audio.monitor-right */
    SN_P_SAMPLE_RATE,       /* audio.sample-rate */
    SN_P_DIRECTORY,         /* sampling.directory */
    SN_P_PREFIX,            /* sampling.prefix */
    SN_P_SILENCE_THRESHOLD, /* sampling.silence-threshold */
    SN_P_MAX_LENGTH,        /* sampling.max-length */
    SN_P_NOTES,             /* sampling.notes */
    SN_P_OCTAVES,           /* sampling.octaves */
    SN_P_VELOCITIES,        /* sampling.velocities */
    SN_P_ROUND_ROBINS,      /* sampling.round-robins */
    SN_P_HOLD,              /* sampling.hold */
    SN_P_COOLDOWN,          /* sampling.cooldown */
    SN_P_WAIT_FOR_SOUND,    /* sampling.wait-for-sound */
    SN_P_INSTRUMENT,        /* sampling.instrument */
    SN_P_START,             /* sampling.start */
    SN_P_START_ACTION,      /* start */
    SN_P_COUNT
};

/* The table of samplesnake's parameters (the shell's AT_TOOL names it). */
extern const AtParamDef sn_params[SN_P_COUNT];
/* The same table; *n gets its length. */
const AtParamDef *sn_param_table(size_t *n);

#endif
