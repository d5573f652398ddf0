/* ssparams.h - samplesnake's parameters, declared once (see params.h). */
#ifndef SS_PARAMS_H
#define SS_PARAMS_H

#include "params.h"

#include <stddef.h>

/* The table of samplesnake's parameters; *n gets its length. */
const AtParamDef *ss_param_table(size_t *n);

#endif
