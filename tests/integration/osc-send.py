#!/usr/bin/env python3
# osc-send.py PORT PATH [TYPE VALUE]...: send one OSC message to 127.0.0.1:PORT
# from a fresh UDP socket and print every reply ("PATH arg arg") that
# arrives within half a second. Types: i, f, s. For the integration tests.
import socket, struct, sys
def pad(b): return b + b"\0" * (4 - len(b) % 4)
def enc(path, args):
    tags, data = ",", b""
    for t, v in args:
        tags += t
        data += {"i": lambda v: struct.pack(">i", int(v)), "f": lambda v: struct.pack(">f", float(v)),
                 "s": lambda v: pad(v.encode())}[t](v)
    return pad(path.encode()) + pad(tags.encode()) + data
def dec(b):
    def s(o):
        e = b.index(b"\0", o); return b[o:e].decode(), (e + 4) & ~3
    path, o = s(0); tags, o = s(o); out = [path]
    for t in tags[1:]:
        if t == "i": out.append(str(struct.unpack(">i", b[o:o+4])[0])); o += 4
        elif t == "f": out.append("%g" % struct.unpack(">f", b[o:o+4])[0]); o += 4
        elif t == "s": v, o = s(o); out.append(v)
    return " ".join(out)
port, path, rest = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(0.5)
sock.sendto(enc(path, list(zip(rest[0::2], rest[1::2]))), ("127.0.0.1", port))
try:
    while True: print(dec(sock.recv(65536)))
except socket.timeout: pass
