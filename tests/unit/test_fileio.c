/* Unit tests for common/fileio: atomic, durable replacement of a file
 * (its failure paths: a folder that cannot be written, a full disk, a
 * crash before the rename) and whole-file reading with a size limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "fileio.h"

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
    char dir[64];
    char path[128];
} Fx;

static void fx_init(Fx *fx)
{
    snprintf(fx->dir, sizeof fx->dir, "/tmp/test_fileio.XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->path, sizeof fx->path, "%s/target.txt", fx->dir);
}

static int fx_setup(void **state)
{
    Fx *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    fx_init(fx);
    *state = fx;
    return 0;
}

static int fx_teardown(void **state)
{
    Fx *fx = *state;
    chmod(fx->dir, 0700);
    DIR *d = opendir(fx->dir);
    assert_non_null(d);
    struct dirent *e;
    char p[512];
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", fx->dir, e->d_name);
            unlink(p);
        }
    closedir(d);
    assert_int_equal(rmdir(fx->dir), 0);
    free(fx);
    return 0;
}

/* The folder's entries: all of them, or only the visible ones. */
static int entries(const char *dir, bool hidden_too)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
            (hidden_too || e->d_name[0] != '.'))
            n++;
    closedir(d);
    return n;
}

static void put_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* The file's content (at most 255 bytes), "" when it cannot be read. */
static const char *content(const char *path)
{
    static char buf[256];
    buf[0] = 0;
    FILE *f = fopen(path, "r");
    if (f) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = 0;
        fclose(f);
    }
    return buf;
}

static void test_write_replaces(void **state)
{
    Fx *fx = *state;
    char err[256] = "";
    mode_t old = umask(022);
    assert_int_equal(at_file_write_atomic(fx->path, "first\n", 6, err, sizeof err), AT_OK);
    assert_string_equal(content(fx->path), "first\n");
    assert_int_equal(at_file_write_atomic(fx->path, "second\n", 7, err, sizeof err), AT_OK);
    assert_string_equal(content(fx->path), "second\n");
    /* The mode a new file gets (0666 less the umask), not mkstemp's 0600. */
    struct stat st;
    assert_int_equal(stat(fx->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    umask(old);
    /* Nothing else is left in the folder, not even a hidden file. */
    assert_int_equal(entries(fx->dir, true), 1);
    /* Bytes, NULs too, and an empty file. */
    assert_int_equal(at_file_write_atomic(fx->path, "a\0b", 3, err, sizeof err), AT_OK);
    size_t len = 0;
    char *back = at_file_read(fx->path, 100, &len, err, sizeof err);
    assert_non_null(back);
    assert_int_equal(len, 3);
    assert_memory_equal(back, "a\0b", 3);
    free(back);
    assert_int_equal(at_file_write_atomic(fx->path, "", 0, err, sizeof err), AT_OK);
    assert_int_equal(entries(fx->dir, true), 1);
    assert_string_equal(content(fx->path), "");
}

/* A bare file name is written in the current folder. */
static void test_write_bare_name(void **state)
{
    Fx *fx = *state;
    char cwd[512];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(fx->dir), 0);
    char err[256] = "";
    assert_int_equal(at_file_write_atomic("bare.txt", "x", 1, err, sizeof err), AT_OK);
    assert_string_equal(content("bare.txt"), "x");
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(entries(fx->dir, true), 1);
}

static bool write_lines(FILE *f, void *ctx)
{
    int n = *(int *)ctx;
    for (int i = 0; i < n; i++)
        if (fprintf(f, "line %d\n", i) < 0)
            return false;
    return true;
}

static bool refuse(FILE *f, void *ctx)
{
    (void)ctx;
    fputs("half", f);
    errno = EPROTO;
    return false;
}

static void test_write_with_stream(void **state)
{
    Fx *fx = *state;
    put_file(fx->path, "old\n");
    char err[256] = "";
    int n = 3;
    assert_int_equal(at_file_write_atomic_with(fx->path, write_lines, &n, err, sizeof err), AT_OK);
    assert_string_equal(content(fx->path), "line 0\nline 1\nline 2\n");
    /* The writer fails: the target keeps its content, no temporary file
     * stays, the message names the file and the writer's reason. */
    assert_int_equal(at_file_write_atomic_with(fx->path, refuse, NULL, err, sizeof err),
                     AT_ERR_RUNTIME);
    assert_int_equal(errno, EPROTO);
    assert_string_equal(content(fx->path), "line 0\nline 1\nline 2\n");
    assert_int_equal(entries(fx->dir, true), 1);
    assert_non_null(strstr(err, fx->path));
    assert_non_null(strstr(err, strerror(EPROTO)));
}

/* Run fn in a child process, as user nobody when nobody is set (root
 * writes into any folder); the child's wait status. */
static int in_child(void (*fn)(Fx *), Fx *fx, bool nobody)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (nobody && getuid() == 0 &&
            (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0))
            _exit(3);
        fn(fx);
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

/* The child's checks passed (it exited with 0). */
static void assert_passed(int status)
{
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void write_in_readonly(Fx *fx)
{
    char err[512] = "";
    if (at_file_write_atomic(fx->path, "new\n", 4, err, sizeof err) != AT_ERR_RUNTIME)
        _exit(10);
    if (errno != EACCES)
        _exit(11);
    /* "cannot write PATH: cannot create a file in FOLDER: Permission denied" */
    char want[512];
    snprintf(want, sizeof want, "cannot write %s: cannot create a file in %s: %s", fx->path,
             fx->dir, strerror(EACCES));
    if (strcmp(err, want) != 0) {
        fprintf(stderr, "got  %s\nwant %s\n", err, want);
        _exit(12);
    }
}

static void test_folder_not_writable(void **state)
{
    Fx *fx = *state;
    put_file(fx->path, "old\n");
    assert_int_equal(chmod(fx->path, 0644), 0);
    assert_int_equal(chmod(fx->dir, 0555), 0);
    assert_passed(in_child(write_in_readonly, fx, true));
    assert_string_equal(content(fx->path), "old\n");
    assert_int_equal(entries(fx->dir, true), 1);
}

static void test_folder_missing(void **state)
{
    (void)state;
    char err[256] = "";
    assert_int_equal(at_file_write_atomic("/nonexistent-aiotone/x.txt", "x", 1, err, sizeof err),
                     AT_ERR_RUNTIME);
    assert_int_equal(errno, ENOENT);
    assert_string_equal(err, "cannot write /nonexistent-aiotone/x.txt: cannot create a file in "
                             "/nonexistent-aiotone: No such file or directory");
}

/* A full disk: the temporary file is /dev/full, so every write fails with
 * ENOSPC; the target keeps its old content and the temporary name goes. */
static void test_disk_full(void **state)
{
    Fx *fx = *state;
    put_file(fx->path, "old\n");
    char tmp[256], err[512] = "";
    snprintf(tmp, sizeof tmp, "%s/.target.txt.part", fx->dir);
    assert_int_equal(symlink("/dev/full", tmp), 0);
    AtAtomicFile a;
    assert_int_equal(at_atomic_begin(&a, fx->path, tmp, err, sizeof err), 0);
    FILE *f = at_atomic_stream(&a);
    assert_non_null(f);
    static char block[65536];
    memset(block, 'x', sizeof block);
    fwrite(block, 1, sizeof block, f); /* fails at the flush at the latest */
    assert_int_equal(at_atomic_commit(&a, err, sizeof err), -1);
    assert_int_equal(errno, ENOSPC);
    assert_int_equal(a.failed, AT_FILE_STEP_WRITE);
    char want[512];
    snprintf(want, sizeof want, "cannot write %s: %s", fx->path, strerror(ENOSPC));
    assert_string_equal(err, want);
    assert_string_equal(content(fx->path), "old\n");
    assert_int_equal(entries(fx->dir, true), 1);
    /* The released handle can be aborted again without harm. */
    at_atomic_abort(&a);
}

/* A full disk seen as a file-size limit (EFBIG), through the plain call. */
static void write_over_limit(Fx *fx)
{
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl = {4096, 4096};
    if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
        _exit(20);
    static char block[65536];
    memset(block, 'y', sizeof block);
    char err[512] = "";
    if (at_file_write_atomic(fx->path, block, sizeof block, err, sizeof err) != AT_ERR_RUNTIME)
        _exit(21);
    if (errno != EFBIG || !strstr(err, strerror(EFBIG)) || !strstr(err, fx->path))
        _exit(22);
}

static void test_file_size_limit(void **state)
{
    Fx *fx = *state;
    put_file(fx->path, "old\n");
    assert_passed(in_child(write_over_limit, fx, false));
    assert_string_equal(content(fx->path), "old\n");
    assert_int_equal(entries(fx->dir, true), 1);
}

/* Write half of the new content, then die before the commit. */
static void crash_half_written(Fx *fx)
{
    AtAtomicFile a;
    if (at_atomic_begin(&a, fx->path, NULL, NULL, 0) != 0)
        _exit(1);
    FILE *f = at_atomic_stream(&a);
    if (!f || fputs("new content, half wri", f) < 0 || fflush(f) != 0)
        _exit(2);
    raise(SIGKILL);
    _exit(3);
}

/* A crash between the write and the rename: the target keeps its old
 * content and no partial file is visible (the temporary one is hidden). */
static void test_crash_before_rename(void **state)
{
    Fx *fx = *state;
    put_file(fx->path, "old content\n");
    int status = in_child(crash_half_written, fx, false);
    assert_true(WIFSIGNALED(status));
    assert_string_equal(content(fx->path), "old content\n");
    assert_int_equal(entries(fx->dir, false), 1);
    /* The hidden temporary file holds the half-written text, beside it. */
    assert_int_equal(entries(fx->dir, true), 2);
    /* The next write succeeds beside the leftover. */
    char err[256] = "";
    assert_int_equal(at_file_write_atomic(fx->path, "next\n", 5, err, sizeof err), AT_OK);
    assert_string_equal(content(fx->path), "next\n");
}

/* Abort leaves the target as it was; two writes in flight get two
 * temporary files and the last commit wins. */
static void test_abort_and_two_in_flight(void **state)
{
    Fx *fx = *state;
    put_file(fx->path, "old\n");
    AtAtomicFile a, b;
    assert_int_equal(at_atomic_begin(&a, fx->path, NULL, NULL, 0), 0);
    assert_int_equal(at_atomic_begin(&b, fx->path, NULL, NULL, 0), 0);
    assert_string_not_equal(a.tmp, b.tmp);
    assert_int_equal(write(a.fd, "A\n", 2), 2);
    assert_int_equal(write(b.fd, "B\n", 2), 2);
    assert_int_equal(entries(fx->dir, true), 3);
    at_atomic_abort(&a);
    assert_string_equal(content(fx->path), "old\n");
    assert_int_equal(entries(fx->dir, true), 2);
    assert_int_equal(at_atomic_commit(&b, NULL, 0), 0);
    assert_int_equal(b.failed, AT_FILE_STEP_NONE);
    assert_string_equal(content(fx->path), "B\n");
    assert_int_equal(entries(fx->dir, true), 1);
}

/* The rename fails (the target is a non-empty folder): the step and both
 * names are reported, the temporary file goes. */
static void test_rename_fails(void **state)
{
    Fx *fx = *state;
    assert_int_equal(mkdir(fx->path, 0755), 0);
    char inner[256];
    snprintf(inner, sizeof inner, "%s/keep", fx->path);
    put_file(inner, "k");
    AtAtomicFile a;
    char err[512] = "";
    assert_int_equal(at_atomic_begin(&a, fx->path, NULL, err, sizeof err), 0);
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s", a.tmp);
    assert_int_equal(at_atomic_commit(&a, err, sizeof err), -1);
    assert_int_equal(a.failed, AT_FILE_STEP_RENAME);
    assert_non_null(strstr(err, "rename from"));
    assert_non_null(strstr(err, tmp));
    assert_int_equal(access(tmp, F_OK), -1);
    assert_string_equal(content(inner), "k");
    unlink(inner);
    rmdir(fx->path);
}

static void test_read(void **state)
{
    Fx *fx = *state;
    char err[256] = "";
    size_t len = 99;
    /* Exactly the limit is read; one byte more is refused with EFBIG. */
    put_file(fx->path, "0123456789");
    char *t = at_file_read(fx->path, 10, &len, err, sizeof err);
    assert_non_null(t);
    assert_int_equal(len, 10);
    assert_string_equal(t, "0123456789");
    free(t);
    assert_null(at_file_read(fx->path, 9, &len, err, sizeof err));
    assert_int_equal(errno, EFBIG);
    char want[256];
    snprintf(want, sizeof want, "%s: larger than 9 bytes", fx->path);
    assert_string_equal(err, want);
    /* An empty file is "" with length 0. */
    put_file(fx->path, "");
    t = at_file_read(fx->path, 10, &len, err, sizeof err);
    assert_non_null(t);
    assert_int_equal(len, 0);
    assert_string_equal(t, "");
    free(t);
    /* Larger than the first buffer, NULs kept. */
    static char big[100000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)(i * 7);
    assert_int_equal(at_file_write_atomic(fx->path, big, sizeof big, err, sizeof err), AT_OK);
    t = at_file_read(fx->path, sizeof big, &len, NULL, 0);
    assert_non_null(t);
    assert_int_equal(len, sizeof big);
    assert_memory_equal(t, big, sizeof big);
    assert_int_equal(t[len], 0);
    free(t);
    /* A missing file, a folder. */
    snprintf(want, sizeof want, "%s/nope", fx->dir);
    assert_null(at_file_read(want, 10, NULL, err, sizeof err));
    assert_int_equal(errno, ENOENT);
    assert_non_null(strstr(err, "nope: No such file or directory"));
    assert_null(at_file_read(fx->dir, 10, NULL, err, sizeof err));
    assert_int_equal(errno, EISDIR);
    snprintf(want, sizeof want, "%s: is a directory", fx->dir);
    assert_string_equal(err, want);
}

/* A pipe reads whole; a read error keeps the read's errno. */
static void test_read_stream(void **state)
{
    (void)state;
    FILE *p = popen("printf 'abc\\ndef\\n'", "r");
    assert_non_null(p);
    size_t len = 0;
    char *t = at_file_read_stream(p, 100, &len);
    pclose(p);
    assert_non_null(t);
    assert_int_equal(len, 8);
    assert_string_equal(t, "abc\ndef\n");
    free(t);
    /* /proc/self/mem opens but cannot be read at offset 0. */
    char err[256] = "";
    assert_null(at_file_read("/proc/self/mem", 100, NULL, err, sizeof err));
    assert_int_equal(errno, EIO);
    assert_non_null(strstr(err, "/proc/self/mem: cannot read: "));
}

/* at_exe_dir: the folder of this test binary, "" when it does not fit. */
static void test_exe_dir(void **state)
{
    (void)state;
    char dir[4096], exe[4096], small[4];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    assert_true(n > 0);
    exe[n] = 0;
    *strrchr(exe, '/') = 0;
    at_exe_dir(dir, sizeof dir);
    assert_string_equal(dir, exe);
    at_exe_dir(small, sizeof small);
    assert_string_equal(small, "");
}

#define FX(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
TU_MAIN(FX(test_write_replaces), FX(test_write_bare_name), FX(test_write_with_stream),
        FX(test_folder_not_writable), cmocka_unit_test(test_folder_missing), FX(test_disk_full),
        FX(test_file_size_limit), FX(test_crash_before_rename), FX(test_abort_and_two_in_flight),
        FX(test_rename_fails), FX(test_read), cmocka_unit_test(test_read_stream),
        cmocka_unit_test(test_exe_dir))
