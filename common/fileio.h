/* fileio.h - whole files, the one way every tool does it.
 *
 * Replacing a file is atomic and durable: the new content goes to a
 * temporary file in the same folder (a hidden ".NAME.XXXXXX"), which is
 * written, fsync'ed, closed and renamed over the target, and then the
 * folder is fsync'ed so the rename itself survives a power cut. A crash at
 * any point leaves either the old file or the complete new one under the
 * target's name, never a partial one (docs/architecture.md, "Files").
 *
 * Reading a file whole takes a size limit and says what went wrong.
 * Not RT: all of this blocks. */
#ifndef AT_FILEIO_H
#define AT_FILEIO_H

#include "status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The step of an atomic write that failed. */
typedef enum {
    AT_FILE_STEP_NONE = 0,
    AT_FILE_STEP_CREATE,   /* the temporary file could not be created */
    AT_FILE_STEP_WRITE,    /* writing or flushing it failed (a full disk) */
    AT_FILE_STEP_SYNC,     /* fsync or close of the file failed */
    AT_FILE_STEP_RENAME,   /* renaming it over the target failed */
    AT_FILE_STEP_SYNC_DIR, /* fsync of the folder failed (the rename is done) */
} AtFileStep;

/* An atomic write in progress. */
typedef struct {
    int fd;            /* the temporary file, open for writing; -1 once closed */
    FILE *f;           /* the stream at_atomic_stream opened on fd, or NULL */
    char *tmp;         /* the temporary file's path */
    char *path;        /* the target's path */
    AtFileStep failed; /* after an error: the step that failed */
} AtAtomicFile;

/* In the functions below err (may be NULL) gets a message on failure:
 * "cannot write PATH: reason", where the create step says "cannot create
 * a file in FOLDER: reason" and the rename step "rename from TMP: reason".
 * Callers with a message of their own pass NULL and use errno. */

/* Start replacing path: create the temporary file beside it, open for
 * writing with the mode a new file gets (0666 less the umask). tmp names
 * it (it must be in path's folder; an existing one is truncated, through a
 * symlink too); NULL makes a fresh hidden name. 0, or -1 with errno set
 * (a->failed = AT_FILE_STEP_CREATE, nothing to clean up). */
int at_atomic_begin(AtAtomicFile *a, const char *path, const char *tmp, char *err, size_t errlen);
/* A stdio stream on the temporary file (owned by a; commit or abort
 * closes it). NULL with errno on failure. */
FILE *at_atomic_stream(AtAtomicFile *a);
/* Finish: flush the stream, fsync and close the file, rename it over the
 * target, fsync the folder. 0, or -1 with errno and a->failed set; on
 * failure before the rename the temporary file is removed and the target
 * left as it was. a is released either way. */
int at_atomic_commit(AtAtomicFile *a, char *err, size_t errlen);
/* Give up: close and remove the temporary file; the target is untouched.
 * errno is kept. Safe on a released a. */
void at_atomic_abort(AtAtomicFile *a);

/* Replace path with len bytes of data. On failure: AT_ERR_RUNTIME, errno
 * set, err gets the message. */
AtStatus at_file_write_atomic(const char *path, const void *data, size_t len, char *err,
                              size_t errlen);
/* The same with the content written by fn into a stream; fn returns false
 * (errno set) to fail. */
AtStatus at_file_write_atomic_with(const char *path, bool (*fn)(FILE *f, void *ctx), void *ctx,
                                   char *err, size_t errlen);

/* Read path whole (a pipe or a device too) into a malloc'ed buffer with a
 * NUL after the last byte; *len (may be NULL) gets the length, which
 * counts NULs inside. At most max bytes. NULL on failure, errno set:
 * open's errno, EISDIR (a folder), EFBIG (more than max bytes), ENOMEM or
 * the read's errno; err (may be NULL) gets "PATH: reason". */
char *at_file_read(const char *path, size_t max, size_t *len, char *err, size_t errlen);
/* The same from an open stream (not closed here); errno as above. */
char *at_file_read_stream(FILE *f, size_t max, size_t *len);

/* The folder of the running executable (/proc/self/exe) into out; "" when
 * it cannot be read or does not fit. */
void at_exe_dir(char *out, size_t len);

#endif
