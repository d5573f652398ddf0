/* bench.h - what the benchmarks share: the process's CPU time. */
#ifndef AT_BENCH_H
#define AT_BENCH_H

#include <time.h>

/* CPU seconds this process has used (all threads). */
static inline double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

#endif
