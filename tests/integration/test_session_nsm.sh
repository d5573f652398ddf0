#!/bin/bash
# aiotone-session as an NSM server for other peers (docs/sessions.md, "NSM
# server commands"): /nsm/server/list of the sessions next to the running
# one; duplicate (CLI and OSC, with and without a GUI attached: the clients
# save first, the folder is copied, the copy opens; a name that exists is
# refused; a copy that fails leaves nothing and never touches SRC); a GUI
# that announces gets the session and its clients and every change; open,
# new, abort; a lock left by a manager killed with -9 is taken over, one
# held by a live manager is refused; a GUI's requests on one client
# (stop, resume, save, remove) and /nsm/server/broadcast.
. "$(dirname "$0")/lib.sh"
at_session_start
R=$AT_TMP/sessions
mkdir -p "$R/song" "$R/other" "$R/notes"
OSC_A=$((20000 + RANDOM % 20000))
cat >"$R/song/session.conf" <<EOF
clients = (
  { id = "a"; command = "at-thru"; },
  { id = "b"; command = "at-thru"; }
);
connections = ( { from = "a:midi_out"; to = "b:midi_in"; } );
EOF
printf 'thru = { transpose = 1; };\nosc = { port = %d; };\n' $OSC_A >"$R/song/a.conf"
printf 'clients = ( { id = "t"; command = "at-thru"; } );\n' >"$R/other/session.conf"
echo "not a session" >"$R/notes/readme.txt"

# nsmpeer: a scripted NSM client (at-osc announcing itself, printing what it gets)
mkdir -p "$AT_TMP/bin"
cat >"$AT_TMP/bin/nsmpeer" <<'EOF'
#!/bin/bash
p=${NSM_URL#osc.udp://127.0.0.1:}
exec at-osc -w 30000 127.0.0.1 "${p%/}" /nsm/server/announce sssiii nsmpeer : nsmpeer 1 1 $$
EOF
chmod +x "$AT_TMP/bin/nsmpeer"
export PATH=$AT_TMP/bin:$PATH

url_port() { sed -n 's|^osc.udp://127.0.0.1:\([0-9]*\)/$|\1|p' "$1/.aiotone-session.url"; }
osc() { "$AT_TOOLS/at-osc" "$@"; }
# wait_count NAME RE N: the log of NAME has N lines matching RE (10 s).
wait_count() {
    local i
    for ((i = 0; i < 200; i++)); do
        [ "$(grep -cE "$2" "$AT_TMP/$1.log")" -ge "$3" ] && return 0
        sleep 0.05
    done
    return 1
}
tree_sum() { (cd "$1" && find . -type f ! -name .aiotone-session.url -print0 | sort -z |
    xargs -0 md5sum | md5sum); }

at_spawn sess "$S" run "$R/song"
at_check "the session opens" at_wait_log sess "session open: 2 clients, all 1 connections made" 20
port=$(url_port "$R/song")

# list: the sessions in the folder of the running one, then "" (the end).
osc -w 500 127.0.0.1 "$port" /nsm/server/list >"$AT_TMP/list.out"
sed 's/^/# /' "$AT_TMP/list.out"
at_check "/nsm/server/list names every session next to the running one, sorted" \
    bash -c "grep '^/reply' $AT_TMP/list.out | tr '\n' '|' |
             grep -qx '/reply ss /nsm/server/list other|/reply ss /nsm/server/list song|/reply ss /nsm/server/list |'"

# duplicate without a GUI (nsmd 1.6 crashes here): a live change is saved
# first, the copy gets it, and the manager opens the copy.
osc 127.0.0.1 $OSC_A /thru/transpose i 6 >/dev/null
before=$(tree_sum "$R/other")
"$S" duplicate "$R/song" "$R/other" >"$AT_TMP/dup0.out" 2>&1
rc=$?
at_check "duplicate onto an existing session is refused (exit 2) and says why" \
    bash -c "test $rc -eq 2 && grep -q 'other: exists already: refusing to overwrite it' $AT_TMP/dup0.out"
at_check "... and leaves that session as it was" test "$(tree_sum "$R/other")" = "$before"
"$S" duplicate "$R/song" "$R/song2" >"$AT_TMP/dup1.out" 2>&1
rc=$?
sed 's/^/# /' "$AT_TMP/dup1.out"
at_check "duplicate (no GUI): exit 0, the copy opened" \
    bash -c "test $rc -eq 0 && grep -q 'duplicated $R/song as $R/song2; opened $R/song2' $AT_TMP/dup1.out"
at_check "the manager is still running (no crash without a GUI)" kill -0 "$AT_PID_sess"
at_check "the clients saved before the copy (SRC a.conf: transpose 6)" \
    grep -qE "^\s*transpose = 6;" "$R/song/a.conf"
at_check "the copy has every client's state (a.conf: transpose 6) and session.conf" \
    bash -c "grep -qE '^\s*transpose = 6;' $R/song2/a.conf && cmp -s $R/song/session.conf $R/song2/session.conf"
at_check "the copy's clients open under the same ids, their connection made" \
    wait_count sess "session open: 2 clients, all 1 connections made" 2
at_check "the manager moved its URL file to the copy" \
    bash -c "test -s $R/song2/.aiotone-session.url && test ! -e $R/song/.aiotone-session.url"
"$S" status "$R/song2" >"$AT_TMP/status2.out" 2>&1
at_check "status of the copy lists its clients open" grep -qE "^  a +open" "$AT_TMP/status2.out"
at_check "no temporary folder is left" bash -c "! ls -A $R | grep -q tmp"

# A GUI announces: it gets hi, every client (new, status), the session name.
at_spawn gui "$AT_TOOLS/at-osc" -w 15000 127.0.0.1 "$port" /nsm/gui/gui_announce
at_check "a GUI that announces gets the session name" at_wait_log gui "^/nsm/gui/session/name ss song2 song2$" 5
at_check "... the greeting" grep -qx "/nsm/gui/gui_announce s hi" "$AT_TMP/gui.log"
at_check "... every client with its status" \
    bash -c "grep -qx '/nsm/gui/client/new ss a aiotone-thru' $AT_TMP/gui.log &&
             grep -qx '/nsm/gui/client/status ss a ready' $AT_TMP/gui.log &&
             grep -qx '/nsm/gui/client/status ss b ready' $AT_TMP/gui.log"
# with the GUI attached: duplicate over OSC by name
osc 127.0.0.1 $OSC_A /thru/transpose i 7 >/dev/null
at_check "a live change shows as dirty in the GUI" \
    at_wait_log gui "^/nsm/gui/client/dirty si a 1$" 5
osc -w 15000 127.0.0.1 "$port" /nsm/server/duplicate s song3 >"$AT_TMP/dup2.out"
sed 's/^/# /' "$AT_TMP/dup2.out"
at_check "/nsm/server/duplicate with a GUI attached: answered with /reply" \
    grep -q "^/reply ss /nsm/server/duplicate duplicated $R/song2 as $R/song3; opened $R/song3" \
    "$AT_TMP/dup2.out"
at_check "the GUI saw the save (status save, then clean)" \
    bash -c "grep -qx '/nsm/gui/client/status ss a save' $AT_TMP/gui.log &&
             grep -qx '/nsm/gui/client/dirty si a 0' $AT_TMP/gui.log"
at_check "the GUI is told the old clients are removed and the new session's name" \
    bash -c "grep -qx '/nsm/gui/client/status ss a removed' $AT_TMP/gui.log &&
             grep -qx '/nsm/gui/session/name ss song3 song3' $AT_TMP/gui.log"
at_check "the copy has the change (song3/a.conf: transpose 7)" \
    grep -qE "^\s*transpose = 7;" "$R/song3/a.conf"
osc -w 500 127.0.0.1 "$port" /nsm/server/duplicate s song >"$AT_TMP/dup3.out"
at_check "/nsm/server/duplicate to a name that exists: /error -10, clear" \
    grep -q "^/error sis /nsm/server/duplicate -10 $R/song exists already: refusing to overwrite it" \
    "$AT_TMP/dup3.out"
osc -w 500 127.0.0.1 "$port" /nsm/server/duplicate s ../up >"$AT_TMP/dup4.out"
at_check "a name that leaves the session folder is refused" \
    grep -q "^/error sis /nsm/server/duplicate -1 bad session name '../up'" "$AT_TMP/dup4.out"

# new and open
osc -w 15000 127.0.0.1 "$port" /nsm/server/new s fresh >"$AT_TMP/new.out"
at_check "/nsm/server/new creates an empty session and opens it" \
    bash -c "grep -q '^/reply ss /nsm/server/new created $R/fresh; opened $R/fresh' $AT_TMP/new.out &&
             test -s $R/fresh/session.conf && test -s $R/fresh/.aiotone-session.url"
osc -w 15000 127.0.0.1 "$port" /nsm/server/open s song3 >"$AT_TMP/open.out"
at_check "/nsm/server/open opens another session" \
    grep -q "^/reply ss /nsm/server/open opened $R/song3" "$AT_TMP/open.out"
osc -w 2000 127.0.0.1 "$port" /nsm/server/open s notes >"$AT_TMP/open2.out"
at_check "/nsm/server/open of a folder without session.conf: /error, the session stays" \
    bash -c "grep -q '^/error sis /nsm/server/open -9 .*$R/notes does not open: .*$R/song3 stays open' $AT_TMP/open2.out &&
             test -s $R/song3/.aiotone-session.url"
wait_count sess "session open: 2 clients, all 1 connections made" 4

# Stale lock: the manager is killed with -9 while song3 is open.
dead=$AT_PID_sess
kill -KILL "$dead"
wait "$dead" 2>/dev/null
at_check "a killed manager leaves its URL file (the lock)" test -s "$R/song3/.aiotone-session.url"
for i in $(seq 100); do jack_lsp | grep -qE '^(a|b):' || break; sleep 0.05; done
at_spawn sess2 "$S" run "$R/song3"
at_check "run again: the stale lock of the dead manager is taken over, with a message" \
    at_wait_log sess2 "stale lock: the session manager that wrote it \(pid $dead\) is gone" 10
at_check "... and the session opens" at_wait_log sess2 "session open: 2 clients" 20
"$S" run "$R/song3" >"$AT_TMP/live.out" 2>&1
rc=$?
at_check "a lock held by a live manager is refused (exit 1) with a clear error" \
    bash -c "test $rc -eq 1 && grep -q 'a session is already running in $R/song3 (pid $AT_PID_sess2)' $AT_TMP/live.out"

# A GUI's requests on one client: stop, resume, save, remove; broadcast.
port=$(url_port "$R/song3")
at_spawn gui2 "$AT_TOOLS/at-osc" -w 60000 127.0.0.1 "$port" /nsm/gui/gui_announce
at_check "a second GUI announces" at_wait_log gui2 "^/nsm/gui/session/name ss song3 song3$" 5
status3() { "$S" status "$R/song3" 2>&1; }
pid_of() { status3 | sed -nE "s/^  $1 +[a-zA-Z]+ .* pid ([0-9]+) .*/\1/p"; }
state_of() { status3 | sed -nE "s/^  $1 +([a-zA-Z]+) .*/\1/p"; }
b_pid=$(pid_of b)
osc -w 4000 127.0.0.1 "$port" /nsm/gui/client/stop s b >"$AT_TMP/stop.out"
at_check "/nsm/gui/client/stop is answered" \
    grep -qx "/reply ss /nsm/gui/client/stop stopped client 'b'" "$AT_TMP/stop.out"
at_check "... its process has ended" bash -c "! kill -0 $b_pid 2>/dev/null"
at_check "... the GUI sees it stopped" at_wait_log gui2 "^/nsm/gui/client/status ss b stopped$" 5
sleep 1.5
at_check "... and it stays stopped (not restarted), in the session" \
    test "$(state_of b)" = stopped
at_check "... its ports are gone" bash -c "! jack_lsp | grep -q '^b:'"
osc -w 1000 127.0.0.1 "$port" /nsm/gui/client/remove s a >"$AT_TMP/rm0.out"
at_check "remove of a running client is refused" \
    grep -qx "/error sis /nsm/gui/client/remove -1 client 'a' is open: stop it first" "$AT_TMP/rm0.out"
osc -w 1000 127.0.0.1 "$port" /nsm/gui/client/stop s zz >"$AT_TMP/bad0.out"
osc -w 1000 127.0.0.1 "$port" /nsm/gui/client/resume i 3 >"$AT_TMP/bad1.out"
at_check "an unknown client id gets a clear /error" \
    grep -qx "/error sis /nsm/gui/client/stop -1 no client 'zz' in this session" "$AT_TMP/bad0.out"
at_check "a wrong argument type gets a clear /error (and the manager lives)" \
    bash -c "grep -qx '/error sis /nsm/gui/client/resume -1 takes s CLIENT_ID' $AT_TMP/bad1.out &&
             kill -0 $AT_PID_sess2"
osc -w 1000 127.0.0.1 "$port" /nsm/gui/client/resume s b >"$AT_TMP/resume.out"
at_check "/nsm/gui/client/resume is answered" \
    grep -qx "/reply ss /nsm/gui/client/resume resumed client 'b'" "$AT_TMP/resume.out"
for i in $(seq 200); do [ "$(state_of b)" = open ] && break; sleep 0.05; done
at_check "... it runs again under a new pid and opens" \
    bash -c "test '$(state_of b)' = open && test -n '$(pid_of b)' && test '$(pid_of b)' != '$b_pid'"
at_wait_conn a:midi_out b:midi_in 10 2>/dev/null
at_check "... its connection comes back (a:midi_out -> b:midi_in)" \
    bash -c "jack_lsp -c | grep -A1 '^a:midi_out' | grep -q 'b:midi_in'"
osc 127.0.0.1 $OSC_A /thru/transpose i 8 >/dev/null
osc -w 2000 127.0.0.1 "$port" /nsm/gui/client/save s a >"$AT_TMP/save1.out"
at_check "/nsm/gui/client/save is answered once the client saved" \
    grep -q "^/reply ss /nsm/gui/client/save saved client 'a'" "$AT_TMP/save1.out"
at_check "... that client's state is written (a.conf: transpose 8)" \
    grep -qE "^\s*transpose = 8;" "$R/song3/a.conf"
osc -w 4000 127.0.0.1 "$port" /nsm/gui/client/stop s b >/dev/null
osc -w 1000 127.0.0.1 "$port" /nsm/gui/client/remove s b >"$AT_TMP/rm1.out"
at_check "/nsm/gui/client/remove of a stopped client is answered" \
    grep -q "^/reply ss /nsm/gui/client/remove removed client 'b'" "$AT_TMP/rm1.out"
at_check "... the GUI is told it is removed" at_wait_log gui2 "^/nsm/gui/client/status ss b removed$" 5
at_check "... session.conf still has it until the next save" grep -q '"b"' "$R/song3/session.conf"
osc -w 3000 127.0.0.1 "$port" /nsm/server/save >"$AT_TMP/save2.out"
at_check "after a save session.conf has no client 'b' (and still 'a')" \
    bash -c "grep -q '^/reply ss /nsm/server/save' $AT_TMP/save2.out &&
             ! grep -q 'id = \"b\"' $R/song3/session.conf && grep -q 'id = \"a\"' $R/song3/session.conf"
sed 's/^/# /' "$R/song3/session.conf"
# broadcast: a scripted NSM peer (at-osc announcing) is added; a message
# broadcast from another peer reaches it.
osc -w 1000 127.0.0.1 "$port" /nsm/server/add s nsmpeer >"$AT_TMP/add.out"
at_check "the scripted peer is added" grep -q "^/reply ss /nsm/server/add added as 'nsmpeer'" "$AT_TMP/add.out"
at_check "... and announces" at_wait_log sess2 "client 'nsmpeer' announced" 10
osc -w 500 127.0.0.1 "$port" /nsm/server/broadcast ssi /hello/x world 5 >"$AT_TMP/bc.out"
at_check "/nsm/server/broadcast reaches the client" at_wait_log sess2 "/hello/x si world 5" 5
at_check "... and the GUI gets it as it came" \
    at_wait_log gui2 "^/nsm/server/broadcast ssi /hello/x world 5$" 5
osc -w 500 127.0.0.1 "$port" /nsm/server/broadcast i 1 >"$AT_TMP/bc2.out"
at_check "a broadcast without a PATH gets a clear /error" \
    grep -q "^/error sis /nsm/server/broadcast -1 broadcast takes s PATH" "$AT_TMP/bc2.out"
at_kill gui2

# abort: ends the session without saving.
osc 127.0.0.1 $OSC_A /thru/transpose i 9 >/dev/null
osc -w 3000 127.0.0.1 "$port" /nsm/server/abort >"$AT_TMP/abort.out"
at_check "/nsm/server/abort is answered" grep -q "^/reply ss /nsm/server/abort stopping" "$AT_TMP/abort.out"
for i in $(seq 100); do kill -0 "$AT_PID_sess2" 2>/dev/null || break; sleep 0.1; done
at_check "abort: the manager has exited" bash -c "! kill -0 $AT_PID_sess2 2>/dev/null"
at_check "abort: nothing was saved (a.conf keeps transpose 8, the GUI's client save)" \
    grep -qE "^\s*transpose = 8;" "$R/song3/a.conf"

# duplicate with no manager running: a plain copy; a copy that fails half
# way (a file size limit) leaves no half copy and SRC as it was.
"$S" duplicate "$R/song3" "$R/offline" >"$AT_TMP/dup5.out" 2>&1
at_check "duplicate with no session running: a plain copy, exit 0" \
    bash -c "grep -q 'duplicated $R/song3 as $R/offline (no session runs' $AT_TMP/dup5.out &&
             cmp -s $R/song3/a.conf $R/offline/a.conf"
head -c 300000 /dev/urandom >"$R/song3/big.wav"
before=$(tree_sum "$R/song3")
(trap '' XFSZ; ulimit -f 100; "$S" duplicate "$R/song3" "$R/half") >"$AT_TMP/dup6.out" 2>&1
rc=$?
sed 's/^/# /' "$AT_TMP/dup6.out"
at_check "a copy that fails half way: exit 1 with the reason" \
    bash -c "test $rc -eq 1 && grep -q 'cannot copy .*big.wav' $AT_TMP/dup6.out"
at_check "... leaves no half copy (no DST, no temporary)" \
    bash -c "test ! -e $R/half && ! ls -A $R | grep -q half"
at_check "... and SRC as it was" test "$(tree_sum "$R/song3")" = "$before"
at_kill gui
at_kill gui2
at_done
