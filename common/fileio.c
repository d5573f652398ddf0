/* fileio.c - atomic, durable file replacement and whole-file reading (see
 * fileio.h). */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Up to this many names are tried for a fresh temporary file. */
#define TMP_TRIES 100

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* The folder of path: "." for a bare name. malloc'ed. */
static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return dup_str(".");
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, path, n);
        d[n] = 0;
    }
    return d;
}

static void say(char *err, size_t errlen, const char *fmt, const char *a, const char *b, int errnum)
{
    if (!err || !errlen)
        return;
    if (b)
        snprintf(err, errlen, fmt, a, b, strerror(errnum));
    else
        snprintf(err, errlen, fmt, a, strerror(errnum));
}

/* fsync that treats "this kind of file cannot be synced" as done. */
static int sync_fd(int fd)
{
    if (fsync(fd) == 0 || errno == EINVAL || errno == ENOTSUP)
        return 0;
    return -1;
}

static int sync_folder(const char *path)
{
    char *dir = folder_of(path);
    if (!dir) {
        errno = ENOMEM;
        return -1;
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (fd < 0)
        return -1;
    int rc = sync_fd(fd);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

/* Create "FOLDER/.BASE.XXXXXX" with O_EXCL (mkstemp would make it 0600;
 * open gives the mode a new file gets without touching the umask). */
static int create_fresh(const char *path, char **tmp_out)
{
    static atomic_uint counter;
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = path + dirlen;
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp) {
        errno = ENOMEM;
        return -1;
    }
    static const char digits[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t x = ((uint64_t)getpid() << 32) ^ (uint64_t)ts.tv_nsec;
    for (int i = 0; i < TMP_TRIES; i++) {
        uint64_t v = x + (uint64_t)atomic_fetch_add(&counter, 1) * UINT64_C(0x9e3779b97f4a7c15);
        char suffix[7];
        for (int k = 0; k < 6; k++, v /= 36)
            suffix[k] = digits[v % 36];
        suffix[6] = 0;
        snprintf(tmp, n, "%.*s.%s.%s", (int)dirlen, path, base, suffix);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            *tmp_out = tmp;
            return fd;
        }
        if (errno != EEXIST)
            break;
    }
    int e = errno;
    free(tmp);
    errno = e;
    return -1;
}

int at_atomic_begin(AtAtomicFile *a, const char *path, const char *tmp, char *err, size_t errlen)
{
    *a = (AtAtomicFile){.fd = -1, .failed = AT_FILE_STEP_CREATE};
    a->path = dup_str(path);
    if (!a->path) {
        errno = ENOMEM;
    } else if (tmp) {
        a->tmp = dup_str(tmp);
        if (!a->tmp)
            errno = ENOMEM;
        else
            a->fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    } else {
        a->fd = create_fresh(path, &a->tmp);
    }
    if (a->fd >= 0) {
        a->failed = AT_FILE_STEP_NONE;
        return 0;
    }
    int e = errno;
    char *dir = folder_of(path);
    say(err, errlen, "cannot write %s: cannot create a file in %s: %s", path, dir ? dir : ".", e);
    free(dir);
    free(a->path);
    free(a->tmp);
    *a = (AtAtomicFile){.fd = -1, .failed = AT_FILE_STEP_CREATE};
    errno = e;
    return -1;
}

FILE *at_atomic_stream(AtAtomicFile *a)
{
    if (!a->f && a->fd >= 0)
        a->f = fdopen(a->fd, "w");
    return a->f;
}

static void release(AtAtomicFile *a, bool remove)
{
    int e = errno;
    if (a->f)
        fclose(a->f);
    else if (a->fd >= 0)
        close(a->fd);
    if (remove && a->tmp)
        unlink(a->tmp);
    free(a->tmp);
    free(a->path);
    AtFileStep failed = a->failed;
    *a = (AtAtomicFile){.fd = -1, .failed = failed};
    errno = e;
}

int at_atomic_commit(AtAtomicFile *a, char *err, size_t errlen)
{
    if (!a->path) {
        errno = EBADF;
        a->failed = AT_FILE_STEP_CREATE;
        return -1;
    }
    if (a->f && (fflush(a->f) != 0 || ferror(a->f))) {
        if (!errno)
            errno = EIO;
        a->failed = AT_FILE_STEP_WRITE;
        goto fail;
    }
    a->failed = AT_FILE_STEP_SYNC;
    if (sync_fd(a->fd) != 0)
        goto fail;
    int rc = a->f ? fclose(a->f) : close(a->fd);
    a->f = NULL;
    a->fd = -1;
    if (rc != 0)
        goto fail;
    a->failed = AT_FILE_STEP_RENAME;
    if (rename(a->tmp, a->path) != 0) {
        say(err, errlen, "cannot write %s: rename from %s: %s", a->path, a->tmp, errno);
        release(a, true);
        return -1;
    }
    a->failed = AT_FILE_STEP_SYNC_DIR;
    if (sync_folder(a->path) != 0) {
        say(err, errlen, "cannot write %s: fsync of its folder: %s", a->path, NULL, errno);
        release(a, false);
        return -1;
    }
    a->failed = AT_FILE_STEP_NONE;
    release(a, false);
    return 0;
fail:
    say(err, errlen, "cannot write %s: %s", a->path, NULL, errno);
    release(a, true);
    return -1;
}

void at_atomic_abort(AtAtomicFile *a)
{
    if (a->path)
        release(a, true);
}

static bool write_bytes(FILE *f, void *ctx)
{
    const struct {
        const void *data;
        size_t len;
    } *b = ctx;
    return fwrite(b->data, 1, b->len, f) == b->len;
}

AtStatus at_file_write_atomic_with(const char *path, bool (*fn)(FILE *f, void *ctx), void *ctx,
                                   char *err, size_t errlen)
{
    AtAtomicFile a;
    if (at_atomic_begin(&a, path, NULL, err, errlen) != 0)
        return AT_ERR_RUNTIME;
    FILE *f = at_atomic_stream(&a);
    errno = 0;
    if (!f || !fn(f, ctx) || fflush(f) != 0 || ferror(f)) {
        if (!errno)
            errno = EIO;
        a.failed = AT_FILE_STEP_WRITE;
        say(err, errlen, "cannot write %s: %s", path, NULL, errno);
        at_atomic_abort(&a);
        return AT_ERR_RUNTIME;
    }
    return at_atomic_commit(&a, err, errlen) == 0 ? AT_OK : AT_ERR_RUNTIME;
}

AtStatus at_file_write_atomic(const char *path, const void *data, size_t len, char *err,
                              size_t errlen)
{
    struct {
        const void *data;
        size_t len;
    } b = {data, len};
    return at_file_write_atomic_with(path, write_bytes, &b, err, errlen);
}

char *at_file_read_stream(FILE *f, size_t max, size_t *len)
{
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        return NULL;
    }
    if (max > SIZE_MAX / 2)
        max = SIZE_MAX / 2;
    size_t n = 0, cap = 0;
    char *buf = NULL;
    for (;;) {
        if (n == cap) {
            /* Grow by doubling up to max + 1 (one byte more tells "too big"). */
            size_t want = cap ? cap * 2 : 4096;
            if (want > max + 1)
                want = max + 1;
            char *t = want > cap ? realloc(buf, want + 1) : NULL;
            if (!t) {
                free(buf);
                errno = want > cap ? ENOMEM : EFBIG;
                return NULL;
            }
            buf = t;
            cap = want;
        }
        errno = 0;
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (ferror(f)) {
            int e = errno ? errno : EIO;
            free(buf);
            errno = e;
            return NULL;
        }
        if (n > max) {
            free(buf);
            errno = EFBIG;
            return NULL;
        }
        if (got == 0 || feof(f))
            break;
    }
    if (!buf) {
        buf = malloc(1);
        if (!buf) {
            errno = ENOMEM;
            return NULL;
        }
    }
    buf[n] = 0;
    if (len)
        *len = n;
    return buf;
}

char *at_file_read(const char *path, size_t max, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        say(err, errlen, "%s: %s", path, NULL, errno);
        return NULL;
    }
    char *text = at_file_read_stream(f, max, len);
    int e = errno;
    fclose(f);
    if (!text) {
        if (e == EFBIG && err && errlen)
            snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
        else if (e == EISDIR && err && errlen)
            snprintf(err, errlen, "%s: is a directory", path);
        else
            say(err, errlen, "%s: cannot read: %s", path, NULL, e);
        errno = e;
    }
    return text;
}

void at_exe_dir(char *out, size_t len)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    out[0] = 0;
    if (n <= 0)
        return;
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = 0;
    if (strlen(exe) < len)
        memcpy(out, exe, strlen(exe) + 1);
}
