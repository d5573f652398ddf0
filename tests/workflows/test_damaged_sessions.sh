#!/bin/bash
# Damaged-input corpus for sessions: broken session files and broken state
# files, generated here. For each, `aiotone-session check DIR` (and for a
# broken session.conf `aiotone-session run DIR`, which must start nothing)
# gives the documented exit status and a message that names the file, and
# where it applies the line and the key. No JACK server is needed: nothing
# may get as far as starting one.
. "$(dirname "$0")/../integration/lib.sh"
S=$AT_BIN/aiotone-session
export JACK_DEFAULT_SERVER=aiotone-test-none-$$ # no server by that name: nothing may need one
FM='{ id = "fm"; command = "aiotone-fmsynth"; }'
SN='{ id = "sn"; command = "aiotone-samplesnake"; }'

# case NAME EXIT REGEX: check a session directory $AT_TMP/NAME (already
# written) with check, and with run when the session file is broken.
case_check() {
    local name=$1 want=$2 re=$3 d=$AT_TMP/$1 rc
    "$S" check "$d" >"$AT_TMP/$name.out" 2>&1
    rc=$?
    if [ "$rc" -eq "$want" ] && grep -qE -- "$re" "$AT_TMP/$name.out"; then
        at_ok "$name: check exits $want, says /$re/"
    else
        at_fail "$name: check exits $want (got $rc), says /$re/"
        sed 's/^/#   /' "$AT_TMP/$name.out" | head -n 5
    fi
}
case_run() {
    local name=$1 want=$2 re=$3 d=$AT_TMP/$1 rc
    timeout 20 "$S" run "$d" >"$AT_TMP/$name.run" 2>&1
    rc=$?
    if [ "$rc" -eq "$want" ] && grep -qE -- "$re" "$AT_TMP/$name.run" &&
        grep -q "nothing was started" "$AT_TMP/$name.run"; then
        at_ok "$name: run exits $want, says /$re/, starts nothing"
    else
        at_fail "$name: run exits $want (got $rc), says /$re/ and 'nothing was started'"
        sed 's/^/#   /' "$AT_TMP/$name.run" | head -n 5
    fi
}
mk() { # NAME: a session directory; session.conf from stdin
    mkdir -p "$AT_TMP/$1"
    cat >"$AT_TMP/$1/session.conf"
}

# --- broken session files: exit 2, file:line: key: what is allowed ---------
printf 'clients = (\n  %s\n' "$FM" | mk truncated
case_check truncated 2 "truncated/session.conf:3: syntax error"
case_run truncated 2 "truncated/session.conf:3: syntax error"
printf '\0\1\2\3binary\377\376' | mk binary
case_check binary 2 "binary/session.conf: holds a NUL byte at offset 0: not a text file"
case_run binary 2 "binary/session.conf: holds a NUL byte"
printf 'clients = ( %s );\nclient = ();\n' "$FM" | mk unknown-key
case_check unknown-key 2 "unknown-key/session.conf:2: key 'client': unknown key: allowed are jack, hosts, clients, connections, on-jobs-done"
case_run unknown-key 2 "key 'client': unknown key"
printf 'clients = (\n  { id = "../fm"; command = "aiotone-fmsynth"; }\n);\n' | mk bad-id
case_check bad-id 2 "bad-id/session.conf:2: key 'clients.\[0\].id': bad value \"../fm\""
printf 'clients = (\n  { id = "x"; command = "/bin/sh"; }\n);\n' | mk path-command
case_check path-command 2 "path-command/session.conf:2: key 'clients.\[0\].command': bad value \"/bin/sh\": must be a bare program name"
case_run path-command 2 "key 'clients.\[0\].command'"
printf 'clients = ( { id = "x"; command = "aiotone-no-such-tool"; } );\n' | mk missing-program
case_check missing-program 2 "client 'x': program 'aiotone-no-such-tool' not found"
case_run missing-program 2 "program 'aiotone-no-such-tool' not found"
printf 'clients = (\n  %s,\n  %s\n);\n' "$FM" "$FM" | mk duplicate-id
case_check duplicate-id 2 "duplicate-id/session.conf:3: key 'clients.\[1\].id': client id \"fm\" is used twice"
printf 'clients = (\n  { id = "sn"; command = "aiotone-samplesnake";\n    job = "yes"; }\n);\n' | mk job-not-bool
case_check job-not-bool 2 "job-not-bool/session.conf:3: key 'clients.\[0\].job': must be true or false"
printf 'clients = ( %s );\non-jobs-done = "quit";\n' "$SN" | mk bad-jobs-done
case_check bad-jobs-done 2 "bad-jobs-done/session.conf:2: key 'on-jobs-done': bad value \"quit\": allowed are \"keep-running\" \(the default\), \"stop\""
case_run bad-jobs-done 2 "key 'on-jobs-done'"
printf 'connections = (\n  { from = "a:out"; }\n);\n' | mk half-connection
case_check half-connection 2 "half-connection/session.conf:2: key 'connections.\[0\]': missing 'to'"
printf 'jack = { period = 300; };\n' | mk bad-period
case_check bad-period 2 "bad-period/session.conf:1: key 'jack.period': bad value 300: must be a power of two"
mkdir -p "$AT_TMP/no-file"
case_check no-file 2 "no-file/session.conf: No such file or directory"
mkdir -p "$AT_TMP/dir-file/session.conf"
case_check dir-file 2 "dir-file/session.conf: Is a directory"
"$S" check "$AT_TMP/no-such-dir" >"$AT_TMP/nodir.out" 2>&1
at_check "a session directory that does not exist: exit 2, named" \
    bash -c "test $? -eq 2 && grep -q 'session directory $AT_TMP/no-such-dir: No such file or directory' $AT_TMP/nodir.out"
# Accepted as they are: a byte-order mark, CRLF line ends, an empty session.
printf '\357\273\277clients = ( %s );\r\n' "$FM" | mk bom
case_check bom 0 "bom/session.conf: ok \(1 clients, 0 connections, 0 state files\)"
: | mk empty
case_check empty 0 "empty/session.conf: ok \(0 clients"

# --- broken state files: the tool's own rules, exit 2 ----------------------
state() { # NAME CLIENT-DEF ID: session with one client; state file from stdin
    mk "$1" <<<"clients = ( $2 );"
    cat >"$AT_TMP/$1/$3.conf"
}
printf '# my patch\npatch = {\n  algorithm = 42;\n};\n' | state st-range "$FM" fm
case_check st-range 2 "st-range/fm.conf:3: .*'patch.algorithm'.*42"
case_check st-range 2 "client 'fm': its state file .*st-range/fm.conf does not load in aiotone-fmsynth \(exit status 2\)"
printf 'patch = { colour = 1; };\n' | state st-unknown "$FM" fm
case_check st-unknown 2 "st-unknown/fm.conf:1: .*patch.colour.*unknown"
printf 'patch = { algorithm = ; };\n' | state st-syntax "$FM" fm
case_check st-syntax 2 "st-syntax/fm.conf:1: syntax error"
printf 'sampling = {\n  notes = "C, H";\n};\n' | state st-note "$SN" sn
case_check st-note 2 "sampling.notes.*bad note name 'H'"
printf 'sampling = {\n  start = "later";\n};\n' | state st-start "$SN" sn
case_check st-start 2 "st-start/sn.conf:2: .*'sampling.start'.*later"
printf 'sampling = { silence-threshold = "loud"; };\n' | state st-threshold "$SN" sn
case_check st-threshold 2 "sampling.silence-threshold.*loud"
: | state st-empty "$FM" fm
case_check st-empty 0 "st-empty/session.conf: ok \(1 clients, 0 connections, 1 state files\)"
at_done
