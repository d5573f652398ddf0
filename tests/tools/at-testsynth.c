/* at-testsynth - a test instrument for samplesnake's integration tests.
 *
 * As a JACK client (ports midi_in, out_L, out_R) it answers each note-on
 * with a sine of the note's frequency (A4 = 440 Hz), starting at phase 0 at
 * the event's exact frame, at level velocity/127 on out_L and half that on
 * out_R; a note-off starts a linear release tail (--release seconds).
 * --noise adds white noise of that peak level (for the auto threshold).
 *
 * With --analyze FILE it reads a WAV instead and prints one line of
 * key=value facts for the tests (format, onset, pitch, tail end). */
#include "tools/toolutil.h"
#include <getopt.h>
#include <jack/jack.h>
#include <jack/midiport.h>
#include <math.h>
#include <signal.h>
#include <sndfile.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VOICES 16

typedef struct {
    bool on; /* sounding (held or releasing) */
    bool releasing;
    int note;
    double phase, step;
    float amp, gain; /* gain: 1 while held, falls to 0 in the release */
} Voice;

static Voice voices[VOICES];
static jack_client_t *client;
static jack_port_t *midi_in, *out_l, *out_r;
static double release_frames = 1;
static float noise_level;
static uint32_t noise_state = 12345;

static float noise(void)
{
    noise_state = noise_state * 1664525u + 1013904223u;
    return noise_level * ((float)(noise_state >> 8) / 8388608.0f - 1.0f);
}

static void note_on(int note, int vel, double rate)
{
    Voice *v = &voices[0];
    for (int i = 0; i < VOICES; i++) {
        if (!voices[i].on || voices[i].note == note) {
            v = &voices[i];
            break;
        }
    }
    v->on = true;
    v->releasing = false;
    v->note = note;
    v->phase = 0.0;
    v->step = 2.0 * M_PI * 440.0 * pow(2.0, (note - 69) / 12.0) / rate;
    v->amp = (float)vel / 127.0f;
    v->gain = 1.0f;
}

static void note_off(int note)
{
    for (int i = 0; i < VOICES; i++) {
        if (voices[i].on && !voices[i].releasing && voices[i].note == note)
            voices[i].releasing = true;
    }
}

static void render(float *l, float *r, uint32_t from, uint32_t to)
{
    for (uint32_t f = from; f < to; f++) {
        float s = 0.0f;
        for (int i = 0; i < VOICES; i++) {
            Voice *v = &voices[i];
            if (!v->on)
                continue;
            s += v->amp * v->gain * (float)sin(v->phase);
            v->phase += v->step;
            if (v->phase > 2.0 * M_PI)
                v->phase -= 2.0 * M_PI;
            if (v->releasing) {
                v->gain -= (float)(1.0 / release_frames);
                if (v->gain <= 0.0f)
                    v->on = false;
            }
        }
        float n = noise_level > 0.0f ? noise() : 0.0f;
        l[f] = s + n;
        r[f] = 0.5f * s + n;
    }
}

static int process(jack_nframes_t nframes, void *arg)
{
    (void)arg;
    void *mb = jack_port_get_buffer(midi_in, nframes);
    float *l = jack_port_get_buffer(out_l, nframes);
    float *r = jack_port_get_buffer(out_r, nframes);
    double rate = jack_get_sample_rate(client);
    uint32_t done = 0, n = jack_midi_get_event_count(mb);
    for (uint32_t k = 0; k < n; k++) {
        jack_midi_event_t e;
        if (jack_midi_event_get(&e, mb, k) != 0 || e.size < 3)
            continue;
        render(l, r, done, e.time);
        done = e.time;
        uint8_t type = e.buffer[0] & 0xF0;
        if (type == 0x90 && e.buffer[2] > 0)
            note_on(e.buffer[1], e.buffer[2], rate);
        else if (type == 0x80 || type == 0x90)
            note_off(e.buffer[1]);
    }
    render(l, r, done, nframes);
    return 0;
}

/* ---------- analysis ---------- */

/* Frequency from positive-going zero crossings of x in [from, to), at
 * most max_cross of them; 0 when fewer than 2. */
static double crossings_hz(const float *x, int ch, long from, long to, int max_cross, int rate)
{
    double first = -1, last = -1;
    int n = 0;
    for (long i = from + 1; i < to && n < max_cross; i++) {
        float a = x[2 * (i - 1) + ch], b = x[2 * i + ch];
        if (a < 0.0f && b >= 0.0f) {
            double t = (double)(i - 1) + a / (a - b);
            if (n == 0)
                first = t;
            last = t;
            n++;
        }
    }
    return n >= 2 ? (n - 1) / (last - first) * rate : 0.0;
}

static int analyze(const char *path, double threshold)
{
    SF_INFO info = {0};
    SNDFILE *f = sf_open(path, SFM_READ, &info);
    if (!f) {
        fprintf(stderr, "at-testsynth: %s: %s\n", path, sf_strerror(NULL));
        return 1;
    }
    long frames = (long)info.frames;
    float *x = calloc((size_t)(frames > 0 ? frames : 1) * (size_t)info.channels, sizeof *x);
    if (sf_readf_float(f, x, frames) != frames) {
        fprintf(stderr, "at-testsynth: %s: short read\n", path);
        return 1;
    }
    sf_close(f);
    int ch = info.channels;
    long onset = -1, last = -1;
    double peak_l = 0, peak_r = 0;
    for (long i = 0; i < frames; i++) {
        double a = fabs(x[(size_t)i * ch]), b = ch > 1 ? fabs(x[(size_t)i * ch + 1]) : 0;
        peak_l = a > peak_l ? a : peak_l;
        peak_r = b > peak_r ? b : peak_r;
        if (a >= threshold || b >= threshold) {
            if (onset < 0)
                onset = i;
            last = i;
        }
    }
    double hz = 0, hz_start = 0, first = 0;
    if (onset >= 0 && ch == 2) {
        long to = onset + info.samplerate / 10 < last ? onset + info.samplerate / 10 : last;
        hz = crossings_hz(x, 0, onset > 0 ? onset - 1 : 0, to, 1 << 30, info.samplerate);
        hz_start = crossings_hz(x, 0, onset > 0 ? onset - 1 : 0, last, 4, info.samplerate);
        first = x[(size_t)onset * ch];
    }
    printf("frames=%ld channels=%d rate=%d float=%d onset=%ld last=%ld peak_l=%.6f "
           "peak_r=%.6f hz=%.3f hz_start=%.3f first=%.6f\n",
           frames, ch, info.samplerate,
           (info.format & SF_FORMAT_SUBMASK) == SF_FORMAT_FLOAT &&
               (info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_WAV,
           onset, last, peak_l, peak_r, hz, hz_start, first);
    free(x);
    return 0;
}

/* ---------- main ---------- */

static void usage(FILE *f)
{
    fprintf(f, "usage: at-testsynth [-n NAME] [--release SECONDS] [--noise LEVEL]\n"
               "       at-testsynth --analyze FILE.wav [--threshold LEVEL]\n"
               "A JACK test instrument: midi_in -> sine at the note's pitch, level\n"
               "velocity/127 on out_L (half on out_R), linear release tail.\n"
               "--analyze prints: frames channels rate float onset last peak_l peak_r\n"
               "hz (over 100 ms from the onset) hz_start (first 3 periods) first.\n");
}

int main(int argc, char **argv)
{
    const char *name = "testsynth", *wav = NULL;
    double release = 0.2, threshold = 1e-6;
    static const struct option opts[] = {
        {"name", required_argument, NULL, 'n'},
        {"release", required_argument, NULL, 'r'},
        {"noise", required_argument, NULL, 'N'},
        {"analyze", required_argument, NULL, 'a'},
        {"threshold", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            name = optarg;
            break;
        case 'r':
            release = atof(optarg);
            break;
        case 'N':
            noise_level = (float)atof(optarg);
            break;
        case 'a':
            wav = optarg;
            break;
        case 't':
            threshold = atof(optarg);
            break;
        default:
            return tt_usage_exit(usage, c);
        }
    }
    if (wav)
        return analyze(wav, threshold);
    jack_status_t st;
    client = jack_client_open(name, JackNoStartServer, &st);
    if (!client) {
        fprintf(stderr, "at-testsynth: cannot connect to JACK (status 0x%x)\n", st);
        return 1;
    }
    release_frames = release * jack_get_sample_rate(client);
    if (release_frames < 1)
        release_frames = 1;
    midi_in = jack_port_register(client, "midi_in", JACK_DEFAULT_MIDI_TYPE, JackPortIsInput, 0);
    out_l = jack_port_register(client, "out_L", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
    out_r = jack_port_register(client, "out_R", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
    if (!midi_in || !out_l || !out_r) {
        fprintf(stderr, "at-testsynth: cannot register ports\n");
        return 1;
    }
    jack_set_process_callback(client, process, NULL);
    tt_catch_signals();
    if (jack_activate(client) != 0) {
        fprintf(stderr, "at-testsynth: cannot activate\n");
        return 1;
    }
    printf("at-testsynth: running as %s\n", jack_get_client_name(client));
    fflush(stdout);
    while (!quit)
        usleep(20000);
    jack_deactivate(client);
    jack_client_close(client);
    return 0;
}
