#!/bin/bash
# The walkthrough of docs/adding-a-tool.md, done by a script: the files its
# code blocks name ("```c file=PATH") are written into a copy of the tree
# (the Makefile, .clang-format and common/ only; the Makefile unchanged),
# built there with the project's rules together with the unit test, and the
# tool is run: --help, --make-config, a bad value, and notes through it on
# a private dummy JACK server (at-probe plays them and records what comes
# back).
. "$(dirname "$0")/lib.sh"
DOC=$AT_ROOT/docs/adding-a-tool.md
TREE=$AT_TMP/tree
mkdir -p "$TREE"
cp "$AT_ROOT/Makefile" "$AT_ROOT/.clang-format" "$TREE/"
cp -R "$AT_ROOT/common" "$TREE/"
rm -f "$TREE"/common/*.o "$TREE"/common/*.d
# extract: every block opened by "```LANG file=PATH" up to its closing ```
# goes to TREE/PATH; prints each PATH.
awk -v tree="$TREE" '
    out && /^```/ { close(out); out = ""; next }
    out { print > out; next }
    match($0, /^```[a-z]* file=[^ ]+$/) {
        path = substr($0, index($0, "file=") + 5)
        out = tree "/" path
        d = out; sub(/\/[^\/]*$/, "", d); system("mkdir -p \"" d "\"")
        print path
    }' "$DOC" >"$AT_TMP/files"
at_check "the walkthrough gives the core, the shell, the module.mk and a unit test" \
    test "$(sort "$AT_TMP/files" | tr '\n' ' ')" = "clients/transpose/main.c clients/transpose/module.mk clients/transpose/transpose.c clients/transpose/transpose.h tests/unit/test_transpose.c "
if command -v clang-format >/dev/null; then
    at_check "the walkthrough's C is clang-format clean" \
        bash -c "cd '$TREE' && clang-format --dry-run -Werror clients/transpose/*.[ch] tests/unit/test_transpose.c"
fi

# -O0: the point is that it builds (with -Werror), not its speed; linked
# --no-as-needed, so the binary's NEEDED list is its link line.
BIN=$TREE/build/bin/aiotone-transpose
UNIT=$TREE/build/tests/unit/test_transpose
at_check "the example tool and its unit test build with the unchanged Makefile" \
    nice -n 19 make -s -C "$TREE" -j2 BUILD=build OPT="-O0 -g" EXTRA_LDFLAGS=-Wl,--no-as-needed \
    build/bin/aiotone-transpose build/tests/unit/test_transpose
at_check "the Makefile found the tool by its folder" test -x "$BIN"
at_check "the shell defines its tool in one AT_TOOL line, no main() of its own" \
    bash -c "test \$(grep -c '^AT_TOOL(transpose, params,' '$TREE/clients/transpose/main.c') -eq 1 && ! grep -q 'main(' '$TREE/clients/transpose/main.c'"
at_check "AT_TOOL named it transpose_tool (the name the LV2 bundle would use)" \
    bash -c "nm '$BIN' | grep -q ' [DR] transpose_tool\$'"
at_check "its unit test passes" "$UNIT"
readelf -d "$BIN" | grep NEEDED >"$AT_TMP/needed"
at_check "it links the packages its module.mk names (the shell's)" \
    bash -c "grep -q libjack '$AT_TMP/needed' && grep -q liblo '$AT_TMP/needed'"
at_check "and not the ones it does not use (sndfile, smf, soxr)" \
    bash -c "! grep -qE 'sndfile|smf|soxr' '$AT_TMP/needed'"

"$BIN" --help >"$AT_TMP/help.out" 2>&1
at_check "--help exits 0" test $? -eq 0
at_check "--help names the program and its summary" \
    grep -q "aiotone-transpose.*" "$AT_TMP/help.out"
at_check "--help has the shared options" grep -q -- "--make-config" "$AT_TMP/help.out"
"$BIN" --make-config >"$AT_TMP/default.conf"
at_check "--make-config lists the tool's parameter" grep -q "semitones" "$AT_TMP/default.conf"
at_check "--make-config writes a config the tool accepts" "$BIN" --check-config "$AT_TMP/default.conf"
printf 'transpose: { semitones = 30; };\n' >"$AT_TMP/bad.conf"
"$BIN" --check-config "$AT_TMP/bad.conf" >"$AT_TMP/bad.out" 2>&1
at_check "a value out of range: exit 2" test $? -eq 2
at_check "a value out of range: file, line, key and range" \
    grep -q "bad.conf:1: key 'transpose.semitones'.*-24" "$AT_TMP/bad.out"

at_start_jackd 48000 256
printf 'transpose: { semitones = 7; };\n' >"$AT_TMP/up7.conf"
at_spawn tp "$BIN" -c "$AT_TMP/up7.conf" --osc-port 0
at_check "the tool runs as a JACK client with its ports" at_wait_port transpose:midi_out
# at-probe sends note 60 on and off; the tool answers with note 67 at the
# same offset in the same cycle.
timeout 60 "$AT_TOOLS/at-probe" -n xp -c 40 -o transpose:midi_in -i transpose:midi_out \
    -e "5:17:90 3c 64" -e "9:3:80 3c 00" >"$AT_TMP/probe.out" 2>"$AT_TMP/probe.err"
at_check "at-probe ran" test $? -eq 0
at_check "the note comes back 7 semitones up, at its offset" grep -qx "5 17 90 43 64" "$AT_TMP/probe.out"
at_check "its note-off too" grep -qx "9 3 80 43 00" "$AT_TMP/probe.out"
at_check "nothing else came back" test "$(grep -vc '^#' "$AT_TMP/probe.out")" -eq 2
at_kill tp
at_check "the tool stops cleanly on SIGTERM" bash -c "! grep -qiE 'error|leak' '$AT_TMP/tp.log'"
at_done
