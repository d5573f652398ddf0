#!/bin/bash
# Workflow: rendering a song, when things go wrong (docs/workflows.md).
# The input is never overwritten; no partial or corrupt WAV is ever left
# under the output's name, and an existing output survives a failed
# render; every exit status is the documented one (0 ok, 1 runtime
# failure, 2 bad usage or configuration).
. "$(dirname "$0")/../integration/lib.sh"
WF=$AT_ROOT/tests/workflows
# The system python starts in 0.1 s (a version-manager shim can take 2 s).
PY=$(command -v /usr/bin/python3 || command -v python3)
FM=$AT_BIN/aiotone-fmsynth
cd "$AT_TMP" || exit 1

# Folders this script mounts are unmounted before lib.sh removes $AT_TMP.
MOUNTS=()
RENDER_PID=
wf_cleanup() {
    [ -n "$RENDER_PID" ] && kill -KILL "$RENDER_PID" 2>/dev/null
    local m
    for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null; done
    at_cleanup
}
trap wf_cleanup EXIT
# mount_tmpfs DIR OPTIONS: a tmpfs of our own (we run as root); false if
# this machine does not allow it.
mount_tmpfs() {
    mkdir -p "$1"
    mount -t tmpfs -o "$2" tmpfs "$1" 2>/dev/null || return 1
    MOUNTS+=("$1")
}
sum() { md5sum <"$1" | cut -d' ' -f1; }
# Files in a folder, hidden ones included (a temporary file left behind).
entries() { find "$1" -mindepth 1 -maxdepth 1 | wc -l; }
# Hidden files in a folder (where a temporary file would be).
hidden() { find "$1" -mindepth 1 -maxdepth 1 -name '.*' | wc -l; }

"$PY" "$WF/midi.py" song ok.mid 0:903c64 0:904064 2:803c00 2:804000
ok_sum=$(sum ok.mid)

# ---- the output is the input: refused, exit 2, input untouched ----
for out in ok.mid ./ok.mid "$AT_TMP/ok.mid"; do
    "$FM" --render ok.mid -o "$out" 2>same.err
    rc=$?
    at_check "-o $out (the input itself) is refused with exit 2 ($rc), input untouched" \
        bash -c "[ $rc = 2 ] && [ $(sum ok.mid) = $ok_sum ] && grep -q 'is the input file' same.err"
done
ln -s ok.mid sym.wav
"$FM" --render ok.mid -o sym.wav 2>sym.err
rc=$?
at_check "an output that is a symlink to the input is refused with exit 2 ($rc), input untouched" \
    bash -c "[ $rc = 2 ] && [ $(sum ok.mid) = $ok_sum ] && [ -L sym.wav ] && grep -q 'through a symlink' sym.err"
ln ok.mid hard.wav
"$FM" --render ok.mid -o hard.wav 2>hard.err
rc=$?
at_check "an output that is a hard link to the input is refused with exit 2 ($rc), input untouched" \
    bash -c "[ $rc = 2 ] && [ $(sum ok.mid) = $ok_sum ] && grep -q 'is the input file' hard.err"
ln -s "$AT_TMP/ok.mid" in-link.mid
"$FM" --render in-link.mid -o ok.mid 2>inl.err
rc=$?
at_check "an input given through a symlink, rendered onto its target, is refused with exit 2 ($rc)" \
    bash -c "[ $rc = 2 ] && [ $(sum ok.mid) = $ok_sum ]"
mkdir outdir
"$FM" --render ok.mid -o outdir 2>dir.err
rc=$?
at_check "an output that is a directory is refused with exit 2 ($rc)" \
    bash -c "[ $rc = 2 ] && grep -q 'outdir is a directory' dir.err && [ $(entries outdir) = 0 ]"

# ---- a good render, then failures that must leave it as it was ----
"$FM" --render ok.mid -o out.wav 2>good.err
at_check "a good render exits 0" test $? = 0
good_sum=$(sum out.wav)
at_check "and leaves nothing else in the folder" test "$(hidden .)" = 0

# A file-size limit (ulimit -f, in 512-byte blocks here: 100 kB).
"$PY" "$WF/midi.py" song big.mid 0:903c64 60:803c00
(ulimit -f 200 && exec "$FM" --render big.mid -o out.wav) 2>fsize.err
rc=$?
echo "# $(tail -n 1 fsize.err)"
at_check "past the file-size limit the render fails with exit 1 ($rc), saying why" \
    bash -c "[ $rc = 1 ] && grep -q 'cannot write out.wav after .*File too large' fsize.err"
at_check "the previous out.wav is untouched and no partial file is left" \
    bash -c "[ $(sum out.wav) = $good_sum ] && [ $(hidden .) = 0 ]"

# A full disk: a 1 MB tmpfs of our own.
if mount_tmpfs full size=1m; then
    "$FM" --render big.mid -o full/song.wav 2>full.err
    rc=$?
    echo "# $(tail -n 1 full.err)"
    at_check "on a full disk the render fails with exit 1 ($rc), naming the file and the reason" \
        bash -c "[ $rc = 1 ] && grep -q 'cannot write full/song.wav.*No space left on device' full.err"
    at_check "and leaves no file behind on that disk" \
        bash -c "[ ! -e full/song.wav ] && [ \$(find full -mindepth 1 -maxdepth 1 -name '.*' | wc -l) = 0 ]"
    # over an existing output on a disk that fills up
    head -c 300000 /dev/zero >full/keep.wav
    keep_sum=$(sum full/keep.wav)
    "$FM" --render big.mid -o full/keep.wav 2>/dev/null
    rc=$?
    at_check "an existing output on a full disk is left as it was (exit $rc)" \
        bash -c "[ $rc = 1 ] && [ $(sum full/keep.wav) = $keep_sum ] && [ \$(find full -mindepth 1 -maxdepth 1 -name '.*' | wc -l) = 0 ]"
    # read-only folder
    if mount_tmpfs ro ro; then
        "$FM" --render ok.mid -o ro/song.wav 2>ro.err
        rc=$?
        echo "# $(tail -n 1 ro.err)"
        at_check "a read-only folder: exit 1 ($rc), the message names the output and the reason" \
            bash -c "[ $rc = 1 ] && grep -q 'cannot write ro/song.wav: cannot create a file in ro: Read-only file system' ro.err"
    fi
else
    at_ok "a full disk # SKIP: cannot mount a tmpfs here"
fi

# ---- a signal midway: nothing under the output's name ----
# A 20-minute song at 192 kHz takes several seconds to render: stop it
# once 2 MB more than the old output are in the folder (the render is
# writing), with each signal a user sends.
"$PY" "$WF/midi.py" song long.mid 0:903c64 1:803c00 1200:903c40 1200.5:803c00
for sig in TERM INT HUP; do
    mkdir -p "sig$sig"
    cp out.wav "sig$sig/out.wav"
    # (a background job of a script starts with SIGINT ignored: undo that,
    # as a terminal's ^C reaches a program run in the foreground)
    env --default-signal=INT "$FM" --render long.mid -o "sig$sig/out.wav" --rate 192000 2>"sig$sig.err" &
    RENDER_PID=$!
    grown=0
    for _ in $(seq 1 200); do
        # the bytes in the folder: the old out.wav and whatever is written
        size=$(find "sig$sig" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
        if [ "$size" -gt 3000000 ]; then grown=1; break; fi
        kill -0 "$RENDER_PID" 2>/dev/null || break
        sleep 0.05
    done
    kill "-$sig" "$RENDER_PID" 2>/dev/null
    wait "$RENDER_PID"
    rc=$?
    RENDER_PID=
    echo "# SIG$sig: $(tail -n 1 "sig$sig.err")"
    at_check "SIG$sig midway (writing had begun: $grown): exit 1 ($rc), the old output intact, no partial file" \
        bash -c "[ $grown = 1 ] && [ $rc = 1 ] && [ $(sum "sig$sig/out.wav") = $good_sum ] && [ $(entries "sig$sig") = 1 ] && grep -q 'stopped by a signal' sig$sig.err"
done

# ---- exit statuses of the documented usage errors ----
"$FM" --render ok.mid 2>/dev/null
at_check "--render without -o: exit 2" test $? = 2
"$FM" --render ok.mid -o x.wav --rate 0 2>/dev/null
at_check "--rate 0: exit 2, nothing written" bash -c "[ $? = 2 ] && [ ! -e x.wav ]"
"$FM" --render ok.mid -o x.wav --bogus 2>/dev/null
at_check "an unknown option: exit 2" test $? = 2
"$FM" --render nosuch.mid -o x.wav 2>nosuch.err
rc=$?
at_check "a missing input: exit 1 ($rc), named, nothing written" \
    bash -c "[ $rc = 1 ] && grep -q 'nosuch.mid: No such file' nosuch.err && [ ! -e x.wav ]"
"$FM" --render ok.mid -o /dev/null 2>null.err
rc=$?
at_check "an output that is a device (/dev/null) is refused with exit 2 ($rc)" \
    bash -c "[ $rc = 2 ] && [ -c /dev/null ] && grep -q 'not a regular file' null.err"

at_done
