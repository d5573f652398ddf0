/* sessfile.h - private to the modules of the session file (sessconf.c,
 * sessparse.c, sesswrite.c, hosts.c): the readers of a libconfig group
 * that the session's sections and its hosts list share, so every error
 * reads "FILE:LINE: key 'K': what is wrong: what is allowed"
 * (ss_conf_error), and the names of the session's enums. */
#ifndef SS_SESSFILE_H
#define SS_SESSFILE_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>

/* Where messages go: the file's name and the caller's buffer. */
typedef struct {
    const char *file;
    char *err;
    size_t errlen;
} SsConfCtx;

/* How a whole number's range is said: "must be 1..9" (SS_INT_RANGE),
 * "must be a whole number 1..9" (SS_INT_WHOLE), "must be a power of two
 * 16..8192" (SS_INT_POW2, which also rejects other numbers). */
typedef enum { SS_INT_RANGE, SS_INT_WHOLE, SS_INT_POW2 } SsIntRule;

/* The names the session file spells SsDriver, SsBridge and SsJobsDone
 * with, in enum order. */
extern const char *const ss_driver_names[3];
extern const char *const ss_bridge_names[3];
extern const char *const ss_jobs_done_names[2];

/* The line of a setting in its file. */
int ss_conf_line(const config_setting_t *st);
/* An error about member name of group g, found under where: at the
 * member's line, key "where.name". */
void ss_conf_member_error(const SsConfCtx *x, const config_setting_t *g, const char *where,
                          const char *name, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Every member of group g (found under where, "" at the top) must be one
 * of allowed (NULL-terminated), listed as allowed_text in the error. */
bool ss_conf_only_keys(const SsConfCtx *x, const config_setting_t *g, const char *where,
                       const char *const *allowed, const char *allowed_text);
/* A string member of g: *out NULL when absent (an error when required). */
bool ss_conf_string(const SsConfCtx *x, const config_setting_t *g, const char *where,
                    const char *name, bool required, const char **out);
/* An optional whole-number member of g in lo..hi; *out is kept when absent. */
bool ss_conf_int(const SsConfCtx *x, const config_setting_t *g, const char *where, const char *name,
                 int lo, int hi, SsIntRule rule, int *out);
/* Member name of g holds v, which must be an id (ss_valid_id: a client
 * id or a host name, what says which). */
bool ss_conf_id(const SsConfCtx *x, const config_setting_t *g, const char *where, const char *name,
                const char *what, const char *v);
/* An optional true/false member of g; *out is kept when absent. */
bool ss_conf_bool(const SsConfCtx *x, const config_setting_t *g, const char *where,
                  const char *name, bool *out);
/* An optional string member of g that must be one of names[0..n): its
 * index in *out, kept when absent. */
bool ss_conf_enum(const SsConfCtx *x, const config_setting_t *g, const char *where,
                  const char *name, const char *const *names, int n, int *out);

#endif
