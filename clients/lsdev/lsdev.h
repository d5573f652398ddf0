/* lsdev.h - the model aiotone-lsdev prints: JACK ports and ALSA sequencer
 * ports, gathered once, then written as text, JSON or Graphviz dot. The
 * writers are pure (no JACK, no ALSA) so tests can feed them a model. */
#ifndef LSDEV_H
#define LSDEV_H

#include "alsaseq.h"

#include <stdbool.h>
#include <stdio.h>

#define LS_MAX_ALIASES 2

typedef struct {
    char *name;   /* full name "client:port" */
    char *pretty; /* pretty-name metadata, or NULL */
    char *aliases[LS_MAX_ALIASES];
    int n_aliases;
    bool midi;     /* MIDI (else audio) */
    bool input;    /* a sink: data goes into it */
    bool physical; /* a hardware port */
    char **conns;  /* full names it is connected to */
    int n_conns;
} LsJackPort;

typedef struct {
    /* JACK: available false with a reason when no server runs */
    bool jack_ok;
    char jack_why[512];
    char jack_server[128];
    LsJackPort *jports;
    int n_jports;
    /* ALSA sequencer */
    bool seq_ok;
    char seq_why[512];
    AtSeqPort *sports;
    int n_sports;
    char **bridged_capture;  /* per ALSA port: JACK port carrying its output, or NULL */
    char **bridged_playback; /* per ALSA port: JACK port feeding its input, or NULL */
} LsModel;

/* Free everything the model holds (not the model itself). */
void ls_model_free(LsModel *m);
/* Fill the bridged_* columns by matching ALSA ports with JACK MIDI ports. */
void ls_model_match_bridges(LsModel *m);
/* Write the model as readable text, grouped by client. */
void ls_write_text(const LsModel *m, FILE *out);
/* Write the model as one JSON object. */
void ls_write_json(const LsModel *m, FILE *out);
/* Write the JACK connection graph as Graphviz dot. */
void ls_write_dot(const LsModel *m, FILE *out);

#endif
