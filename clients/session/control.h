/* control.h - the commands that do not run a session (control.c), and
 * finding the running manager of a folder. Prefix sm_. */
#ifndef SM_CONTROL_H
#define SM_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define SM_URL_FILE ".aiotone-session.url"
#define SM_SAVE_WAIT 10.0

/* Is pid alive and an aiotone-session (not a recycled pid)? */
bool sm_manager_alive(pid_t pid);
/* Read DIR/.aiotone-session.url: "osc.udp://127.0.0.1:PORT/\nPID\n". */
bool sm_read_url_file(const char *file, int *port, pid_t *pid);
/* Write it for this process (atomically: a temporary file renamed). */
bool sm_write_url_file(const char *file, int port, char *err, size_t errlen);
/* The real path of a folder argument. */
bool sm_resolve_dir(const char *arg, char *dir, size_t dirlen);
/* check DIR: validate, find the programs, load the state files. */
int sm_cmd_check(const char *arg);
/* Send path to the manager of DIR and print its answer. */
int sm_cmd_simple(const char *arg, const char *path, double timeout);
/* duplicate SRC DST: through the manager running in SRC (it saves, copies
 * and opens the copy), or a plain copy when none runs there. */
int sm_cmd_duplicate(const char *src, const char *dst);
/* stop DIR: ask the manager to end (without saving) and wait until it has. */
int sm_cmd_stop(const char *arg);

#endif
