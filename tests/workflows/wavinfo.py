#!/usr/bin/env python3
"""wavinfo.py FILE: read a RIFF WAV or RF64 header without libsndfile and
print "CONTAINER TAG CHANNELS RATE BITS FRAMES"; exit 1 (with a reason on
stderr) when the header does not describe the file: a RIFF or data size
that disagrees with the file's real size (a wrapped 32-bit size), a
missing fmt or data chunk."""
import os
import struct
import sys


def fail(msg):
    sys.stderr.write("wavinfo: %s\n" % msg)
    sys.exit(1)


def main(path):
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[8:12] != b"WAVE" or head[:4] not in (b"RIFF", b"RF64"):
            fail("not a RIFF/RF64 WAVE file")
        container = head[:4].decode()
        riff_size = struct.unpack("<I", head[4:8])[0]
        ds64 = None
        fmt = None
        data_size = None
        pos = 12
        while pos + 8 <= size:
            f.seek(pos)
            cid, clen = struct.unpack("<4sI", f.read(8))
            if cid == b"ds64":
                riff64, data64, frames64 = struct.unpack("<QQQ", f.read(24))
                ds64 = (riff64, data64, frames64)
            elif cid == b"fmt ":
                tag, ch, rate, _, _, bits = struct.unpack("<HHIIHH", f.read(16))
                fmt = (tag, ch, rate, bits)
            elif cid == b"data":
                data_size = clen
                if container == "RF64":
                    if not ds64 or clen != 0xFFFFFFFF:
                        fail("RF64 without ds64 sizes")
                    data_size = ds64[1]
                break
            pos += 8 + clen + (clen & 1)
        if fmt is None or data_size is None:
            fail("no fmt or no data chunk")
        data_start = pos + 8
        if container == "RIFF":
            if riff_size + 8 != size:
                fail("RIFF size %d + 8 is not the file size %d (a wrapped 32-bit size?)" % (riff_size, size))
        else:
            if riff_size != 0xFFFFFFFF or ds64[0] + 8 != size:
                fail("RF64 size %d + 8 is not the file size %d" % (ds64[0], size))
        if data_start + data_size > size or size - (data_start + data_size) > 1:
            fail("data chunk of %d bytes at %d does not end at the file's end (%d)" % (data_size, data_start, size))
        tag, ch, rate, bits = fmt
        frames = data_size // (ch * bits // 8)
        print(container, tag, ch, rate, bits, frames)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__)
        sys.exit(2)
    main(sys.argv[1])
