/* status.h - the status code every common module and tool shell returns.
 * The values are the process exit statuses (docs/architecture.md). A core
 * that needs finer reasons (fmsynth's FmStatus, sampletrim's StrimStatus)
 * keeps its own enum and maps it onto these at the shell. */
#ifndef AT_STATUS_H
#define AT_STATUS_H

typedef enum {
    AT_OK = 0,
    AT_ERR_USAGE = 2,   /* bad config or usage: exit status 2 */
    AT_ERR_RUNTIME = 1, /* runtime failure: exit status 1 */
} AtStatus;

#endif
