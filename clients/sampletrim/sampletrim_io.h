/* sampletrim_io.h - reading any format libsndfile knows (from a file or
 * from memory) into float frames, and writing the result as a PCM WAV.
 * Part of the core so the fuzzer can feed it corrupt files from memory.
 * Thread safe: no shared state. */
#ifndef STRIM_IO_H
#define STRIM_IO_H

#include <stddef.h>

#include "sampletrim.h"

/* More channels than this is refused: no sample has more. */
#define STRIM_MAX_CHANNELS 128
/* Highest input sample rate accepted, Hz. */
#define STRIM_MAX_RATE 1536000

/* Decode the file at path into a (which must be zeroed or freed). At most
 * max_samples samples (frames x channels) are accepted; detail (may be
 * NULL) receives the decoder's own message on failure. A file that holds
 * less than its header promises (truncated), no frames or nothing at all
 * is STRIM_ERR_DAMAGED, with detail saying which. progress may be NULL. */
StrimStatus strim_read_file(const char *path, size_t max_samples, StrimAudio *a, char *detail,
                            size_t detail_len, const StrimProgress *progress);

/* Like strim_read_file, but from len bytes at data (libsndfile virtual I/O). */
StrimStatus strim_read_memory(const void *data, size_t len, size_t max_samples, StrimAudio *a,
                              char *detail, size_t detail_len);

/* Quantize a to bits (8, 16 or 24; TPDF dither from r unless r is NULL)
 * and write it to path as a PCM WAV at a->rate, through a temporary file
 * renamed into place: a failed write leaves no partial file; detail then
 * names the path and the reason. progress may be NULL. */
StrimStatus strim_write_wav(const char *path, const StrimAudio *a, int bits, AtRand *r,
                            char *detail, size_t detail_len, const StrimProgress *progress);

/* The output path for input: "<dir of input>/<rate>_<bits>bit/<stem>.wav",
 * or "<out_dir>/<stem>.wav" when out_dir is not NULL; *dir gets the folder.
 * Both strings are malloc'ed; the caller frees them. */
StrimStatus strim_output_path(const char *input, const char *out_dir, int rate, int bits,
                              char **path, char **dir);

#endif
