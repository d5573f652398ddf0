/* fuzz_session.c - the session file parser (clients/session/sessconf.c):
 * any input either fails with a message or parses; what parses is written
 * back and must parse again to the same clients and connections. */
#include "clients/session/sessconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = 0;
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
        ss_session_free(&s);
    } else if (!err[0]) {
        abort(); /* a failure always says why */
    }
    free(text);
    return 0;
}
