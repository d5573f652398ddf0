/* monotime.c - see monotime.h. */
#include "monotime.h"

#include <time.h>

double at_mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
