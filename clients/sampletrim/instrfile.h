/* instrfile.h - rewriting an instrument file (SFZ or DecentSampler
 * .dspreset, as aiotone-samplesnake writes them) so it plays the trimmed
 * samples: each sample reference is replaced by the trimmed file's path,
 * and the frame positions that go with it (sample offsets, ends, loop
 * points) are moved by the rate conversion and the trimmed start. Pure
 * text in, text out (no file I/O), so the unit tests and the fuzzer drive
 * it directly. The rules are in docs/sampletrim.md. */
#ifndef STRIM_INSTRFILE_H
#define STRIM_INSTRFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "sampletrim.h"

typedef enum { STRIM_INSTR_SFZ, STRIM_INSTR_DSPRESET } StrimInstrKind;

/* What became of one sample. */
typedef struct {
    const char *path;  /* the trimmed file, as the new instrument names it */
    double ratio;      /* output rate / input rate */
    size_t trim_start; /* first kept frame, at the output rate */
    size_t frames;     /* frames in the trimmed file */
} StrimSampleMap;

/* Looks a sample reference up (the path as written in the instrument,
 * XML entities decoded; SFZ's default_path prepended). Returns false when
 * the sample was not trimmed: the rewrite then fails, naming it. m->path
 * may point into sample (it is copied before sample is freed). */
typedef bool (*StrimSampleLookup)(void *user, const char *sample, StrimSampleMap *m);

/* The kind of instrument a file name says (.sfz or .dspreset, any case);
 * false for anything else. */
bool strim_instr_kind(const char *name, StrimInstrKind *kind);

/* Rewrite the len bytes of text. On success *out (malloc'ed, NUL
 * terminated, *out_len bytes) is the new instrument, *samples the number
 * of sample references rewritten and *clamped the number of frame
 * positions that fell outside the trimmed file and were moved to its
 * nearest end. On failure (STRIM_ERR_ARG: a sample was not trimmed;
 * STRIM_ERR_NOMEM) detail says which sample. */
StrimStatus strim_instr_rewrite(const char *text, size_t len, StrimInstrKind kind,
                                StrimSampleLookup lookup, void *user, char **out, size_t *out_len,
                                size_t *samples, size_t *clamped, char *detail, size_t detail_len);

#endif
