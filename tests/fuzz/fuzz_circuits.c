/* fuzz_circuits.c - libFuzzer target for the circuits core's event
 * handler. The first bytes pick a configuration; the rest are events run
 * through seq_fuzz.h (valid output, balanced notes, silence after STOP);
 * here also: after STOP no track has a sounding note. */
#include "clients/circuits/circuits.h"
#include "tests/fuzz/seq_fuzz.h"

SEQ_FUZZ_CALLBACKS(ci_setup_dests, ci_event)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 8)
        return 0;
    CiConfig cfg = {
        .drum_channel = data[1] & 15,
        .bass_channel = data[2] & 15,
        .key_channel = data[3] & 15,
        .key_note = data[4] & 0x7F,
        .seed = (uint64_t)data[5] << 8 | data[6],
    };
    Ci ci;
    ci_init(&ci, &cfg);
    SeqFuzzCore c = {
        .core = &ci, .n_dests = CI_DEST_COUNT, .setup = seq_fuzz_setup, .event = seq_fuzz_event};
    seq_fuzz_run(&c, data[0], data[7] & 3, data, size, 8);
    for (int t = 0; t < CI_TRACKS; t++)
        if (ci.track[t].sounding >= 0)
            abort();
    return 0;
}
