/* Fuzz OSC packet dispatch (messages, bundles, nesting): malformed input
 * is dropped, never a crash. */
#include "fuzz/fuzz_text.h"
#include "osc.h"

#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void handler(void *user, AtOsc *osc, const AtOscMsg *msg)
{
    (void)user;
    (void)osc;
    /* touch every argument the way the tools do */
    for (int i = 0; i < msg->argc; i++) {
        char t = msg->types[i];
        if (t == 's' && strlen(at_osc_arg_str(msg->argv[i])) > 100000)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static AtOsc *osc;
    if (!osc) {
        char err[256];
        osc = at_osc_open("127.0.0.1", 0, NULL, 0, handler, NULL, err, sizeof err);
        if (!osc)
            abort();
    }
    unsigned char *buf = (unsigned char *)fz_text(data, size);
    if (!buf)
        return 0;
    struct sockaddr_storage from;
    memset(&from, 0, sizeof from);
    struct sockaddr_in *a = (struct sockaddr_in *)&from;
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(0x7f000001);
    at_osc_dispatch_packet(osc, buf, size, &from, sizeof from);
    free(buf);
    return 0;
}
