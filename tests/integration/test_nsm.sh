#!/bin/bash
# The NSM client side of aiotone's tools (common/nsm.c + app.c), driven by
# a scripted NSM server (at-nsm-peer): announce (name, capabilities, API
# 1.1, pid), open with a client id (= the JACK client name; the state file
# PATH.conf is loaded), dirty after a live change, save (PATH.conf written,
# then clean), SIGTERM (prompt exit 0), a refused announce, :switch: (a
# second open moves the client to another session without a restart).
. "$(dirname "$0")/lib.sh"
at_start_jackd 48000 256
T=$AT_TOOLS
D=$AT_TMP/sess
mkdir -p "$D"
OSC=$((20000 + RANDOM % 20000))

# at-thru in detail: a state file is loaded at open; a change over OSC
# makes it dirty; a save writes the state and makes it clean.
printf 'thru = { transpose = 3; };\nosc = { port = %d; };\n' $OSC >"$D/nTHRU.conf"
"$T/at-nsm-peer" -t 8000 announce open nTHRU "$D/nTHRU" \
    sh "jack_lsp > $AT_TMP/lsp1.out" \
    sh "$T/at-osc 127.0.0.1 $OSC /thru/get s transpose > $AT_TMP/get1.out" \
    sh "$T/at-osc 127.0.0.1 $OSC /thru/transpose i 5 > /dev/null" \
    wait-dirty save sleep 300 term -- "$T/at-thru" >"$AT_TMP/peer1.out" 2>"$AT_TMP/peer1.err"
cat "$AT_TMP/peer1.out" | sed 's/^/# /'
at_check "announce: name, :dirty: and :switch: capabilities, argv[0], API 1.1, its own pid" \
    grep -qE "^announce aiotone-thru :dirty:switch: \S*at-thru 1 1 yes$" "$AT_TMP/peer1.out"
at_check "open is answered with /reply ss" grep -q "^open-reply " "$AT_TMP/peer1.out"
at_check "the JACK client name is exactly the client id" grep -qx "nTHRU:midi_in" "$AT_TMP/lsp1.out"
at_check "no JACK client under the tool's own name" bash -c "! grep -q '^thru:' $AT_TMP/lsp1.out"
at_check "the state file PATH.conf was loaded at open (transpose 3)" \
    grep -qx "/thru/transpose i 3" "$AT_TMP/get1.out"
at_check "a live change reports is_dirty" grep -qx "dirty" "$AT_TMP/peer1.out"
at_check "save is answered with /reply ss" grep -q "^save-reply " "$AT_TMP/peer1.out"
at_check "after the save the client reports is_clean" \
    bash -c "sed -n '/^save-reply/,\$p' $AT_TMP/peer1.out | grep -qx clean"
at_check "the save wrote PATH.conf with the changed value" \
    grep -qE "^\s*transpose = 5;" "$D/nTHRU.conf"
at_check "SIGTERM: exit status 0" grep -qE "^exit 0 " "$AT_TMP/peer1.out"
ms=$(awk '/^exit/ {print $3}' "$AT_TMP/peer1.out")
at_check "SIGTERM: exits promptly (${ms:-?} ms < 3000)" test "${ms:-99999}" -lt 3000
at_check "the JACK client is gone after SIGTERM" bash -c "! jack_lsp | grep -q '^nTHRU:'"

# A refused announce: the tool gives up without opening JACK.
"$T/at-nsm-peer" -t 5000 refuse -3 "blacklisted" wait-exit -- "$T/at-thru" \
    >"$AT_TMP/peer2.out" 2>"$AT_TMP/peer2.err"
at_check "refused announce: the tool exits with an error" grep -qE "^exit [1-9]" "$AT_TMP/peer2.out"
at_check "refused announce: the reason is printed" grep -q "blacklisted" "$AT_TMP/peer2.err"

# A state file that does not load: open is answered with /error.
printf 'thru = { transpose = 99; };\n' >"$D/nBAD.conf"
"$T/at-nsm-peer" -t 5000 announce open nBAD "$D/nBAD" wait-exit -- "$T/at-thru" \
    >"$AT_TMP/peer3.out" 2>"$AT_TMP/peer3.err"
at_check "a broken state file: open answered with /error sis" \
    grep -q "^open-error -1 .*nBAD.conf:1: key 'thru.transpose'" "$AT_TMP/peer3.out"

# :switch: a second open moves the running tool to another session: the
# new id is the JACK client name, the new state file is loaded, a save
# writes the new file; a broken state file is refused and the running
# session stays as it was.
OSC2=$((OSC + 1))
printf 'thru = { transpose = 3; };\nosc = { port = %d; };\n' $OSC2 >"$D/nSWA.conf"
printf 'thru = { transpose = 7; };\n' >"$D/nSWB.conf"
printf 'thru = { transpose = 99; };\n' >"$D/nSWC.conf"
"$T/at-nsm-peer" -t 8000 announce open nSWA "$D/nSWA" \
    sh "for i in \$(seq 100); do jack_lsp | grep -qx nSWA:midi_in && break; sleep 0.05; done; jack_lsp > $AT_TMP/sw-lsp1.out" \
    open nSWC "$D/nSWC" \
    sh "jack_lsp > $AT_TMP/sw-lsp2.out" \
    open nSWB "$D/nSWB" \
    sh "jack_lsp > $AT_TMP/sw-lsp3.out" \
    sh "$T/at-osc 127.0.0.1 $OSC2 /thru/get s transpose > $AT_TMP/sw-get.out" \
    sh "$T/at-osc 127.0.0.1 $OSC2 /thru/transpose i 5 > /dev/null" \
    wait-dirty save term -- "$T/at-thru" >"$AT_TMP/peer-sw.out" 2>"$AT_TMP/peer-sw.err"
sed 's/^/# /' "$AT_TMP/peer-sw.out"
at_check "switch: the first open is answered" grep -q "^open-reply opened" "$AT_TMP/peer-sw.out"
at_check "switch: a broken state file is refused with /error, naming the file" \
    grep -q "^open-error -1 .*nSWC.conf:1: key 'thru.transpose'" "$AT_TMP/peer-sw.out"
# (the tool registers its ports once its process callback runs, a moment
# after it answers open: the first listing waits for them, so the second,
# right after the refused open, shows what the refusal left)
at_check "switch: the first session's ports are up before the refused open" \
    grep -qx "nSWA:midi_in" "$AT_TMP/sw-lsp1.out"
at_check "switch: after the refusal the first session runs on (nSWA's ports)" \
    grep -qx "nSWA:midi_in" "$AT_TMP/sw-lsp2.out"
at_check "switch: the second open is answered 'switched'" \
    grep -q "^open-reply switched" "$AT_TMP/peer-sw.out"
at_check "switch: the JACK client now has the new id, the old one is gone" \
    bash -c "grep -qx nSWB:midi_out $AT_TMP/sw-lsp3.out && ! grep -q '^nSWA:' $AT_TMP/sw-lsp3.out"
at_check "switch: the new state file was loaded (transpose 7)" \
    grep -qx "/thru/transpose i 7" "$AT_TMP/sw-get.out"
at_check "switch: the save after it writes the new session's file" \
    grep -qE "^\s*transpose = 5;" "$D/nSWB.conf"
at_check "switch: the old session's file is left alone" grep -qE "transpose = 3;" "$D/nSWA.conf"
at_check "switch: one process all along, SIGTERM -> exit 0" grep -qE "^exit 0 " "$AT_TMP/peer-sw.out"

# Every aiotone JACK tool that is built: announce, open under the id, save
# a state file that loads back, switch to another id, SIGTERM.
for tool in clock fmsynth mothergen redblue circuits samplesnake; do
    exe=$AT_BIN/aiotone-$tool
    [ -x "$exe" ] || continue
    id=n$(echo "$tool" | tr a-z A-Z | cut -c1-4)
    "$T/at-nsm-peer" -t 8000 announce open "$id" "$D/$id" sh "jack_lsp > $AT_TMP/lsp-$tool.out" \
        save open "${id}S" "$D/${id}S" sh "jack_lsp > $AT_TMP/lsp2-$tool.out" \
        term -- "$exe" >"$AT_TMP/peer-$tool.out" 2>"$AT_TMP/peer-$tool.err"
    at_check "$tool: announces as aiotone-$tool with API 1.1 and its pid" \
        grep -qE "^announce aiotone-$tool :[a-z:]*dirty[a-z:]* \S+ 1 1 yes$" "$AT_TMP/peer-$tool.out"
    at_check "$tool: JACK client named by the client id" grep -q "^$id:" "$AT_TMP/lsp-$tool.out"
    at_check "$tool: save answered and $id.conf written" \
        bash -c "grep -q '^save-reply' $AT_TMP/peer-$tool.out && test -s $D/$id.conf"
    # Exit 1 (no such JACK server) comes after the config loaded; 2 = bad config.
    "$exe" -c "$D/$id.conf" -s "no-such-server-$$" >/dev/null 2>"$AT_TMP/load-$tool.err"
    at_check "$tool: the saved state loads back (exit 1 = only the JACK server is missing)" \
        test $? -eq 1
    at_check "$tool: :switch: to ${id}S renames the JACK client" \
        bash -c "grep -q '^open-reply switched' $AT_TMP/peer-$tool.out &&
                 grep -q '^${id}S:' $AT_TMP/lsp2-$tool.out && ! grep -q '^$id:' $AT_TMP/lsp2-$tool.out"
    at_check "$tool: SIGTERM -> exit 0" grep -qE "^exit 0 " "$AT_TMP/peer-$tool.out"
done
at_done
