/* params.h - the parameter registry. Each tool declares its parameters once
 * in a table of AtParamDef; from that table come the config-file keys and
 * their validation, --make-config, the OSC addresses (set/get/list) and the
 * saved session state. Not RT: the RT thread sees values only through
 * AtParamMsg messages (see app.h). */
#ifndef AT_PARAMS_H
#define AT_PARAMS_H

#include "status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum {
    AT_PARAM_INT,      /* whole number in [min, max] */
    AT_PARAM_FLOAT,    /* real number in [min, max] */
    AT_PARAM_BOOL,     /* true/false (OSC: i 0/1, f, T/F) */
    AT_PARAM_ENUM,     /* one of choices[]; value.i is the index */
    AT_PARAM_STRING,   /* free text (a path, a note list); value.s */
    AT_PARAM_DURATION, /* seconds; config accepts "30s", "200ms", "500us" or a number */
    AT_PARAM_STRLIST,  /* list of strings (port names to connect) */
    AT_PARAM_INTLIST,  /* list of whole numbers in [min, max] */
    AT_PARAM_ACTION,   /* OSC only: no value, no config key (e.g. panic) */
} AtParamType;

/* Flags. */
enum {
    AT_PARAM_LIVE = 1 << 0,   /* settable over OSC while running */
    AT_PARAM_NOSAVE = 1 << 1, /* not written to saved state */
};

/* 14 (the longest list, mothergen's keys, has 12) keeps AtParamDef at 200 bytes. */
#define AT_PARAM_MAX_CHOICES 14
#define AT_PARAM_MAX_LIST 64

/* How a value is written into a field of a tool's config struct (the
 * struct its core reads): AtParamDef.field, made with AT_BIND. */
typedef enum {
    AT_FIELD_NONE,    /* not bound */
    AT_FIELD_INT,     /* int, or an enum type of int size (INT, ENUM, BOOL) */
    AT_FIELD_BOOL,    /* bool (BOOL) */
    AT_FIELD_DOUBLE,  /* double (FLOAT, DURATION) */
    AT_FIELD_CHANNEL, /* uint8_t: a MIDI channel 1..16 stored as 0..15, as on the wire */
    AT_FIELD_SEED,    /* uint64_t: a random seed; 0 ("random") is resolved off the RT
                         thread to a logged seed 1..2147483646 before anyone sees it */
} AtFieldKind;

typedef struct {
    uint8_t kind;    /* AtFieldKind */
    uint8_t size;    /* sizeof the member, checked against kind */
    uint16_t offset; /* offsetof(struct, member) */
} AtField;

/* Bind a table entry to member of struct type: at_params_fill writes the
 * value there at set-up, at_params_apply on a live change. */
#define AT_BIND(type, member, kind)                                                                \
    {                                                                                              \
        (kind), sizeof(((type *)0)->member), offsetof(type, member)                                \
    }

typedef struct {
    const char *key; /* config path with dots: "patch.op2.ratio" */
    const char *osc; /* OSC path below /<tool>/: "op/2/ratio"; NULL: not on OSC */
    AtParamType type;
    int flags;
    double min, max;     /* numeric range (INT, FLOAT, DURATION, INTLIST items) */
    double def;          /* default for numbers and bools */
    const char *def_str; /* default for STRING; comma-separated for lists */
    const char *choices[AT_PARAM_MAX_CHOICES]; /* ENUM names, NULL-terminated */
    const char *unit;                          /* "s", "Hz", "dB", "" */
    const char *doc;                           /* one line */
    AtField field;       /* the config struct field this value fills (AT_BIND), or none */
    int set;             /* the tool's number of the core setter a live change goes to
                            (e.g. an RbSetting), 0: none */
    const char *old_key; /* a former config key still read, with a warning, or NULL */
} AtParamDef;

/* ---- table entries: one constructor per type ----
 * Each makes one AtParamDef from what every entry of its type needs, in
 * one order: the config key, then the range (lo, hi: min and max) or the
 * choices, then the default, then the one-line doc. After the doc come
 * the entry's other fields as designated initialisers, in any order
 * (.osc, .flags, .unit, .field, .set, .old_key), e.g.
 *
 *     [P_PORTA_MAX] = AT_INT("input.portamento-max", 0, 127, 32,
 *                            "portamento time (CC5) at full mod wheel",
 *                            .osc = "portamento-max", .flags = AT_PARAM_LIVE,
 *                            .field = AT_BIND(MgConfig, portamento_max, AT_FIELD_INT)),
 *
 * is INT 0..127, default 32. A field the constructor already sets cannot
 * be given again (the compiler refuses the override). (The doc is the
 * first of the variable arguments, so an entry that ends with its doc is
 * standard C as well.)
 *
 *   AT_INT(key, lo, hi, def, doc, ...)         whole number lo..hi
 *   AT_FLOAT(key, lo, hi, def, doc, ...)       real number lo..hi
 *   AT_DURATION(key, lo, hi, def, doc, ...)    seconds lo..hi (give .unit = "s")
 *   AT_BOOL(key, def, doc, ...)                def 0 or 1
 *   AT_ENUM(key, (choices), def, doc, ...)     choices in parentheses,
 *                                              ("rez", "off"); def an index
 *   AT_STRING(key, def, doc, ...)              def a string
 *   AT_STRLIST(key, def, doc, ...)             def comma-separated
 *   AT_INTLIST(key, lo, hi, def, doc, ...)     items lo..hi, def comma-separated
 *   AT_CONNECT_PARAM(key, doc)                 a STRLIST of peers a port
 *                                              connects to (config only)
 *   AT_ACTION_PARAM(name, doc, ...)            an OSC command with no value:
 *                                              no config key, no saved state
 * and, after the doc, AT_LIVE(osc, type, member, kind) for the usual
 * .osc, .flags = AT_PARAM_LIVE and .field of a live bound entry. */
#define AT_INT(...) AT_RANGED_(AT_PARAM_INT, __VA_ARGS__)
#define AT_FLOAT(...) AT_RANGED_(AT_PARAM_FLOAT, __VA_ARGS__)
#define AT_DURATION(...) AT_RANGED_(AT_PARAM_DURATION, __VA_ARGS__)
/* The numbers with a range: AT_INT, AT_FLOAT, AT_DURATION. */
#define AT_RANGED_(t, k, lo, hi, dflt, ...)                                                        \
    {                                                                                              \
        .key = (k), .type = (t), .min = (lo), .max = (hi), .def = (dflt), .doc = __VA_ARGS__       \
    }
#define AT_BOOL(k, dflt, ...)                                                                      \
    {                                                                                              \
        .key = (k), .type = AT_PARAM_BOOL, .def = (dflt), .doc = __VA_ARGS__                       \
    }
#define AT_ENUM(k, choice_list, dflt, ...)                                                         \
    {                                                                                              \
        .key = (k), .type = AT_PARAM_ENUM, .choices = {AT_UNPAREN_ choice_list}, .def = (dflt),    \
        .doc = __VA_ARGS__                                                                         \
    }
#define AT_STRING(k, dflt, ...)                                                                    \
    {                                                                                              \
        .key = (k), .type = AT_PARAM_STRING, .def_str = (dflt), .doc = __VA_ARGS__                 \
    }
#define AT_STRLIST(k, dflt, ...)                                                                   \
    {                                                                                              \
        .key = (k), .type = AT_PARAM_STRLIST, .def_str = (dflt), .doc = __VA_ARGS__                \
    }
#define AT_INTLIST(k, lo, hi, dflt, ...)                                                           \
    {                                                                                              \
        .key = (k), .type = AT_PARAM_INTLIST, .min = (lo), .max = (hi), .def_str = (dflt),         \
        .doc = __VA_ARGS__                                                                         \
    }
#define AT_CONNECT_PARAM(k, text)                                                                  \
    {                                                                                              \
        .key = (k), .type = AT_PARAM_STRLIST, .doc = (text)                                        \
    }
#define AT_ACTION_PARAM(name, ...)                                                                 \
    {                                                                                              \
        .key = (name), .osc = (name), .type = AT_PARAM_ACTION, .doc = __VA_ARGS__                  \
    }
/* The fields after the doc of an entry that is set live over OSC at
 * osc_path and fills type.member (an AT_BIND of kind):
 * AT_LIVE("bpm", CkConfig, bpm, AT_FIELD_DOUBLE). */
#define AT_LIVE(osc_path, type, member, kind)                                                      \
    .osc = (osc_path), .flags = AT_PARAM_LIVE, .field = AT_BIND(type, member, kind)
/* ("a", "b") -> "a", "b": the choices of AT_ENUM. */
#define AT_UNPAREN_(...) __VA_ARGS__

/* A current value. Strings and lists are owned by the registry. */
typedef struct {
    int i;                        /* INT, BOOL, ENUM */
    double f;                     /* FLOAT, DURATION */
    char *s;                      /* STRING */
    char **list;                  /* STRLIST items */
    int ilist[AT_PARAM_MAX_LIST]; /* INTLIST items */
    int count;                    /* list length */
} AtParamValue;

typedef struct AtParams AtParams;

/* Build a registry for tool (e.g. "fmsynth") from up to two tables (the
 * tool's, and the common one, at_params_common_defs()). Every parameter
 * starts at its default. Returns NULL on allocation failure. */
AtParams *at_params_new(const char *tool, const AtParamDef *defs, size_t n);
/* Free the registry. */
void at_params_free(AtParams *p);
/* The table of keys every JACK tool has (osc.port, osc.bind, osc.allow). */
const AtParamDef *at_params_common_defs(size_t *n);

/* Number of parameters, and the definition of parameter i. */
size_t at_params_count(const AtParams *p);
const AtParamDef *at_params_def(const AtParams *p, int i);
/* Index of the parameter with config key (or OSC path), -1 if none. */
int at_params_find_key(const AtParams *p, const char *key);
int at_params_find_osc(const AtParams *p, const char *osc);
/* Tool name given to at_params_new. */
const char *at_params_tool(const AtParams *p);

/* Current value of parameter i (read-only view). */
const AtParamValue *at_params_get(const AtParams *p, int i);
/* Shorthands by index (the tool's enum of its table: a misspelt name is a
 * compile error). i must be a valid index. */
int at_params_int_at(const AtParams *p, int i);
double at_params_float_at(const AtParams *p, int i);
bool at_params_bool_at(const AtParams *p, int i);
/* A STRING's text ("" when unset) or an ENUM's choice name. */
const char *at_params_str_at(const AtParams *p, int i);
/* The config key of parameter i (for APIs that take a key). */
const char *at_params_key(const AtParams *p, int i);

/* Write the value of every bound parameter (AtParamDef.field) into cfg,
 * the struct the table's AT_BIND entries name. A SEED of 0 is resolved
 * to a random seed, logged with the key to set to replay it. Control
 * thread. */
void at_params_fill(const AtParams *p, void *cfg);
/* RT safe: write a live change (i for INT, ENUM, BOOL, SEED; f for FLOAT,
 * DURATION) into the field def is bound to in cfg; false when def is not
 * bound. A SEED message already carries a resolved seed (see app.h). */
bool at_params_apply(const AtParamDef *def, void *cfg, int32_t i, double f);
/* A random seed 1..2147483646 for a SEED parameter set to 0 (clock, pid:
 * not for the RT thread). */
int32_t at_params_random_seed(void);

/* Shorthands by config key; abort() on an unknown key (a programming
 * error, caught by any test that runs the tool). Prefer the _at forms. */
int at_params_int(const AtParams *p, const char *key);
double at_params_float(const AtParams *p, const char *key);
bool at_params_bool(const AtParams *p, const char *key);
const char *at_params_str(const AtParams *p, const char *key);
const AtParamValue *at_params_value(const AtParams *p, const char *key);

/* Set parameter i from a number / string, with range and type checks.
 * On error returns false and writes a reason ("must be 0..11") to err. */
bool at_params_set_number(AtParams *p, int i, double v, char *err, size_t errlen);
bool at_params_set_string(AtParams *p, int i, const char *s, char *err, size_t errlen);
/* Set a list parameter from n strings (STRLIST) or numbers (INTLIST). */
bool at_params_set_strlist(AtParams *p, int i, const char *const *items, int n, char *err,
                           size_t errlen);
bool at_params_set_intlist(AtParams *p, int i, const int *items, int n, char *err, size_t errlen);
/* Copy a value into the registry without checks (values from the RT side
 * that were already valid). */
void at_params_store(AtParams *p, int i, const AtParamValue *v);

/* Where the value of parameter i was last loaded from: true with the file
 * and line of its key when at_params_load_file/_string set it (the name
 * given there), false when no file set it. For messages about values a
 * tool checks itself after loading. */
bool at_params_origin(const AtParams *p, int i, const char **file, int *line);
/* "FILE:LINE: key 'KEY'" (or "key 'KEY'" when not from a file), to start
 * a message about a value a tool checks itself. */
void at_params_where(const AtParams *p, const char *key, char *out, size_t outlen);

/* Format the value of parameter i for humans / config files into out. */
void at_params_format(const AtParams *p, int i, char *out, size_t outlen);

/* Load a libconfig file into the registry. Every key in the file must be a
 * known parameter (or a group that leads to one) with the right type and a
 * value in range. On error returns AT_ERR_USAGE with a message of the form
 * "FILE:LINE: key 'a.b': bad value 3.5: must be a whole number 0..11" in
 * err. Keys not in the file keep their values. */
AtStatus at_params_load_file(AtParams *p, const char *path, char *err, size_t errlen);
/* The same from a string (name is used in messages). */
AtStatus at_params_load_string(AtParams *p, const char *text, const char *name, char *err,
                               size_t errlen);
/* Write every parameter (except ACTION and NOSAVE ones when state is true)
 * as a libconfig file, grouped by section; with comments (doc, range,
 * unit) when commented is true. The output loads back to the same values. */
void at_params_write(const AtParams *p, FILE *out, bool commented, bool state);
/* Write state to path atomically (temporary file + rename). */
AtStatus at_params_save_file(const AtParams *p, const char *path, char *err, size_t errlen);

/* Parse a duration ("30s", "200ms", "500us", "1.5", "2 s") into seconds;
 * false when malformed or negative. */
bool at_parse_duration(const char *s, double *seconds);

/* ---- snapshots: undo for a value, or for a whole load ---- */
/* A copy of a value (strings and lists duplicated) that at_params_store
 * can put back; free it with at_params_value_free. */
void at_params_value_copy(AtParamValue *dst, const AtParamValue *src);
void at_params_value_free(AtParamValue *v);
/* Every value of p and its text (at_params_format, up to 511 characters),
 * to put back or to see what changed since; NULL when out of memory. */
typedef struct AtParamsSnapshot AtParamsSnapshot;
AtParamsSnapshot *at_params_snapshot(const AtParams *p);
/* Put parameter i back as it was in the snapshot; every one when i < 0. */
void at_params_restore(AtParams *p, const AtParamsSnapshot *s, int i);
/* Whether parameter i's text differs from the snapshot's. */
bool at_params_changed_since(const AtParams *p, const AtParamsSnapshot *s, int i);
void at_params_snapshot_free(AtParamsSnapshot *s);

#endif
