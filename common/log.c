/* log.c - prefixed messages on stderr. */
#include "log.h"

#include <pthread.h>
#include <stdio.h>

static const char *log_prog = "aiotone";
static AtLogLevel log_level = AT_LOG_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void at_log_init(const char *prog, AtLogLevel level)
{
    log_prog = prog;
    log_level = level;
}

void at_log_set_level(AtLogLevel level)
{
    log_level = level;
}

const char *at_log_prog(void)
{
    return log_prog;
}

void at_vlog(AtLogLevel level, const char *fmt, va_list ap)
{
    static const char *const tags[] = {"error: ", "warning: ", "", ""};
    if (level > log_level)
        return;
    pthread_mutex_lock(&log_lock);
    fprintf(stderr, "%s: %s", log_prog, tags[level]);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    fflush(stderr);
    pthread_mutex_unlock(&log_lock);
}

void at_log(AtLogLevel level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    at_vlog(level, fmt, ap);
    va_end(ap);
}
