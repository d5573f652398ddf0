/* at-probe - a JACK test peer that plays MIDI events at exact positions
 * and records what comes back, on one timeline of process cycles.
 *
 * It opens two JACK clients: NAME (the sender, port "out") and NAME_rx
 * (the receiver, port "in" and audio inputs), so a chain
 * NAME:out -> tool -> NAME_rx:in has no feedback edge and what the tool
 * writes in a cycle is seen in that same cycle. Both count cycles from the
 * same frame time. Cycle 0 is the first cycle after every requested
 * connection was made. Events to send are CYCLE:OFFSET:HEXBYTES; received
 * MIDI is printed as "CYCLE OFFSET HEXBYTES"; audio inputs are recorded to
 * a float WAV starting at cycle 0, frame 0.
 *
 * With -x it also prints where the timeline cannot be trusted: JACK
 * reported an xrun ("# xrun CYCLE"), or the receiver ran a cycle whose
 * frame time is not one period after the last ("# irregular CYCLE
 * FRAMES"), as when a late client makes JACK run it twice for one cycle
 * or skip one. An xrun is reported from JACK's notification thread, so it
 * is stamped with the first receiver cycle after the report came in. */
#include "tools/toolutil.h"
#include <getopt.h>
#include <jack/jack.h>
#include <jack/midiport.h>
#include <jack/ringbuffer.h>
#include <signal.h>
#include <sndfile.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SEND 65536
#define MAX_AUDIO 8
#define MAX_PEERS 32
#define MAX_BYTES 64

typedef struct {
    uint32_t cycle, offset, size;
    uint8_t data[MAX_BYTES];
} Ev;

static Ev sends[MAX_SEND];
static size_t n_sends, next_send;
static jack_client_t *client, *rx;
static atomic_uint_fast64_t start_frame; /* 0 = not yet; else frame time of cycle 0, +1 */
static jack_port_t *out_port, *in_port, *audio_ports[MAX_AUDIO];
static int n_audio;
static jack_ringbuffer_t *midi_ring, *audio_ring;
static atomic_int start_req, done, overflow;
static atomic_uint xruns; /* counted by JACK's notification thread */
static int mark_xruns;    /* -x */
static int started;
static uint32_t cycle, max_cycles; /* cycle: receiver thread only */

static void usage(FILE *f)
{
    fprintf(f, "usage: at-probe [options]\n"
               "  -n NAME        JACK client name (default probe)\n"
               "  -e C:O:HEX     send bytes HEX (\"90 3c 64\") at cycle C, offset O\n"
               "  -E FILE        read such events, one per line (# comments)\n"
               "  -o PORT        connect NAME:out to PORT\n"
               "  -i PORT        connect PORT to NAME_rx:in\n"
               "  -a PORT        record PORT on a new audio input (repeatable)\n"
               "  -w FILE.wav    write recorded audio there (float, interleaved)\n"
               "  -c CYCLES      stop after this many cycles (default 200)\n"
               "  -W SECONDS     before cycle 0, wait this long for ports to appear\n"
               "  -x             print \"# xrun CYCLE\" and \"# irregular CYCLE FRAMES\"\n"
               "                 where JACK's timing was broken\n"
               "Received MIDI is printed as \"CYCLE OFFSET HEXBYTES\". The first line\n"
               "is \"# rate R period P\".\n");
}

static int parse_event(const char *s)
{
    if (n_sends >= MAX_SEND)
        return -1;
    Ev *e = &sends[n_sends];
    char *end;
    e->cycle = (uint32_t)strtoul(s, &end, 10);
    if (*end != ':')
        return -1;
    e->offset = (uint32_t)strtoul(end + 1, &end, 10);
    if (*end != ':')
        return -1;
    const char *p = end + 1;
    e->size = 0;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        unsigned long b = strtoul(p, &end, 16);
        if (end == p || b > 255 || e->size >= MAX_BYTES)
            return -1;
        e->data[e->size++] = (uint8_t)b;
        p = end;
    }
    if (e->size == 0)
        return -1;
    n_sends++;
    return 0;
}

static int cmp_ev(const void *a, const void *b)
{
    const Ev *x = a, *y = b;
    if (x->cycle != y->cycle)
        return x->cycle < y->cycle ? -1 : 1;
    if (x->offset != y->offset)
        return x->offset < y->offset ? -1 : 1;
    return 0;
}

static int process(jack_nframes_t nframes, void *arg)
{
    (void)arg;
    void *out = jack_port_get_buffer(out_port, nframes);
    jack_midi_clear_buffer(out);
    jack_nframes_t now = jack_last_frame_time(client);
    if (!started) {
        if (!atomic_load(&start_req))
            return 0;
        /* Cycle 0 is the next one, so the receiver knows it in time
         * whatever order JACK runs the two clients in. */
        started = 1;
        atomic_store(&start_frame, (uint64_t)(now + nframes) + 1);
        return 0;
    }
    uint64_t sf = atomic_load(&start_frame) - 1;
    if (now < sf)
        return 0;
    uint32_t cyc = (uint32_t)((now - sf) / nframes);
    while (next_send < n_sends && sends[next_send].cycle <= cyc) {
        Ev *e = &sends[next_send++];
        if (e->cycle == cyc && e->offset < nframes)
            jack_midi_event_write(out, e->offset, e->data, e->size);
    }
    return 0;
}

/* Hand one received event (or mark) to the main thread. */
static void put_ev(const Ev *e)
{
    if (jack_ringbuffer_write_space(midi_ring) >= sizeof *e)
        jack_ringbuffer_write(midi_ring, (const char *)e, sizeof *e);
    else
        atomic_store(&overflow, 1);
}

static int process_rx(jack_nframes_t nframes, void *arg)
{
    (void)arg;
    uint64_t sf1 = atomic_load(&start_frame);
    jack_nframes_t now = jack_last_frame_time(rx);
    if (sf1 == 0 || now < sf1 - 1 || atomic_load(&done))
        return 0;
    cycle = (uint32_t)((now - (sf1 - 1)) / nframes);
    if (mark_xruns) {
        /* Marks are events without bytes: offset 1 = xrun, 2 = irregular
         * (data holds the frames since the last cycle). */
        static unsigned seen_xruns;
        static jack_nframes_t last_now;
        static int have_last;
        unsigned x = atomic_load(&xruns);
        Ev mark = {.cycle = cycle, .size = 0};
        if (x != seen_xruns) {
            seen_xruns = x;
            mark.offset = 1;
            put_ev(&mark);
        }
        if (have_last && now - last_now != nframes) {
            uint32_t d = now - last_now;
            mark.offset = 2;
            memcpy(mark.data, &d, sizeof d);
            put_ev(&mark);
        }
        last_now = now;
        have_last = 1;
    }
    void *in = jack_port_get_buffer(in_port, nframes);
    uint32_t n = jack_midi_get_event_count(in);
    for (uint32_t i = 0; i < n; i++) {
        jack_midi_event_t je;
        if (jack_midi_event_get(&je, in, i) != 0)
            continue;
        Ev e = {.cycle = cycle, .offset = je.time, .size = (uint32_t)je.size};
        if (e.size > MAX_BYTES)
            e.size = MAX_BYTES;
        memcpy(e.data, je.buffer, e.size);
        put_ev(&e);
    }
    if (n_audio > 0) {
        float *bufs[MAX_AUDIO];
        for (int c = 0; c < n_audio; c++)
            bufs[c] = jack_port_get_buffer(audio_ports[c], nframes);
        size_t need = (size_t)nframes * (size_t)n_audio * sizeof(float);
        if (jack_ringbuffer_write_space(audio_ring) < need) {
            atomic_store(&overflow, 1);
        } else {
            for (uint32_t f = 0; f < nframes; f++)
                for (int c = 0; c < n_audio; c++)
                    jack_ringbuffer_write(audio_ring, (const char *)&bufs[c][f], sizeof(float));
        }
    }
    if (cycle + 1 >= max_cycles)
        atomic_store(&done, 1);
    return 0;
}

static int on_xrun(void *arg)
{
    (void)arg;
    atomic_fetch_add(&xruns, 1);
    return 0;
}

static int port_exists(const char *name)
{
    jack_port_t *p = jack_port_by_name(client, name);
    return p != NULL;
}

static void drain(SNDFILE *wav)
{
    Ev e;
    while (jack_ringbuffer_read_space(midi_ring) >= sizeof e) {
        jack_ringbuffer_read(midi_ring, (char *)&e, sizeof e);
        if (e.size == 0) { /* a mark (-x) */
            uint32_t d;
            memcpy(&d, e.data, sizeof d);
            if (e.offset == 1)
                printf("# xrun %u\n", e.cycle);
            else
                printf("# irregular %u %d\n", e.cycle, (int32_t)d);
            continue;
        }
        printf("%u %u", e.cycle, e.offset);
        for (uint32_t i = 0; i < e.size; i++)
            printf(" %02x", e.data[i]);
        printf("\n");
    }
    fflush(stdout);
    float buf[4096];
    size_t frame_bytes = sizeof(float) * (size_t)(n_audio ? n_audio : 1);
    size_t avail;
    while (n_audio > 0 && (avail = jack_ringbuffer_read_space(audio_ring)) >= frame_bytes) {
        size_t want = avail < sizeof buf ? avail : sizeof buf;
        want -= want % frame_bytes;
        jack_ringbuffer_read(audio_ring, (char *)buf, want);
        if (wav)
            sf_writef_float(wav, buf, (sf_count_t)(want / frame_bytes));
    }
}

int main(int argc, char **argv)
{
    const char *name = "probe", *wav_path = NULL;
    const char *outs[MAX_PEERS], *ins[MAX_PEERS], *auds[MAX_AUDIO];
    int n_outs = 0, n_ins = 0;
    double wait_secs = 5.0;
    max_cycles = 200;
    int c;
    while ((c = getopt(argc, argv, "n:e:E:o:i:a:w:c:W:xh")) != -1) {
        switch (c) {
        case 'n':
            name = optarg;
            break;
        case 'e':
            if (parse_event(optarg) != 0) {
                fprintf(stderr, "at-probe: bad event '%s'\n", optarg);
                return 2;
            }
            break;
        case 'E': {
            FILE *f = fopen(optarg, "r");
            if (!f) {
                perror(optarg);
                return 2;
            }
            char line[512];
            while (fgets(line, sizeof line, f)) {
                line[strcspn(line, "\r\n#")] = 0;
                if (!line[0])
                    continue;
                if (parse_event(line) != 0) {
                    fprintf(stderr, "at-probe: bad event '%s'\n", line);
                    return 2;
                }
            }
            fclose(f);
            break;
        }
        case 'o':
            if (n_outs < MAX_PEERS)
                outs[n_outs++] = optarg;
            break;
        case 'i':
            if (n_ins < MAX_PEERS)
                ins[n_ins++] = optarg;
            break;
        case 'a':
            if (n_audio < MAX_AUDIO)
                auds[n_audio++] = optarg;
            break;
        case 'w':
            wav_path = optarg;
            break;
        case 'c':
            max_cycles = (uint32_t)strtoul(optarg, NULL, 10);
            break;
        case 'W':
            wait_secs = atof(optarg);
            break;
        case 'x':
            mark_xruns = 1;
            break;
        default:
            return tt_usage_exit(usage, c);
        }
    }
    qsort(sends, n_sends, sizeof sends[0], cmp_ev);
    jack_status_t st;
    client = jack_client_open(name, JackNoStartServer, &st);
    if (!client) {
        fprintf(stderr, "at-probe: cannot connect to JACK (status 0x%x)\n", st);
        return 1;
    }
    out_port = jack_port_register(client, "out", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
    char rxname[160];
    snprintf(rxname, sizeof rxname, "%s_rx", name);
    rx = jack_client_open(rxname, JackNoStartServer, &st);
    if (!rx) {
        fprintf(stderr, "at-probe: cannot open the receiver client (status 0x%x)\n", st);
        return 1;
    }
    in_port = jack_port_register(rx, "in", JACK_DEFAULT_MIDI_TYPE, JackPortIsInput, 0);
    for (int i = 0; i < n_audio; i++) {
        char pn[32];
        snprintf(pn, sizeof pn, "audio_in%d", i + 1);
        audio_ports[i] = jack_port_register(rx, pn, JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
    }
    midi_ring = jack_ringbuffer_create(1 << 22);
    audio_ring = jack_ringbuffer_create(1 << 25);
    jack_set_process_callback(client, process, NULL);
    jack_set_process_callback(rx, process_rx, NULL);
    jack_set_xrun_callback(rx, on_xrun, NULL);
    tt_catch_signals();
    uint32_t rate = jack_get_sample_rate(client);
    SNDFILE *wav = NULL;
    if (wav_path && n_audio > 0) {
        SF_INFO info = {.samplerate = (int)rate,
                        .channels = n_audio,
                        .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
        wav = sf_open(wav_path, SFM_WRITE, &info);
        if (!wav) {
            fprintf(stderr, "at-probe: %s: %s\n", wav_path, sf_strerror(NULL));
            return 1;
        }
    }
    printf("# rate %u period %u\n", rate, jack_get_buffer_size(client));
    fflush(stdout);
    if (jack_activate(client) != 0 || jack_activate(rx) != 0) {
        fprintf(stderr, "at-probe: cannot activate\n");
        return 1;
    }
    char full[320];
    for (double waited = 0; waited < wait_secs && !quit; waited += 0.02) {
        int all = 1;
        for (int i = 0; i < n_outs; i++)
            all &= port_exists(outs[i]);
        for (int i = 0; i < n_ins; i++)
            all &= port_exists(ins[i]);
        for (int i = 0; i < n_audio; i++)
            all &= port_exists(auds[i]);
        if (all)
            break;
        usleep(20000);
    }
    int rc = 0;
    snprintf(full, sizeof full, "%s:out", jack_get_client_name(client));
    for (int i = 0; i < n_outs; i++)
        if (jack_connect(client, full, outs[i]) != 0) {
            fprintf(stderr, "at-probe: cannot connect %s -> %s\n", full, outs[i]);
            rc = 1;
        }
    snprintf(full, sizeof full, "%s:in", jack_get_client_name(rx));
    for (int i = 0; i < n_ins; i++)
        if (jack_connect(client, ins[i], full) != 0) {
            fprintf(stderr, "at-probe: cannot connect %s -> %s\n", ins[i], full);
            rc = 1;
        }
    for (int i = 0; i < n_audio; i++) {
        snprintf(full, sizeof full, "%s:audio_in%d", jack_get_client_name(rx), i + 1);
        if (jack_connect(client, auds[i], full) != 0) {
            fprintf(stderr, "at-probe: cannot connect %s -> %s\n", auds[i], full);
            rc = 1;
        }
    }
    /* Let the graph settle one period before cycle 0. */
    usleep(50000);
    atomic_store(&start_req, 1);
    while (!quit && !atomic_load(&done)) {
        drain(wav);
        usleep(10000);
    }
    jack_deactivate(client);
    jack_deactivate(rx);
    drain(wav);
    if (atomic_load(&overflow)) {
        fprintf(stderr, "at-probe: ring overflow, recording incomplete\n");
        rc = 1;
    }
    if (wav)
        sf_close(wav);
    jack_client_close(rx);
    jack_client_close(client);
    return rc;
}
