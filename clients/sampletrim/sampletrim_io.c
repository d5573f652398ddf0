/* sampletrim_io.c - libsndfile input and WAV output for aiotone-sampletrim. */
#include "sampletrim_io.h"
#include "fileio.h"

#include <errno.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Frames decoded per sf_readf_float call. */
#define READ_CHUNK 65536
/* First buffer, in frames, when the header does not say (or lies). */
#define FIRST_ALLOC 4096
/* Largest first buffer taken from the header's frame count. */
#define HINT_MAX ((size_t)1 << 22)
/* Samples quantized and written per sf_write_int call. */
#define WRITE_CHUNK 8192

static void set_detail(char *detail, size_t len, const char *msg)
{
    if (detail && len > 0)
        snprintf(detail, len, "%s", msg ? msg : "");
}

/* detail = "path: message" (libsndfile's "System error : " prefix dropped). */
static void path_detail(char *detail, size_t len, const char *path, const char *msg)
{
    const char *sys = "System error : ";
    if (!strncmp(msg, sys, strlen(sys)))
        msg += strlen(sys);
    if (detail && len > 0)
        snprintf(detail, len, "%s: %s", path, msg);
}

/* Grow a to hold at least need frames (doubling), within max_samples. */
static StrimStatus grow(StrimAudio *a, size_t *cap, size_t need, size_t max_frames)
{
    if (need <= *cap)
        return STRIM_OK;
    if (need > max_frames)
        return STRIM_ERR_TOO_BIG;
    size_t n = *cap ? *cap : FIRST_ALLOC;
    while (n < need)
        n *= 2;
    if (n > max_frames)
        n = max_frames;
    float *p = realloc(a->data, n * (size_t)a->channels * sizeof *p);
    if (!p)
        return STRIM_ERR_NOMEM;
    a->data = p;
    *cap = n;
    return STRIM_OK;
}

/* A damaged file decodes "successfully" to fewer frames than it claims:
 * libsndfile shortens a WAV or AIFF whose data chunk runs past the end of
 * the file (and says so only in its log), a FLAC decoder stops quietly
 * at the first broken frame. Refuse such files, and files with no audio. */
static StrimStatus check_complete(SNDFILE *sf, const SF_INFO *info, size_t got, char *detail,
                                  size_t dlen)
{
    char log[4096] = "";
    sf_command(sf, SFC_GET_LOG_INFO, log, sizeof log);
    /* "data : 12352 (should be 6154)", "SSND : 12360 (should be 6140)":
     * the header promises more bytes of audio than the file holds. */
    for (const char *l = log; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        long long claim, real;
        char name[8];
        if (sscanf(l, " %4[A-Za-z] : %lld (should be %lld)", name, &claim, &real) == 3 &&
            (!strncmp(name, "data", 4) || !strncmp(name, "SSND", 4)) && claim > real) {
            if (detail && dlen)
                snprintf(detail, dlen,
                         "truncated: the header promises %lld bytes of audio, the file holds %lld",
                         claim, real < 0 ? 0 : real);
            return STRIM_ERR_DAMAGED;
        }
    }
    if (info->frames > 0 && info->frames != SF_COUNT_MAX && (sf_count_t)got < info->frames) {
        if (detail && dlen)
            snprintf(detail, dlen,
                     "truncated: the header promises %lld frames, %zu could be decoded",
                     (long long)info->frames, got);
        return STRIM_ERR_DAMAGED;
    }
    if (got == 0) {
        set_detail(detail, dlen, "no audio frames (0 frames)");
        return STRIM_ERR_DAMAGED;
    }
    return STRIM_OK;
}

/* Decode every frame of sf. The header's frame count is only a hint:
 * corrupt files lie about it, so the buffer grows as data really arrives. */
static StrimStatus read_all(SNDFILE *sf, const SF_INFO *info, size_t max_samples, StrimAudio *a,
                            char *detail, size_t dlen, const StrimProgress *pr)
{
    if (info->channels < 1 || info->channels > STRIM_MAX_CHANNELS) {
        set_detail(detail, dlen, "channel count out of range");
        return STRIM_ERR_FORMAT;
    }
    if (info->samplerate < 1 || info->samplerate > STRIM_MAX_RATE) {
        set_detail(detail, dlen, "sample rate out of range");
        return STRIM_ERR_FORMAT;
    }
    *a = (StrimAudio){.channels = info->channels, .rate = info->samplerate};
    size_t max_frames = max_samples / (size_t)info->channels;
    size_t cap = 0;
    StrimStatus st = STRIM_OK;
    /* Trust the hint only up to HINT_MAX: a lying header must not make a
     * tiny file allocate a gigabyte up front. */
    if (info->frames > 0 && (uint64_t)info->frames < max_frames)
        st = grow(a, &cap, (size_t)info->frames < HINT_MAX ? (size_t)info->frames + 1 : HINT_MAX,
                  max_frames);
    while (st == STRIM_OK) {
        if (a->frames == cap) {
            st = grow(a, &cap, a->frames + 1, max_frames);
            if (st == STRIM_ERR_TOO_BIG) {
                /* Full: it is only too big if there really is more. */
                float probe[STRIM_MAX_CHANNELS];
                st = sf_readf_float(sf, probe, 1) > 0 ? STRIM_ERR_TOO_BIG : STRIM_OK;
                break;
            }
            if (st != STRIM_OK)
                break;
        }
        size_t room = cap - a->frames;
        sf_count_t got = sf_readf_float(sf, a->data + a->frames * (size_t)a->channels,
                                        (sf_count_t)(room < READ_CHUNK ? room : READ_CHUNK));
        if (got <= 0)
            break;
        a->frames += (size_t)got;
        if (pr && info->frames > 0 && info->frames != SF_COUNT_MAX)
            pr->fn(pr->user, STRIM_STAGE_READ, a->frames, (size_t)info->frames);
    }
    if (st == STRIM_OK && sf_error(sf) != SF_ERR_NO_ERROR) {
        if (detail && dlen)
            snprintf(detail, dlen, "decoding failed after %zu frames: %s", a->frames,
                     sf_strerror(sf));
        st = STRIM_ERR_DAMAGED;
    }
    if (st == STRIM_OK)
        st = check_complete(sf, info, a->frames, detail, dlen);
    if (st != STRIM_OK)
        strim_audio_free(a);
    return st;
}

/* Why sf_open refused a file, in the user's words where libsndfile's are
 * cryptic. path may be NULL (memory input). */
static StrimStatus open_failed(const char *path, char *detail, size_t dlen)
{
    const char *msg = sf_strerror(NULL);
    struct stat s;
    if (path && stat(path, &s) == 0 && S_ISREG(s.st_mode) && s.st_size == 0) {
        set_detail(detail, dlen, "empty file (0 bytes)");
        return STRIM_ERR_DAMAGED;
    }
    /* libsndfile's words for a header whose sample rate is 0. */
    if (strstr(msg, "SF_INFO struct incomplete")) {
        set_detail(detail, dlen, "damaged header: the sample rate is 0 or missing");
        return STRIM_ERR_DAMAGED;
    }
    if (strstr(msg, "Channel count is zero")) {
        set_detail(detail, dlen, "damaged header: the channel count is 0");
        return STRIM_ERR_DAMAGED;
    }
    set_detail(detail, dlen, msg);
    return STRIM_ERR_OPEN;
}

StrimStatus strim_read_file(const char *path, size_t max_samples, StrimAudio *a, char *detail,
                            size_t detail_len, const StrimProgress *progress)
{
    SF_INFO info = {0};
    *a = (StrimAudio){0};
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    if (!sf)
        return open_failed(path, detail, detail_len);
    StrimStatus st = read_all(sf, &info, max_samples, a, detail, detail_len, progress);
    sf_close(sf);
    return st;
}

/* A read-only byte buffer seen through libsndfile's virtual I/O. */
typedef struct {
    const unsigned char *data;
    sf_count_t len, pos;
} MemFile;

static sf_count_t mem_len(void *user)
{
    return ((MemFile *)user)->len;
}

static sf_count_t mem_seek(sf_count_t off, int whence, void *user)
{
    MemFile *m = user;
    sf_count_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? m->pos : m->len;
    sf_count_t to = base + off;
    if (to < 0 || to > m->len)
        return -1;
    m->pos = to;
    return to;
}

static sf_count_t mem_read(void *ptr, sf_count_t count, void *user)
{
    MemFile *m = user;
    sf_count_t n = count < m->len - m->pos ? count : m->len - m->pos;
    if (n <= 0)
        return 0;
    memcpy(ptr, m->data + m->pos, (size_t)n);
    m->pos += n;
    return n;
}

static sf_count_t mem_write(const void *ptr, sf_count_t count, void *user)
{
    return 0; /* read only */
}

static sf_count_t mem_tell(void *user)
{
    return ((MemFile *)user)->pos;
}

StrimStatus strim_read_memory(const void *data, size_t len, size_t max_samples, StrimAudio *a,
                              char *detail, size_t detail_len)
{
    SF_VIRTUAL_IO io = {mem_len, mem_seek, mem_read, mem_write, mem_tell};
    MemFile m = {data, (sf_count_t)len, 0};
    SF_INFO info = {0};
    *a = (StrimAudio){0};
    SNDFILE *sf = sf_open_virtual(&io, SFM_READ, &info, &m);
    if (!sf) {
        if (len == 0) {
            set_detail(detail, detail_len, "empty file (0 bytes)");
            return STRIM_ERR_DAMAGED;
        }
        return open_failed(NULL, detail, detail_len);
    }
    StrimStatus st = read_all(sf, &info, max_samples, a, detail, detail_len, NULL);
    sf_close(sf);
    return st;
}

static int pcm_format(int bits)
{
    switch (bits) {
    case 8:
        return SF_FORMAT_PCM_U8; /* WAV's 8-bit PCM is unsigned */
    case 16:
        return SF_FORMAT_PCM_16;
    case 24:
        return SF_FORMAT_PCM_24;
    }
    return 0;
}

/* Quantize and write every sample; libsndfile takes the top bits of ints. */
static StrimStatus write_frames(SNDFILE *sf, const StrimAudio *a, int bits, AtRand *r,
                                const StrimProgress *pr)
{
    int32_t q[WRITE_CHUNK];
    const int32_t up = INT32_C(1) << (32 - bits);
    size_t total = a->frames * (size_t)a->channels;
    /* Whole frames per chunk keep sf_write_int happy for any channel count. */
    size_t step = WRITE_CHUNK / (size_t)a->channels * (size_t)a->channels;
    for (size_t off = 0; off < total; off += step) {
        size_t n = total - off < step ? total - off : step;
        strim_quantize(a->data + off, q, n, bits, r);
        for (size_t i = 0; i < n; i++)
            q[i] *= up;
        if (sf_write_int(sf, q, (sf_count_t)n) != (sf_count_t)n)
            return STRIM_ERR_WRITE;
        if (pr && (off / step) % 16 == 15)
            pr->fn(pr->user, STRIM_STAGE_WRITE, off + n, total);
    }
    return STRIM_OK;
}

StrimStatus strim_write_wav(const char *path, const StrimAudio *a, int bits, AtRand *r,
                            char *detail, size_t detail_len, const StrimProgress *progress)
{
    int fmt = pcm_format(bits);
    if (!fmt || a->channels < 1 || a->channels > STRIM_MAX_CHANNELS || a->rate < 1)
        return STRIM_ERR_ARG;
    /* Write beside the target and rename (common/fileio.h): an interrupted
     * run never leaves a truncated file under the final name. */
    SF_INFO info = {.samplerate = a->rate, .channels = a->channels, .format = SF_FORMAT_WAV | fmt};
    StrimStatus st = STRIM_OK;
    AtAtomicFile out;
    if (at_atomic_begin(&out, path, NULL, NULL, 0) != 0) {
        int e = errno;
        path_detail(detail, detail_len, path, strerror(e));
        return e == ENOMEM ? STRIM_ERR_NOMEM : STRIM_ERR_WRITE;
    }
    SNDFILE *sf = sf_open_fd(out.fd, SFM_WRITE, &info, SF_FALSE);
    if (!sf) {
        path_detail(detail, detail_len, path, sf_strerror(NULL));
        at_atomic_abort(&out);
        return STRIM_ERR_WRITE;
    }
    st = write_frames(sf, a, bits, r, progress);
    if (st != STRIM_OK)
        path_detail(detail, detail_len, path, sf_strerror(sf));
    if (sf_close(sf) != 0 && st == STRIM_OK) {
        path_detail(detail, detail_len, path, "closing the file failed");
        st = STRIM_ERR_WRITE;
    }
    if (st == STRIM_OK && at_atomic_commit(&out, NULL, 0) != 0) {
        path_detail(detail, detail_len, path, strerror(errno));
        st = STRIM_ERR_WRITE;
    }
    if (st != STRIM_OK)
        at_atomic_abort(&out);
    return st;
}

/* malloc'ed concatenation of up to four strings. */
static char *join(const char *a, const char *b, const char *c, const char *d)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + strlen(d) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s%s%s", a, b, c, d);
    return s;
}

StrimStatus strim_output_path(const char *input, const char *out_dir, int rate, int bits,
                              char **path, char **dir)
{
    *path = *dir = NULL;
    const char *slash = strrchr(input, '/');
    const char *base = slash ? slash + 1 : input;
    if (!*base)
        return STRIM_ERR_ARG;
    const char *dot = strrchr(base, '.');
    size_t stem_len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    char *stem = strndup(base, stem_len);
    if (!stem)
        return STRIM_ERR_NOMEM;
    if (out_dir) {
        *dir = strdup(out_dir);
    } else {
        char folder[64];
        snprintf(folder, sizeof folder, "%d_%dbit", rate, bits);
        char *parent = slash ? strndup(input, (size_t)(slash - input)) : strdup(".");
        /* "/x.wav": the parent is the root, not the empty string. */
        if (parent)
            *dir = join(slash == input ? "" : parent, "/", folder, "");
        free(parent);
    }
    if (*dir)
        *path = join(*dir, "/", stem, ".wav");
    free(stem);
    if (!*path) {
        free(*dir);
        *dir = NULL;
        return STRIM_ERR_NOMEM;
    }
    return STRIM_OK;
}
