/* fuzz_mothergen.c - libFuzzer target for the mothergen core's event
 * handler. The first bytes pick a configuration; the rest are events run
 * through seq_fuzz.h (valid output, balanced notes, silence after STOP);
 * here also: after STOP no voice has a sounding note. */
#include "clients/mothergen/mothergen.h"
#include "tests/fuzz/seq_fuzz.h"

SEQ_FUZZ_CALLBACKS(mg_setup_dests, mg_event)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 8)
        return 0;
    MgConfig cfg = {
        .start_stop = data[0] & 1,
        .portamento = (MgPortamento)((data[0] >> 1) % 4),
        .portamento_max = data[1] & 0x7F,
        .channel = {data[2] & 15, data[3] & 15, data[4] & 15},
        .key = data[5] % 12,
        .seed = data[6],
    };
    Mg mg;
    mg_init(&mg, &cfg);
    SeqFuzzCore c = {
        .core = &mg, .n_dests = MG_DEST_COUNT, .setup = seq_fuzz_setup, .event = seq_fuzz_event};
    seq_fuzz_run(&c, data[0], data[7] & 7, data, size, 8);
    if (mg.mother[0].sounding >= 0 || mg.mother[1].sounding >= 0 || mg.green.sounding >= 0)
        abort();
    return 0;
}
