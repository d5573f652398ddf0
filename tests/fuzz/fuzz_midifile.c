/* fuzz_midifile - libFuzzer target for fmsynth's Standard MIDI File reader
 * (structural check + libsmf), and a short render of whatever it accepts. */
#include "clients/fmsynth/fmrender.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int discard(void *ctx, const float *l, const float *r, uint32_t n)
{
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FmSong song;
    char err[512];
    if (fm_song_load_memory(&song, data, size, err, sizeof err) != FM_OK)
        return 0;
    /* Play at most the first 64 events so a long song stays fast. */
    if (song.count > 64)
        song.count = 64;
    for (size_t i = 0; i < song.count; i++)
        if (song.events[i].seconds > 2.0)
            song.events[i].seconds = 2.0;
    song.length = song.length > 2.0 ? 2.0 : song.length;
    FmSynth *s = NULL;
    if (fm_synth_new(&s, 8000, 4, NULL) == FM_OK) {
        FmRenderStats st;
        fm_song_render(s, &song, 8000, 256, 0.05, discard, NULL, NULL, NULL, &st);
        if (st.nans)
            __builtin_trap();
        fm_synth_free(s);
    }
    fm_song_free(&song);
    return 0;
}
