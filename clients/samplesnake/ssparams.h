/* ssparams.h - samplesnake's parameters, declared once (see params.h). */
#ifndef SN_PARAMS_H
#define SN_PARAMS_H

#include "params.h"

#include <stddef.h>

/* The table of samplesnake's parameters; *n gets its length. */
const AtParamDef *sn_param_table(size_t *n);

#endif
