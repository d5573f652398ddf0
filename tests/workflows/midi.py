#!/usr/bin/env python3
"""Standard MIDI Files for the workflow tests, written and read without
the code under test.

  midi.py duration FILE        seconds from the start to the last channel
                               event (tempo map of every track applied)
  midi.py song FILE SPEC...    write a format 1 file, division 480, tempo
                               120 bpm; SPEC = SECONDS:HEXBYTES, e.g.
                               0:903c64 1.5:803c00 (any bytes: sysex too)
  midi.py damaged KIND FILE    write one kind of damaged file (see KINDS)
"""
import struct
import sys

DIV = 480
TEMPO = 500000  # us per quarter note: 120 bpm


def vlq(n):
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


def read_vlq(data, p):
    """The variable-length quantity at data[p]: (value, position after it)."""
    n = 0
    while True:
        b = data[p]
        p += 1
        n = (n << 7) | (b & 0x7F)
        if not b & 0x80:
            return n, p


def header(fmt=1, ntracks=1, div=DIV, length=6):
    return b"MThd" + struct.pack(">I", length) + struct.pack(">HHH", fmt, ntracks, div) + b"\0" * (length - 6)


def track(body, eot=True):
    if eot:
        body += b"\x00\xff\x2f\x00"
    return b"MTrk" + struct.pack(">I", len(body)) + body


def tempo_track():
    return track(b"\x00\xff\x51\x03" + struct.pack(">I", TEMPO)[1:])


def events_body(spec):
    """SECONDS:HEX pairs at 120 bpm (960 ticks per second)."""
    evs = []
    for s in spec:
        t, hexbytes = s.split(":")
        evs.append((round(float(t) * 2 * DIV), bytes.fromhex(hexbytes)))
    evs.sort(key=lambda e: e[0])
    body = b""
    now = 0
    for tick, data in evs:
        body += vlq(tick - now)
        if data[0] == 0xF0:
            body += b"\xf0" + vlq(len(data) - 1) + data[1:]
        else:
            body += data
        now = tick
    return body


def song(spec):
    return header(1, 2) + tempo_track() + track(events_body(spec))


NOTE = "0:903c64 0.5:803c00"


def damaged(kind):
    ok = events_body(NOTE.split())
    kinds = {
        "empty": b"",
        "not-midi": b"RIFF\x24\0\0\0WAVEfmt this is no MIDI file at all\n",
        "short-header": b"MThd\0\0\0\x06\0\x01",
        "truncated": song(NOTE.split())[:-7],
        "huge-track": header(0, 1) + b"MTrk\x7f\xff\xff\xff" + ok,
        "no-eot": header(0, 1) + track(ok, eot=False),
        "missing-track": header(1, 3) + tempo_track() + track(ok),
        "format2": header(2, 1) + track(ok),
        "smpte": header(0, 1, div=0xE728) + track(ok),
        "tempo0": header(0, 1) + track(b"\x00\xff\x51\x03\x00\x00\x00" + ok),
        "running-status": header(0, 1) + track(b"\x00\x3c\x64" + ok),
        "bad-vlq": header(0, 1) + track(b"\xff\xff\xff\xff\x7f\x90\x3c\x64" + ok),
        "header-length": header(0, 1, length=8) + track(ok),
        "zero-division": header(0, 1, div=0) + track(ok),
    }
    if kind == "list":
        return "\n".join(sorted(kinds)).encode() + b"\n"
    return kinds[kind]


def duration(data):
    """Last channel event time in seconds, all tracks, tempo map merged."""
    assert data[:4] == b"MThd"
    hlen = struct.unpack(">I", data[4:8])[0]
    fmt, ntracks, div = struct.unpack(">HHH", data[8:14])
    pos = 8 + hlen
    tempos = []  # (tick, us per quarter)
    last_tick = 0
    for _ in range(ntracks):
        assert data[pos:pos + 4] == b"MTrk"
        end = pos + 8 + struct.unpack(">I", data[pos + 4:pos + 8])[0]
        p = pos + 8
        tick = 0
        running = 0
        while p < end:
            d, p = read_vlq(data, p)
            tick += d
            st = data[p]
            if st & 0x80:
                p += 1
            else:
                st = running
            if st == 0xFF:
                typ = data[p]
                p += 1
                n, p = read_vlq(data, p)
                if typ == 0x51:
                    tempos.append((tick, int.from_bytes(data[p:p + 3], "big")))
                p += n
                running = 0
            elif st in (0xF0, 0xF7):
                n, p = read_vlq(data, p)
                p += n
                running = 0
            else:
                p += 1 if (st & 0xF0) in (0xC0, 0xD0) else 2
                running = st
                last_tick = max(last_tick, tick)
        pos = end
    tempos.sort()
    secs = 0.0
    at = 0
    us = 500000
    for tick, t in tempos:
        if tick >= last_tick:
            break
        secs += (tick - at) * us / 1e6 / div
        at, us = tick, t
    return secs + (last_tick - at) * us / 1e6 / div


def main(argv):
    if len(argv) >= 3 and argv[1] == "duration":
        with open(argv[2], "rb") as f:
            print("%.6f" % duration(f.read()))
    elif len(argv) >= 3 and argv[1] == "song":
        with open(argv[2], "wb") as f:
            f.write(song(argv[3:]))
    elif len(argv) == 4 and argv[1] == "damaged":
        with open(argv[3], "wb") as f:
            f.write(damaged(argv[2]))
    elif len(argv) == 3 and argv[1] == "damaged" and argv[2] == "list":
        sys.stdout.write(damaged("list").decode())
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
