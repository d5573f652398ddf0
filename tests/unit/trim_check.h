/* trim_check.h - for the sampletrim core's tests (test_sampletrim,
 * test_sampletrim_edges): strim_trim_points on a buffer, and the start and
 * end frames it must find. */
#ifndef AT_TRIM_CHECK_H
#define AT_TRIM_CHECK_H

#include "clients/sampletrim/sampletrim.h"

#include <stdint.h>

static inline void assert_trim(const float *buf, size_t frames, int channels, size_t window,
                               double start_threshold, double end_threshold, size_t want_start,
                               size_t want_end)
{
    size_t s = SIZE_MAX, e = SIZE_MAX; /* never a frame: a point left unset shows */
    strim_trim_points(buf, frames, channels, window, start_threshold, end_threshold, &s, &e);
    assert_int_equal(s, want_start);
    assert_int_equal(e, want_end);
}

#endif
