/* touchosc.h - a TouchOSC (Mk1) layout generated from a parameter
 * registry: one control per live OSC parameter, with the parameter's OSC
 * address and value range, so the layout drives the tool directly and
 * follows its feedback. A .touchosc file is a zip holding index.xml; this
 * module writes it itself (stored, no compression). Control thread only. */
#ifndef AT_TOUCHOSC_H
#define AT_TOUCHOSC_H

#include "params.h"

#include <stddef.h>

/* The layout's index.xml for registry p (malloc'd, NUL-terminated), or
 * NULL when out of memory. Integer, float and duration parameters become
 * faders over [min, max]; enums faders over their choice indexes; bools
 * toggles; actions push buttons; each with a label. 16 controls a page. */
char *at_touchosc_xml(const AtParams *p);
/* Write the layout for p to path (a .touchosc zip), atomically. */
AtStatus at_touchosc_write(const AtParams *p, const char *path, char *err, size_t errlen);
/* Pure: CRC-32 (the zip/PNG polynomial) of n bytes. */
unsigned long at_touchosc_crc32(const unsigned char *data, size_t n);

#endif
