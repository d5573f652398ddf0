/* fuzz_session.c - the session file parser (clients/session/sessparse.c, behind sessconf.h):
 * any input either fails with a message or parses; what parses is written
 * back and must parse again to the same clients and connections. The
 * in-place editor a save uses (ss_session_update_text) must give, for any
 * such text, a file that reads back as the changed session and, when
 * nothing changed, the text itself; the line splitter for children's
 * output must emit every byte but the newlines. */
#include "fuzz/fuzz_text.h"
#include "clients/session/sessconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void count_bytes(void *ctx, const char *line, size_t len)
{
    (void)line;
    *(size_t *)ctx += len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_text(data, size);
    if (!text)
        return 0;
    SsSession s, t;
    char err[1024];
    if (ss_session_parse(&s, text, "fuzz.conf", err, sizeof err) == AT_OK) {
        char *again = ss_session_format(&s);
        if (again) {
            if (ss_session_parse(&t, again, "again.conf", err, sizeof err) != AT_OK)
                abort();
            if (t.n_clients != s.n_clients || t.n_conns != s.n_conns)
                abort();
            for (int i = 0; i < s.n_clients; i++)
                if (strcmp(t.clients[i].id, s.clients[i].id) ||
                    t.clients[i].n_args != s.clients[i].n_args)
                    abort();
            ss_session_free(&t);
            free(again);
        }
        char *same = ss_session_update_text(text, &s, &s);
        if (same && strcmp(same, text))
            abort();
        free(same);
        SsSession c;
        if (ss_session_parse(&c, text, "fuzz.conf", err, sizeof err) != AT_OK)
            abort();
        if (ss_session_add_conn(&c, "fuzz:out", "fuzz:in")) {
            c.on_jobs_done = c.on_jobs_done == SS_JOBS_STOP ? SS_JOBS_KEEP_RUNNING : SS_JOBS_STOP;
            char *edited = ss_session_update_text(text, &s, &c);
            if (edited) {
                if (ss_session_parse(&t, edited, "edited.conf", err, sizeof err) != AT_OK ||
                    !ss_session_same(&t, &c))
                    abort();
                ss_session_free(&t);
                free(edited);
            }
        }
        ss_session_free(&c);
        ss_session_free(&s);
    } else if (!err[0]) {
        abort(); /* a failure always says why */
    }
    SsLines lines = {.len = 0};
    size_t seen = 0, newlines = 0;
    for (size_t i = 0; i < size; i++)
        newlines += data[i] == '\n';
    ss_lines_feed(&lines, (const char *)data, size, count_bytes, &seen);
    ss_lines_flush(&lines, count_bytes, &seen);
    if (seen != size - newlines)
        abort();
    free(text);
    return 0;
}
