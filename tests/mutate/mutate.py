#!/usr/bin/env python3
"""Mutation testing of aiotone's pure cores and common modules.

For each source file below, every mutation site is found (comparison flips,
off-by-one on integer bounds, constant changes, arithmetic and logical
operator swaps, dropped statements, swapped call arguments, negated
conditions). A seeded sample of them is applied one at a time in a copy of
the tree (the working tree is never touched): the file is recompiled, the
unit tests that cover it are relinked and run with a time limit. A mutant
is killed when a test fails, crashes or times out; it survives when every
test passes. A mutant that does not compile is stillborn and replaced by
the next one in the sample order.

Prints the kill rate per file and every survivor as file:line, id and the
mutation. Mutants listed in tests/mutate/equivalent.txt (id, then a
one-line reason) are equivalent to the original and are excluded.

  tests/mutate/mutate.py [--seed N] [--per-file N] [--jobs N] [--files SUBSTR,...]
                         [--list] [--show ID] [--keep]

See docs/mutation.md.
"""

import argparse
import hashlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# File -> the unit test programs that cover it (tests/unit/<name>.c, by
# name prefix, so a new test_<core>_edges.c is picked up without an edit).
TARGETS = [
    ("clients/redblue/redblue.c", ["test_redblue"]),
    ("clients/fmsynth/fmsynth.c", ["test_fmsynth"]),
    ("clients/fmsynth/fmnote.c", ["test_fmsynth"]),
    ("clients/fmsynth/fmblock.c", ["test_fmsynth"]),
    ("clients/clock/clock.c", ["test_clock"]),
    ("clients/mothergen/mothergen.c", ["test_mothergen"]),
    ("clients/circuits/circuits.c", ["test_circuits"]),
    ("clients/sampletrim/sampletrim.c", ["test_sampletrim"]),
    ("clients/samplesnake/machine.c", ["test_samplesnake"]),
    ("common/midi.c", ["test_midi"]),
    ("common/params.c", ["test_params", "test_osc"]),
    ("common/paramset.c", ["test_params", "test_osc"]),
    ("common/paramload.c", ["test_params", "test_osc"]),
    ("common/paramwrite.c", ["test_params", "test_osc"]),
    ("clients/session/sessconf.c", ["test_session"]),
    ("clients/session/sessparse.c", ["test_session", "test_sessconf"]),
    ("clients/session/sesswrite.c", ["test_session", "test_sessconf"]),
    ("clients/session/sessrules.c", ["test_session"]),
    ("clients/session/confread.c", ["test_session", "test_sessconf"]),
    ("clients/session/nsmcore.c", ["test_nsmcore"]),
    ("clients/session/nsmrecv.c", ["test_nsmcore"]),
    ("clients/session/nsmsave.c", ["test_nsmcore"]),
    ("clients/session/nsmsession.c", ["test_nsmcore"]),
]

# Warnings stay warnings in mutant builds (a dropped statement may leave a
# variable unused), except the ones that mean the mutant broke C's types:
# those make it stillborn instead of a crash that proves nothing.
MUTANT_WARN = ("-Wno-unused-parameter -Werror=int-conversion "
               "-Werror=incompatible-pointer-types -Werror=implicit-function-declaration "
               "-Werror=return-type")
MUTANT_OPT = "-O0"

# ---------------------------------------------------------------- lexer

PUNCT = sorted("""<<= >>= ... -> ++ -- << >> <= >= == != && || += -= *= /= %= &= |= ^=
    ## # ( ) [ ] { } . & * + - ~ ! / % < > ^ | ? : ; = ,""".split(), key=len, reverse=True)
TOKEN_RE = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<string>"(?:\\.|[^"\\\n])*")
  | (?P<char>'(?:\\.|[^'\\\n])*')
  | (?P<number>(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)[uUlLfF]*)
  | (?P<ident>[A-Za-z_]\w*)
  | (?P<punct>""" + "|".join(re.escape(p) for p in PUNCT) + r""")
""", re.S | re.X)

KEYWORDS = set("""auto break case char const continue default do double else enum extern
    float for goto if inline int long register restrict return short signed sizeof static
    struct switch typedef union unsigned void volatile while _Bool _Static_assert bool
    size_t ssize_t uint8_t uint16_t uint32_t uint64_t int8_t int16_t int32_t int64_t
    uintptr_t off_t FILE va_list""".split())
TYPE_WORDS = set("""char const double float int long short signed unsigned void bool _Bool
    struct enum union static extern volatile register inline size_t ssize_t uint8_t uint16_t
    uint32_t uint64_t int8_t int16_t int32_t int64_t uintptr_t off_t FILE va_list""".split())
# Calls whose first two arguments commute: swapping them is equivalent.
COMMUTATIVE = set("fmin fminf fmax fmaxf MIN MAX hypot hypotf at_min at_max".split())


class Tok:
    __slots__ = ("kind", "text", "start", "end", "line", "paren")

    def __init__(self, kind, text, start, end, line):
        self.kind, self.text, self.start, self.end, self.line = kind, text, start, end, line
        self.paren = 0  # depth of ( and [ around the token


def lex(src):
    """Significant tokens of a C file; preprocessor lines are skipped whole."""
    toks = []
    pos, line, n = 0, 1, len(src)
    while pos < n:
        if src[pos] == "#" and src[src.rfind("\n", 0, pos) + 1:pos].strip() == "":
            # a directive, with its continuation lines
            end = pos
            while True:
                nl = src.find("\n", end)
                if nl < 0:
                    end = n
                    break
                if src[nl - 1] == "\\":
                    end = nl + 1
                    continue
                end = nl
                break
            line += src.count("\n", pos, end)
            pos = end
            continue
        m = TOKEN_RE.match(src, pos)
        if not m:
            raise ValueError("cannot lex at line %d: %r" % (line, src[pos:pos + 20]))
        kind = m.lastgroup
        text = m.group()
        if kind not in ("ws", "comment"):
            toks.append(Tok(kind, text, pos, m.end(), line))
        line += text.count("\n")
        pos = m.end()
    return toks


# ---------------------------------------------------------------- operators


class Mutant:
    __slots__ = ("file", "line", "start", "end", "new", "op", "desc", "id", "src_line")

    def __init__(self, file, line, start, end, new, op, desc):
        self.file, self.line, self.start, self.end = file, line, start, end
        self.new, self.op, self.desc = new, op, desc
        self.id = None
        self.src_line = ""


ROR = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "=="}
AOR = {"+": "-", "-": "+", "*": "/", "/": "*", "+=": "-=", "-=": "+=", "*=": "/=",
       "/=": "*=", "++": "--", "--": "++"}
LOR = {"&&": "||", "||": "&&"}
STMT_BEFORE = {";", "{", "}"}


def match_parens(toks):
    pairs, stack = {}, []
    for i, t in enumerate(toks):
        if t.text in ("(", "[", "{"):
            stack.append(i)
        elif t.text in (")", "]", "}"):
            if stack:
                j = stack.pop()
                pairs[i], pairs[j] = j, i
    return pairs


def is_operand_end(t):
    return t.kind in ("ident", "number", "string", "char") and t.text not in KEYWORDS \
        or t.text in (")", "]")


def int_value(text):
    t = text.rstrip("uUlL")
    if re.fullmatch(r"0[xX][0-9a-fA-F]+", t):
        return int(t, 16), "hex", text[len(t):]
    if re.fullmatch(r"\d+", t):
        return int(t, 8 if len(t) > 1 and t.startswith("0") else 10), "dec", text[len(t):]
    return None, None, None


def fmt_float(v, orig):
    s = repr(float(v))
    if orig.endswith(("f", "F")):
        s += "f"
    return s


def find_mutants(path, src):
    toks = lex(src)
    pairs = match_parens(toks)
    d = 0
    for t in toks:
        if t.text in (")", "]"):
            d -= 1
        t.paren = d
        if t.text in ("(", "["):
            d += 1
    muts = []
    lines = src.split("\n")

    def add(i_start, i_end, new, op, desc, start=None, end=None):
        s = toks[i_start].start if start is None else start
        e = toks[i_end].end if end is None else end
        muts.append(Mutant(path, toks[i_start].line, s, e, new, op, desc))

    depth = 0  # brace depth: only code inside functions is mutated
    for i, t in enumerate(toks):
        if t.text == "{":
            depth += 1
        elif t.text == "}":
            depth -= 1
        if depth == 0:
            continue
        prev = toks[i - 1] if i else None
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if t.kind == "punct":
            if t.text in ROR:
                add(i, i, ROR[t.text], "comparison", "'%s' -> '%s'" % (t.text, ROR[t.text]))
            elif t.text in LOR:
                add(i, i, LOR[t.text], "logical", "'%s' -> '%s'" % (t.text, LOR[t.text]))
            elif t.text in AOR:
                binary = prev is not None and is_operand_end(prev)
                if t.text in ("+", "-", "*", "/") and not binary:
                    continue
                if t.text == "*" and prev.kind == "ident" and (
                        prev.text in TYPE_WORDS or prev.text[:1].isupper() or prev.text.endswith("_t")):
                    continue  # a pointer declaration
                add(i, i, AOR[t.text], "arithmetic", "'%s' -> '%s'" % (t.text, AOR[t.text]))
            elif t.text == "!" and nxt is not None:
                add(i, i, "", "logical", "drop '!'")
        elif t.kind == "ident":
            if t.text in ("true", "false"):
                new = "false" if t.text == "true" else "true"
                add(i, i, new, "logical", "'%s' -> '%s'" % (t.text, new))
            elif t.text in ("if", "while") and nxt is not None and nxt.text == "(" \
                    and (i + 1) in pairs and not (t.text == "while" and prev is not None and prev.text == "}"):
                j = pairs[i + 1]
                cond = src[toks[i + 2].start:toks[j - 1].end]
                add(i + 2, j - 1, "!(" + cond + ")", "logical", "negate %s condition" % t.text)
            elif (nxt is not None and nxt.text == "(" and t.text not in KEYWORDS
                  and prev is not None and not (prev.kind == "ident" and prev.text not in ("return", "case"))
                  and prev.text != "*" and t.text not in COMMUTATIVE):
                args = split_args(toks, i + 1, pairs)
                if args and len(args) >= 2:
                    a, b = args[0], args[1]
                    ta = src[toks[a[0]].start:toks[a[1]].end]
                    tb = src[toks[b[0]].start:toks[b[1]].end]
                    if ta != tb:
                        muts.append(Mutant(path, t.line, toks[a[0]].start, toks[b[1]].end,
                                           tb + src[toks[a[1]].end:toks[b[0]].start] + ta,
                                           "swap-args", "%s(): swap '%s' and '%s'" % (t.text, short(ta), short(tb))))
            # dropped statement
            if prev is not None and stmt_start(toks, i, pairs, lines):
                j = stmt_end(toks, i)
                if j is not None:
                    text = src[t.start:toks[j].end]
                    add(i, j, ";", "drop-stmt", "drop '%s'" % short(text))
        elif t.kind == "number":
            v, base, suffix = int_value(t.text)
            bound = (prev is not None and prev.text in ROR) or (nxt is not None and nxt.text in ROR) \
                or (prev is not None and prev.text == "[")
            if v is not None:
                fmt = (lambda x: "0x%X%s" % (x, suffix)) if base == "hex" else (lambda x: "%d%s" % (x, suffix))
                op = "off-by-one" if bound else "constant"
                add(i, i, fmt(v + 1), op, "%s -> %s" % (t.text, fmt(v + 1)))
                if v > 0:
                    add(i, i, fmt(v - 1), op, "%s -> %s" % (t.text, fmt(v - 1)))
            else:
                try:
                    fv = float(t.text.rstrip("fFlL"))
                except ValueError:
                    continue
                nv = 1.0 if fv == 0.0 else fv * 1.5
                add(i, i, fmt_float(nv, t.text), "constant", "%s -> %s" % (t.text, fmt_float(nv, t.text)))
    for m in muts:
        line_text = lines[m.line - 1].strip()
        m.src_line = line_text
        h = hashlib.sha1(("%s\0%s\0%s\0%s\0%d" % (
            m.file, line_text, m.op, m.desc, occurrence(src, m))).encode()).hexdigest()
        m.id = h[:10]
    # keep ids unique (identical lines elsewhere in the file)
    seen = {}
    for m in muts:
        if m.id in seen:
            seen[m.id] += 1
            m.id = m.id + "-" + str(seen[m.id])
        else:
            seen[m.id] = 0
    return muts


def occurrence(src, m):
    """Which occurrence of the mutated text on its line (stable when lines move)."""
    ls = src.rfind("\n", 0, m.start) + 1
    return src.count(src[m.start:m.end], ls, m.start)


def short(s, n=48):
    s = " ".join(s.split())
    return s if len(s) <= n else s[:n - 3] + "..."


def split_args(toks, open_i, pairs):
    close = pairs.get(open_i)
    if close is None or close == open_i + 1:
        return None
    args, start, depth = [], open_i + 1, 0
    for k in range(open_i + 1, close):
        x = toks[k].text
        if x in ("(", "[", "{"):
            depth += 1
        elif x in (")", "]", "}"):
            depth -= 1
        elif x == "," and depth == 0:
            if k == start:
                return None
            args.append((start, k - 1))
            start = k + 1
    if start > close - 1:
        return None
    args.append((start, close - 1))
    return args


def stmt_start(toks, i, pairs, lines):
    t, prev = toks[i], toks[i - 1]
    if toks[i].paren:
        return False  # inside a for header or an expression
    if t.text in KEYWORDS and t.text not in ("break", "continue"):
        return False
    if t.text not in ("break", "continue") and i + 1 < len(toks):
        nx = toks[i + 1]
        if nx.kind == "ident" or nx.text == "*" or nx.text == ":":
            return False  # a declaration (Type name / Type *name) or a label
    if prev.text in STMT_BEFORE or prev.text == "else":
        return True
    if prev.text == ")" and (i - 1) in pairs:
        o = pairs[i - 1]
        return o > 0 and toks[o - 1].text in ("if", "while", "for")
    if prev.text == ":":
        return lines[prev.line - 1].strip().startswith(("case ", "default"))
    return False


def stmt_end(toks, i):
    depth = 0
    for k in range(i, len(toks)):
        x = toks[k].text
        if x in ("(", "["):
            depth += 1
        elif x in (")", "]"):
            depth -= 1
        elif x == "{" and depth == 0:
            return None
        elif x == "}" and depth <= 0:
            return None
        elif x == ";" and depth == 0:
            return k
    return None


# ---------------------------------------------------------------- equivalents


def load_equivalents(path):
    eq = {}
    if not os.path.exists(path):
        return eq
    with open(path) as f:
        for n, line in enumerate(f, 1):
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            if " -- " not in s:
                sys.exit("%s:%d: an equivalent mutant needs a reason after ' -- '" % (path, n))
            eq[s.split()[0]] = s.split(" -- ", 1)[1].strip()
    return eq


def sample(muts, seed, n, eq):
    """Candidates in a seeded order that does not depend on the other sites
    (adding a line elsewhere leaves the rest of the sample as it was)."""
    order = sorted(muts, key=lambda m: hashlib.sha1(("%s:%s" % (seed, m.id)).encode()).hexdigest())
    return [m for m in order if m.id not in eq]


def apply(src, m):
    return src[:m.start] + m.new + src[m.end:]


# ---------------------------------------------------------------- building


def run(cmd, cwd, timeout=None, env=None):
    try:
        p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout, env=env, shell=isinstance(cmd, str))
        return p.returncode, p.stdout.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        return "timeout", (e.stdout or b"").decode(errors="replace")


class Tree:
    """A private copy of the sources with a baseline build of the unit tests."""

    def __init__(self, tmp, tests, jobs):
        self.dir = os.path.join(tmp, "src")
        self.build = "build-mutate"
        files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                               stdout=subprocess.PIPE, check=True).stdout.decode().split("\n")
        for f in files:
            if not f or not os.path.isfile(os.path.join(ROOT, f)):
                continue
            d = os.path.join(self.dir, os.path.dirname(f))
            os.makedirs(d, exist_ok=True)
            shutil.copy2(os.path.join(ROOT, f), os.path.join(self.dir, f))
        self.make = ["make", "--no-print-directory", "BUILD=" + self.build, "WARN=" + MUTANT_WARN,
                     "OPT=" + MUTANT_OPT]
        bins = ["%s/tests/unit/%s" % (self.build, t) for t in tests]
        rc, out = run(self.make + ["-j%d" % jobs] + bins, self.dir)
        if rc != 0:
            sys.exit("mutate: the baseline build failed:\n" + out[-3000:])
        self.tests = {}
        for t in tests:
            self.tests[t] = self.prepare_test(t)

    def make_cmd(self, src, target):
        """The command make would run to build target from src (asked, not copied)."""
        rc, out = run(self.make + ["-n", "V=1", "-W", src, target], self.dir)
        if rc != 0:
            sys.exit("mutate: make -n failed for %s:\n%s" % (target, out))
        for line in out.split("\n"):
            toks = shlex.split(line) if line.strip() else []
            if src in toks and "-o" in toks:
                return toks
        sys.exit("mutate: no command for %s in:\n%s" % (target, out))

    def prepare_test(self, name):
        """Compile the test's own file once; per mutant only the link runs."""
        src = "tests/unit/%s.c" % name
        exe = "%s/tests/unit/%s" % (self.build, name)
        toks = self.make_cmd(src, exe)
        k = toks.index(src)
        obj = "%s/mutate/%s.o" % (self.build, name)
        os.makedirs(os.path.join(self.dir, os.path.dirname(obj)), exist_ok=True)
        comp = [x for x in toks[:k + 1] if x not in ("-MMD", "-MP")]
        oi = comp.index("-o")
        comp[oi + 1] = obj
        rc, out = run(comp + ["-c"], self.dir)
        if rc != 0:
            sys.exit("mutate: cannot compile %s:\n%s" % (src, out))
        link = toks[:]
        link[k] = obj
        link = [x for x in link if x not in ("-MMD", "-MP")]
        return link, exe

    def object_of(self, path):
        obj = "%s/%s" % (self.build, path[:-2] + ".o")
        comp = [x for x in self.make_cmd(path, obj) if x not in ("-MMD", "-MP")]
        parts = path.split("/")
        lib = "%s/lib%s.a" % (self.build, "aiotone" if parts[0] == "common" else parts[1])
        return comp, obj, lib


# A test killed by a mutant (crash, time-out, failed assertion before its
# cleanup) leaves its temporary files behind. When this machine allows a
# private mount namespace, each test run gets its own empty /tmp that
# vanishes with it, so nothing piles up in the shared /tmp.
PRIVATE_TMP = ["unshare", "-m", "sh", "-c", 'mount -t tmpfs tmpfs /tmp && exec "$0" "$@"']


def private_tmp_works():
    if os.environ.get("MUTATE_PRIVATE_TMP", "1") == "0" or not shutil.which("unshare"):
        return False
    rc, _ = run(PRIVATE_TMP + ["true"], "/", timeout=30)
    return rc == 0


def test_cmd(exe):
    return (PRIVATE_TMP + [exe]) if USE_PRIVATE_TMP else [exe]


USE_PRIVATE_TMP = False


def baseline_times(tree, tests):
    times = {}
    for t in tests:
        _, exe = tree.tests[t]
        s = time.monotonic()
        rc, out = run(test_cmd(exe), tree.dir, timeout=600, env=test_env())
        times[t] = time.monotonic() - s
        if rc != 0:
            sys.exit("mutate: %s fails before any mutation (fix it first):\n%s" % (t, out[-2000:]))
    return times


def test_env():
    env = dict(os.environ)
    env["CMOCKA_MESSAGE_OUTPUT"] = "stdout"
    return env


def try_mutant(tree, comp, obj, lib, tests, limits, m, orig):
    path = os.path.join(tree.dir, m.file)
    with open(path, "w") as f:
        f.write(apply(orig, m))
    try:
        rc, out = run(comp, tree.dir, timeout=120)
        if rc != 0:
            return "stillborn", out
        rc, out = run(["ar", "rcs", lib, obj], tree.dir)
        if rc != 0:
            sys.exit("mutate: ar failed: " + out)
        for t in tests:
            link, exe = tree.tests[t]
            rc, out = run(link, tree.dir, timeout=120)
            if rc != 0:
                return "stillborn", out
            rc, out = run(test_cmd(exe), tree.dir, timeout=limits[t], env=test_env())
            if rc == "timeout":
                return "killed", "%s: timed out after %.0f s" % (t, limits[t])
            if rc != 0:
                return "killed", "%s: exit %s" % (t, rc)
        return "survived", ""
    finally:
        with open(path, "w") as f:
            f.write(orig)


def restore(tree, comp, obj, lib):
    rc, out = run(comp, tree.dir)
    if rc != 0:
        sys.exit("mutate: the original no longer compiles?\n" + out)
    run(["ar", "rcs", lib, obj], tree.dir)


# ---------------------------------------------------------------- main


def tests_for(prefixes, root=ROOT):
    names = sorted(f[:-2] for f in os.listdir(os.path.join(root, "tests/unit"))
                   if f.startswith("test_") and f.endswith(".c"))
    return [n for n in names if any(n == p or n.startswith(p + "_") for p in prefixes)]


def work(tree, targets, args, eq, log, results):
    for path, prefixes in targets:
        # everything comes from the copy: the working tree may change meanwhile
        # quickest first: most mutants die in the first test that runs
        tests = sorted(tests_for(prefixes, tree.dir), key=lambda t: tree.times[t])
        with open(os.path.join(tree.dir, path)) as f:
            orig = f.read()
        muts = find_mutants(path, orig)
        order = sample(muts, args.seed, args.per_file, eq)
        comp, obj, lib = tree.object_of(path)
        limits = {t: max(10.0, 5 * tree.times[t] + 5) for t in tests}
        res = {"file": path, "tests": tests, "sites": len(muts), "killed": 0, "survived": [],
               "stillborn": 0, "timeouts": 0, "equivalent": sum(1 for m in muts if m.id in eq)}
        t0 = time.monotonic()
        valid = 0
        for m in order:
            if valid >= args.per_file:
                break
            status, why = try_mutant(tree, comp, obj, lib, tests, limits, m, orig)
            if status == "stillborn":
                res["stillborn"] += 1
                continue
            valid += 1
            if status == "killed":
                res["killed"] += 1
                if "timed out" in why:
                    res["timeouts"] += 1
            else:
                res["survived"].append(m)
            log("  %-9s %s:%d %s %s%s" % (status, m.file, m.line, m.id, m.desc,
                                            ("  (" + why + ")") if why else ""))
        restore(tree, comp, obj, lib)
        res["valid"] = valid
        res["seconds"] = time.monotonic() - t0
        results.append(res)
        log("%s: %d/%d killed (%.0f s)%s" % (
            path, res["killed"], valid, res["seconds"],
            "".join("\n    survived %s:%d %s [%s] %s" % (m.file, m.line, m.id, m.op, m.desc)
                    for m in res["survived"])))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=int(os.environ.get("MUTATE_SEED", "17")))
    ap.add_argument("--per-file", type=int, default=int(os.environ.get("MUTATE_PER_FILE", "40")))
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("MUTATE_JOBS", "1")))
    ap.add_argument("--files", default=os.environ.get("MUTATE_FILES", ""),
                    help="comma-separated substrings of the files to mutate")
    ap.add_argument("--list", action="store_true", help="print the sampled mutants, run nothing")
    ap.add_argument("--show", metavar="ID", help="print one mutant as a diff, run nothing")
    ap.add_argument("--keep", action="store_true", help="keep the temporary tree")
    ap.add_argument("--verbose", "-v", action="store_true", help="print every mutant's result")
    args = ap.parse_args()

    eq_path = os.path.join(ROOT, "tests/mutate/equivalent.txt")
    eq = load_equivalents(eq_path)
    targets = [t for t in TARGETS
               if not args.files or any(s and s in t[0] for s in args.files.split(","))]
    if not targets:
        sys.exit("mutate: no file matches --files %s" % args.files)

    if args.show or args.list:
        for path, _ in TARGETS if args.show else targets:
            with open(os.path.join(ROOT, path)) as f:
                src = f.read()
            muts = find_mutants(path, src)
            if args.list:
                order = sample(muts, args.seed, args.per_file, eq)
                print("%s: %d sites, first %d in sample order:" % (path, len(muts), args.per_file))
                for m in order[:args.per_file]:
                    print("  %s:%d %s [%s] %s" % (m.file, m.line, m.id, m.op, m.desc))
                continue
            for m in muts:
                if m.id == args.show:
                    a = src.split("\n")
                    b = apply(src, m).split("\n")
                    lo = m.line - 1
                    print("%s:%d %s [%s] %s" % (m.file, m.line, m.id, m.op, m.desc))
                    nb = len(b) - len(a)
                    end = src.count("\n", 0, m.end) + 1
                    for k in range(lo, end):
                        print("- " + a[k])
                    for k in range(lo, end + nb):
                        print("+ " + b[k])
                    return 0
        if args.show:
            sys.exit("mutate: no mutant %s" % args.show)
        return 0

    known = set()
    for path, _ in TARGETS:
        with open(os.path.join(ROOT, path)) as f:
            known.update(m.id for m in find_mutants(path, f.read()))
    for i in eq:
        if i not in known:
            print("mutate: warning: %s in equivalent.txt matches no mutant any more" % i)

    all_tests = sorted({t for _, p in targets for t in tests_for(p)})
    global USE_PRIVATE_TMP
    USE_PRIVATE_TMP = private_tmp_works()
    # the copy lives outside /tmp, which the tests may see privately
    base = os.environ.get("MUTATE_TMPDIR", "/var/tmp" if USE_PRIVATE_TMP else None)
    tmp = tempfile.mkdtemp(prefix="aiotone-mutate-", dir=base)

    def on_term(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)
    t_start = time.monotonic()
    print("mutate: seed %d, %d mutants per file, %d job(s), copy in %s%s" % (
        args.seed, args.per_file, args.jobs, tmp,
        ", tests with a private /tmp" if USE_PRIVATE_TMP else ""), flush=True)
    results = []

    def log(s):
        if args.verbose or not s.startswith("  "):
            print(s, flush=True)

    try:
        jobs = max(1, min(args.jobs, len(targets)))
        if jobs == 1:
            tree = Tree(os.path.join(tmp, "0"), all_tests, 2)
            tree.times = baseline_times(tree, all_tests)
            print("mutate: baseline built and passing (%.0f s)" % (time.monotonic() - t_start), flush=True)
            work(tree, targets, args, eq, log, results)
        else:
            import threading
            trees = [Tree(os.path.join(tmp, str(k)), all_tests, 1) for k in range(jobs)]
            for tr in trees:
                tr.times = baseline_times(tr, all_tests)
            print("mutate: baseline built and passing (%.0f s)" % (time.monotonic() - t_start), flush=True)
            lock = threading.Lock()
            queue = list(targets)

            def worker(tr):
                while True:
                    with lock:
                        if not queue:
                            return
                        tg = queue.pop(0)
                    work(tr, [tg], args, eq, lambda s: (lock.acquire(), log(s), lock.release()), results)

            ths = [threading.Thread(target=worker, args=(tr,)) for tr in trees]
            for th in ths:
                th.start()
            for th in ths:
                th.join()
    finally:
        if args.keep:
            print("mutate: kept %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    order = [t[0] for t in TARGETS]
    results.sort(key=lambda r: order.index(r["file"]))
    lines = ["", "Mutation testing (seed %d, %d per file): kill rate per file" % (args.seed, args.per_file),
             "%-34s %6s %6s %6s %7s %9s %6s %s" % ("file", "killed", "valid", "rate", "timeout",
                                                   "stillborn", "equiv", "tests")]
    for r in results:
        rate = 100.0 * r["killed"] / r["valid"] if r["valid"] else 0.0
        lines.append("%-34s %6d %6d %5.1f%% %7d %9d %6d %s" % (
            r["file"], r["killed"], r["valid"], rate, r["timeouts"], r["stillborn"], r["equivalent"],
            ",".join(r["tests"])))
    tk = sum(r["killed"] for r in results)
    tv = sum(r["valid"] for r in results)
    lines.append("%-34s %6d %6d %5.1f%%" % ("total", tk, tv, 100.0 * tk / tv if tv else 0))
    surv = [m for r in results for m in r["survived"]]
    lines.append("")
    lines.append("Survivors (%d): file:line id [operator] mutation | source line" % len(surv))
    for m in surv:
        lines.append("  %s:%d %s [%s] %s | %s" % (m.file, m.line, m.id, m.op, m.desc, short(m.src_line, 70)))
    lines.append("")
    lines.append("mutate: %.0f s in all; equivalent mutants: tests/mutate/equivalent.txt; "
                 "see one: tests/mutate/mutate.py --show ID" % (time.monotonic() - t_start))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
