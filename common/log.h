/* log.h - messages from the control thread to stderr, prefixed with the
 * program name. Not for the RT thread (see at_cycle_log in app.h). */
#ifndef AT_LOG_H
#define AT_LOG_H

#include <stdarg.h>

typedef enum { AT_LOG_ERROR, AT_LOG_WARN, AT_LOG_INFO, AT_LOG_DEBUG } AtLogLevel;

/* Set the prefix ("aiotone-fmsynth") and the most verbose level shown. */
void at_log_init(const char *prog, AtLogLevel level);
/* Change the most verbose level shown. */
void at_log_set_level(AtLogLevel level);
/* The prefix set by at_log_init. */
const char *at_log_prog(void);
/* Print one message ("prog: warning: text"); a newline is added. */
void at_log(AtLogLevel level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same with a va_list. */
void at_vlog(AtLogLevel level, const char *fmt, va_list ap);

#define at_error(...) at_log(AT_LOG_ERROR, __VA_ARGS__)
#define at_warn(...) at_log(AT_LOG_WARN, __VA_ARGS__)
#define at_info(...) at_log(AT_LOG_INFO, __VA_ARGS__)
#define at_debug(...) at_log(AT_LOG_DEBUG, __VA_ARGS__)

#endif
