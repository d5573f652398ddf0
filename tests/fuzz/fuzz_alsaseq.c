/* Fuzz the ALSA name handling: spec parsing, formatting, lookup and the
 * bridge-name matcher, on arbitrary strings. */
#include "fuzz/fuzz_text.h"
#include "alsaseq.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 600)
        return 0;
    char *s = fz_text(data, size);
    if (!s)
        return 0;
    /* split the input in three strings at the first two NULs/newlines */
    char *parts[3] = {s, "", ""};
    int k = 1;
    for (size_t i = 0; i < size && k < 3; i++)
        if (s[i] == '\n') {
            s[i] = 0;
            parts[k++] = s + i + 1;
        }
    char client[AT_SEQ_NAME_MAX], port[AT_SEQ_NAME_MAX];
    if (at_seq_parse_spec(parts[0], client, sizeof client, port, sizeof port)) {
        if (strlen(client) >= sizeof client || strlen(port) >= sizeof port)
            abort();
    }
    AtSeqPort ports[2];
    memset(ports, 0, sizeof ports);
    snprintf(ports[0].client_name, sizeof ports[0].client_name, "%s", parts[1]);
    snprintf(ports[0].port_name, sizeof ports[0].port_name, "%s", parts[2]);
    ports[0].client = 20;
    ports[0].readable = ports[0].writable = true;
    snprintf(ports[1].client_name, sizeof ports[1].client_name, "%s", parts[2]);
    snprintf(ports[1].port_name, sizeof ports[1].port_name, "%s", parts[1]);
    ports[1].client = 21;
    int found = at_seq_find(ports, 2, parts[0]);
    if (found < -1 || found > 1)
        abort();
    char spec[300];
    /* A formatted spec must find its own port (for names as ALSA makes
     * them: not empty, no surrounding spaces, which specs trim). */
    const char *cn = ports[0].client_name, *pn = ports[0].port_name;
    bool plain = cn[0] && pn[0] && cn[0] != ' ' && pn[0] != ' ' && cn[strlen(cn) - 1] != ' ' &&
                 pn[strlen(pn) - 1] != ' ';
    if (plain && at_seq_format_spec(&ports[0], spec, sizeof spec) &&
        at_seq_find(ports, 1, spec) != 0)
        abort();
    const char *aliases[2] = {parts[1], parts[2]};
    (void)at_seq_bridge_match(parts[1], parts[2], true, parts[0], aliases, 2);
    (void)at_seq_bridge_match_port(&ports[0], false, parts[0], aliases, 2);
    free(s);
    return 0;
}
