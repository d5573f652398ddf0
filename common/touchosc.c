/* touchosc.c - TouchOSC Mk1 layouts from a parameter registry. */
#include "touchosc.h"
#include "fileio.h"
#include "strbuf.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PER_PAGE 16
#define COLS 4
#define CELL_W 192
#define CELL_H 256

/* TouchOSC stores names, labels and OSC addresses base64-encoded. */
static void put_b64(AtStrBuf *b, const char *s)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        char out[4] = {tab[(v >> 18) & 63], tab[(v >> 12) & 63],
                       i + 1 < n ? tab[(v >> 6) & 63] : '=', i + 2 < n ? tab[v & 63] : '='};
        at_strbuf_add(b, out, 4);
    }
}

/* Does parameter i get a control? Live values and actions on OSC. */
static int wanted(const AtParamDef *d)
{
    if (!d->osc)
        return 0;
    switch (d->type) {
    case AT_PARAM_INT:
    case AT_PARAM_FLOAT:
    case AT_PARAM_DURATION:
    case AT_PARAM_ENUM:
    case AT_PARAM_BOOL:
        return (d->flags & AT_PARAM_LIVE) != 0;
    case AT_PARAM_ACTION:
        return 1;
    default:
        return 0;
    }
}

static int n_choices(const AtParamDef *d)
{
    int n = 0;
    while (n < AT_PARAM_MAX_CHOICES && d->choices[n])
        n++;
    return n;
}

static void put_control(AtStrBuf *b, const AtParams *p, const AtParamDef *d, int slot)
{
    int x = (slot % COLS) * CELL_W, y = (slot / COLS) * CELL_H;
    char addr[256];
    snprintf(addr, sizeof addr, "/%s/%s", at_params_tool(p), d->osc);
    at_strbuf_printf(b, "<control name=\"");
    put_b64(b, d->osc);
    if (d->type == AT_PARAM_BOOL || d->type == AT_PARAM_ACTION) {
        int push = d->type == AT_PARAM_ACTION;
        at_strbuf_printf(
            b,
            "\" x=\"%d\" y=\"%d\" w=\"90\" h=\"90\" color=\"%s\" scalef=\"0.0\" scalet=\"1.0\" "
            "type=\"%s\" %s osc_cs=\"",
            x + 51, y + 60, push ? "orange" : "green", push ? "push" : "toggle",
            push ? "local_off=\"false\" sp=\"true\" sr=\"false\"" : "local_off=\"false\"");
    } else {
        double lo = d->type == AT_PARAM_ENUM ? 0 : d->min;
        double hi = d->type == AT_PARAM_ENUM ? n_choices(d) - 1 : d->max;
        at_strbuf_printf(
            b,
            "\" x=\"%d\" y=\"%d\" w=\"60\" h=\"200\" color=\"%s\" scalef=\"%g\" scalet=\"%g\" "
            "type=\"faderv\" response=\"absolute\" inverted=\"false\" centered=\"false\" "
            "osc_cs=\"",
            x + 66, y + 8, d->type == AT_PARAM_ENUM ? "purple" : "red", lo, hi);
    }
    put_b64(b, addr);
    at_strbuf_printf(b, "\"></control>\n<control name=\"");
    char label[160];
    snprintf(label, sizeof label, "label_%s", d->osc);
    put_b64(b, label);
    at_strbuf_printf(
        b, "\" x=\"%d\" y=\"%d\" w=\"%d\" h=\"32\" color=\"gray\" type=\"labelh\" text=\"", x + 6,
        y + 214, CELL_W - 12);
    put_b64(b, d->osc);
    at_strbuf_printf(b, "\" size=\"14\" background=\"true\" outline=\"false\"></control>\n");
}

char *at_touchosc_xml(const AtParams *p)
{
    AtStrBuf b = {0};
    at_strbuf_printf(
        &b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<layout version=\"17\" mode=\"3\" w=\"768\" h=\"1024\" orientation=\"vertical\">\n");
    int slot = 0, page = 0;
    for (size_t i = 0; i < at_params_count(p); i++) {
        const AtParamDef *d = at_params_def(p, (int)i);
        if (!wanted(d))
            continue;
        if (slot % PER_PAGE == 0) {
            if (page)
                at_strbuf_printf(&b, "</tabpage>\n");
            char name[16];
            snprintf(name, sizeof name, "%d", ++page);
            at_strbuf_printf(&b, "<tabpage name=\"");
            put_b64(&b, name);
            at_strbuf_printf(&b,
                             "\" scalef=\"0.0\" scalet=\"1.0\" li_t=\"\" li_c=\"gray\" li_s=\"14\" "
                             "li_o=\"false\" li_b=\"false\" la_t=\"\" la_c=\"gray\" la_s=\"14\" "
                             "la_o=\"false\" la_b=\"false\">\n");
        }
        put_control(&b, p, d, slot % PER_PAGE);
        slot++;
    }
    if (page)
        at_strbuf_printf(&b, "</tabpage>\n");
    at_strbuf_printf(&b, "</layout>\n");
    return at_strbuf_take(&b);
}

unsigned long at_touchosc_crc32(const unsigned char *data, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= data[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return c ^ 0xffffffffu;
}

static void le16(AtStrBuf *b, unsigned v)
{
    unsigned char x[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
    at_strbuf_add(b, x, 2);
}

static void le32(AtStrBuf *b, unsigned long v)
{
    unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    at_strbuf_add(b, x, 4);
}

/* A zip archive with one stored (uncompressed) member. */
static void zip_one(AtStrBuf *z, const char *name, const char *data, size_t n)
{
    unsigned long crc = at_touchosc_crc32((const unsigned char *)data, n);
    size_t nl = strlen(name);
    const unsigned dos_date = (0 << 9) | (1 << 5) | 1; /* 1980-01-01 */
    le32(z, 0x04034b50);
    le16(z, 20), le16(z, 0), le16(z, 0), le16(z, 0), le16(z, dos_date);
    le32(z, crc), le32(z, n), le32(z, n);
    le16(z, (unsigned)nl), le16(z, 0);
    at_strbuf_add(z, name, nl);
    at_strbuf_add(z, data, n);
    size_t cd = z->len;
    le32(z, 0x02014b50);
    le16(z, 20), le16(z, 20), le16(z, 0), le16(z, 0), le16(z, 0), le16(z, dos_date);
    le32(z, crc), le32(z, n), le32(z, n);
    le16(z, (unsigned)nl), le16(z, 0), le16(z, 0), le16(z, 0), le16(z, 0);
    le32(z, 0), le32(z, 0);
    at_strbuf_add(z, name, nl);
    size_t cd_len = z->len - cd;
    le32(z, 0x06054b50);
    le16(z, 0), le16(z, 0), le16(z, 1), le16(z, 1);
    le32(z, cd_len), le32(z, cd);
    le16(z, 0);
}

AtStatus at_touchosc_write(const AtParams *p, const char *path, char *err, size_t errlen)
{
    char *xml = at_touchosc_xml(p);
    AtStrBuf z = {0};
    AtStatus st = AT_ERR_RUNTIME;
    if (xml)
        zip_one(&z, "index.xml", xml, strlen(xml));
    if (!xml || z.oom)
        snprintf(err, errlen, "out of memory");
    else
        st = at_file_write_atomic(path, z.buf, z.len, err, errlen);
    free(xml);
    at_strbuf_free(&z);
    return st;
}
