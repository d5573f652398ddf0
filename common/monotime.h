/* monotime.h - seconds on the monotonic clock, for time-outs, back-offs
 * and progress (never for timestamps: it starts at an arbitrary point). */
#ifndef AT_MONOTIME_H
#define AT_MONOTIME_H

double at_mono_now(void);

#endif
