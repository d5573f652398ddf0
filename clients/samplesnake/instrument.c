/* instrument.c - SFZ and DecentSampler instrument files. */
#include "instrument.h"
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

/* Sorted unique values of field (note or velocity) over present takes. */
static size_t unique_values(const SnTake *takes, const bool *present, size_t n, bool velocity,
                            int *out)
{
    bool seen[128] = {false};
    for (size_t i = 0; i < n; i++) {
        if (!present[i])
            continue;
        int v = velocity ? takes[i].velocity : takes[i].note;
        if (v >= 0 && v < 128)
            seen[v] = true;
    }
    size_t k = 0;
    for (int v = 0; v < 128; v++) {
        if (seen[v])
            out[k++] = v;
    }
    return k;
}

static size_t index_of(const int *values, size_t k, int v)
{
    for (size_t j = 0; j < k; j++) {
        if (values[j] == v)
            return j;
    }
    return 0;
}

static void key_range(const int *notes, size_t k, size_t j, SnZone *z)
{
    /* A gap between two samples is split in the middle; ties go up. */
    z->lokey = j == 0 ? 0 : notes[j - 1] + (notes[j] - notes[j - 1] - 1) / 2 + 1;
    z->hikey = j + 1 == k ? 127 : notes[j] + (notes[j + 1] - notes[j] - 1) / 2;
    z->keycenter = notes[j];
}

static void vel_range(const int *vels, size_t k, size_t j, SnZone *z)
{
    z->lovel = j == 0 ? 1 : vels[j - 1] + 1;
    z->hivel = j + 1 == k ? 127 : vels[j];
}

/* Round robins that actually exist are numbered 1..count, in rr order. */
static void seq_place(const SnTake *takes, const bool *present, size_t n, size_t i, SnZone *z)
{
    z->seq_length = 0;
    z->seq_position = 0;
    for (size_t j = 0; j < n; j++) {
        if (!present[j] || takes[j].note != takes[i].note || takes[j].velocity != takes[i].velocity)
            continue;
        z->seq_length++;
        if (takes[j].rr <= takes[i].rr)
            z->seq_position++;
    }
}

void sn_zones(const SnTake *takes, const bool *present, size_t n, SnZone *zones)
{
    int notes[128], vels[128];
    size_t kn = unique_values(takes, present, n, false, notes);
    size_t kv = unique_values(takes, present, n, true, vels);
    for (size_t i = 0; i < n; i++) {
        memset(&zones[i], 0, sizeof zones[i]);
        if (!present[i])
            continue;
        key_range(notes, kn, index_of(notes, kn, takes[i].note), &zones[i]);
        vel_range(vels, kv, index_of(vels, kv, takes[i].velocity), &zones[i]);
        seq_place(takes, present, n, i, &zones[i]);
    }
}

static SnZone *zones_for(const SnTake *takes, const bool *present, size_t n)
{
    SnZone *z = calloc(n ? n : 1, sizeof *z);
    if (z)
        sn_zones(takes, present, n, z);
    return z;
}

AtStatus sn_write_sfz(FILE *f, const SnTake *takes, const bool *present, size_t n)
{
    SnZone *zones = zones_for(takes, present, n);
    if (!zones)
        return AT_ERR_RUNTIME;
    fprintf(f, "// Written by aiotone-samplesnake. The samples are beside this file.\n"
               "<control>\ndefault_path=\n\n<global>\n\n<group>\n");
    for (size_t i = 0; i < n; i++) {
        const SnZone *z = &zones[i];
        if (!present[i])
            continue;
        fprintf(f, "<region> sample=%s.wav lokey=%d hikey=%d pitch_keycenter=%d lovel=%d hivel=%d",
                takes[i].name, z->lokey, z->hikey, z->keycenter, z->lovel, z->hivel);
        if (z->seq_length > 1)
            fprintf(f, " seq_length=%d seq_position=%d", z->seq_length, z->seq_position);
        fputc('\n', f);
    }
    free(zones);
    return ferror(f) ? AT_ERR_RUNTIME : AT_OK;
}

/* Names are sanitised, but escape anyway: the XML must stay well formed. */
static void xml_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        const char *entity = at_xml_entity(*s);
        if (entity)
            fputs(entity, f);
        else
            fputc(*s, f);
    }
}

static bool any_round_robin(const SnZone *zones, const bool *present, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (present[i] && zones[i].seq_length > 1)
            return true;
    }
    return false;
}

AtStatus sn_write_dspreset(FILE *f, const SnTake *takes, const bool *present, size_t n)
{
    SnZone *zones = zones_for(takes, present, n);
    if (!zones)
        return AT_ERR_RUNTIME;
    bool rr = any_round_robin(zones, present, n);
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<!-- Written by aiotone-samplesnake. The samples are beside this file. -->\n"
               "<DecentSampler minVersion=\"1.0.0\">\n");
    fprintf(f, "  <groups%s>\n    <group%s>\n", rr ? " seqMode=\"round_robin\"" : "",
            rr ? " seqMode=\"round_robin\"" : "");
    for (size_t i = 0; i < n; i++) {
        const SnZone *z = &zones[i];
        if (!present[i])
            continue;
        fputs("      <sample path=\"", f);
        xml_text(f, takes[i].name);
        fprintf(f, ".wav\" rootNote=\"%d\" loNote=\"%d\" hiNote=\"%d\" loVel=\"%d\" hiVel=\"%d\"",
                z->keycenter, z->lokey, z->hikey, z->lovel, z->hivel);
        if (rr)
            fprintf(f, " seqMode=\"round_robin\" seqLength=\"%d\" seqPosition=\"%d\"",
                    z->seq_length, z->seq_position);
        fputs("/>\n", f);
    }
    fputs("    </group>\n  </groups>\n</DecentSampler>\n", f);
    free(zones);
    return ferror(f) ? AT_ERR_RUNTIME : AT_OK;
}
