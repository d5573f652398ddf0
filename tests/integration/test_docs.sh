#!/bin/bash
# The documentation that is generated from the code is up to date, and
# every program has a man page that man can format and --help/--version.
. "$(dirname "$0")/lib.sh"
cd "$AT_ROOT" || exit 1
for t in fmsynth redblue mothergen circuits clock samplesnake; do
    "$AT_BIN/aiotone-$t" --make-config >"$AT_TMP/$t.conf"
    at_check "docs/config/$t.conf matches --make-config (run scripts/gen-config-docs.sh)" \
        diff -u "docs/config/$t.conf" "$AT_TMP/$t.conf"
    at_check "aiotone-$t accepts its own default config" \
        bash -c "'$AT_BIN/aiotone-$t' -c '$AT_TMP/$t.conf' --make-config >/dev/null"
done
for p in "$AT_BIN"/aiotone-*; do
    name=$(basename "$p")
    at_check "$name --help exits 0 and names the program" bash -c "'$p' --help | grep -q '$name'"
    at_check "$name --version prints a version" bash -c "'$p' --version | grep -qE '[0-9]+\.[0-9]+'"
    at_check "$name has a man page that formats cleanly" \
        bash -c "test -f docs/man/$name.1 && LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l docs/man/$name.1 2>&1 >/dev/null | (! grep .)"
done
at_done
