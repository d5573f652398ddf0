/* ssparams.h - samplesnake's parameters, declared once (see params.h). */
#ifndef SS_PARAMS_H
#define SS_PARAMS_H

#include "params.h"

#include <stddef.h>

/* Indexes into the table (the registry's indexes too). */
enum {
    SS_P_CHANNEL,           /* midi.channel */
    SS_P_MIDI_CONNECT,      /* midi.connect */
    SS_P_RECORD_LEFT,       /* audio.record-left */
    SS_P_RECORD_RIGHT,      /* audio.record-right */
    SS_P_MONITOR_LEFT,      /* audio.monitor-left */
    SS_P_MONITOR_RIGHT,     /* audio.monitor-right */
    SS_P_SAMPLE_RATE,       /* audio.sample-rate */
    SS_P_DIRECTORY,         /* sampling.directory */
    SS_P_PREFIX,            /* sampling.prefix */
    SS_P_SILENCE_THRESHOLD, /* sampling.silence-threshold */
    SS_P_MAX_LENGTH,        /* sampling.max-length */
    SS_P_NOTES,             /* sampling.notes */
    SS_P_OCTAVES,           /* sampling.octaves */
    SS_P_VELOCITIES,        /* sampling.velocities */
    SS_P_ROUND_ROBINS,      /* sampling.round-robins */
    SS_P_HOLD,              /* sampling.hold */
    SS_P_COOLDOWN,          /* sampling.cooldown */
    SS_P_WAIT_FOR_SOUND,    /* sampling.wait-for-sound */
    SS_P_INSTRUMENT,        /* sampling.instrument */
    SS_P_START,             /* sampling.start */
    SS_P_START_ACTION,      /* start */
    SS_P_COUNT
};

/* The table of samplesnake's parameters; *n gets its length. */
const AtParamDef *ss_param_table(size_t *n);

#endif
