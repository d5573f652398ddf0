/* params_int.h - what the files of the parameter registry share (params.c:
 * the registry, lookups, getters, origin, fill, snapshots; paramset.c:
 * checking and setting values, formatting; paramload.c: reading a config
 * file; paramwrite.c: writing one, saving state); not for the tools. */
#ifndef AT_PARAMS_INT_H
#define AT_PARAMS_INT_H

#include "params.h"

struct AtParams {
    char *tool;
    AtParamDef *defs;
    AtParamValue *vals;
    char **origin; /* the file each value was loaded from (NULL: not from a file) */
    int *line;     /* and its line there */
    size_t n;
};

/* strdup(s), NULL for NULL (params.c). */
char *atp_xstrdup(const char *s);
/* Free a string list value and leave it empty (params.c). */
void atp_free_list(AtParamValue *v);
/* Where the value of parameter i came from: file and line, or none
 * (params.c). */
void atp_set_origin(AtParams *p, int i, const char *file, int line);

/* An error message into err (nothing when err is NULL or errlen 0)
 * (paramset.c). */
void atp_put_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "must be ..." text for a parameter, for error messages and docs
 * (paramset.c). */
void atp_allowed_text(const AtParamDef *d, char *out, size_t outlen);
/* Write s as a libconfig string literal (paramset.c). */
void atp_quote(const char *s, char *out, size_t outlen);

/* The first segment of key k below group (its first gl chars; 0: the top
 * level) into name, cut to 63 chars, and where it starts into *rest; its
 * full length, or -1 when k is not below group (paramload.c). */
int atp_key_segment(const char *k, const char *group, size_t gl, char name[64], const char **rest);
/* Add name to the n names in seen (room for max); false when it is there
 * already or there is no room (paramload.c). */
bool atp_add_name(char (*seen)[64], int *n, int max, const char *name);

#endif
