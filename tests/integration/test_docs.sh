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
# The repository stands alone: code, tests and docs point into docs/, never
# to the project's spec documents kept outside it (by file name, or by the
# spec's name in capitals followed by 's or in brackets). The patterns are
# written escaped so this file does not match itself.
OUTSIDE_REFS="(SPEC|DESIGN|INTERFACE|ECOSYSTEM)\\.md|\\.\\./shared|SPEC[']s|\\(SPEC\\)"
# no_outside_refs FILE...: true when no FILE points outside the repository;
# prints each offending line (file:line:text).
no_outside_refs() {
    ! grep -InE "$OUTSIDE_REFS" -- "$@"
}
# repo_files: every file of the repository (git's list in a checkout, else
# every file under the top folder but build output and .git).
repo_files() {
    if git rev-parse --git-dir >/dev/null 2>&1; then
        git ls-files
    else
        find . -path ./.git -prune -o -path "./build*" -prune -o -type f -print | sed 's|^\./||'
    fi
}
no_outside_refs_anywhere() {
    local files=() present=() f
    mapfile -t files < <(repo_files)
    for f in "${files[@]}"; do
        [ -f "$f" ] && present+=("$f")
    done
    no_outside_refs "${present[@]}"
}
at_check "no file of the repository (code, tests, docs) points to documents outside it" \
    no_outside_refs_anywhere

# One page per tool: its rules, files, ports and tests, pointing to its
# man page. A page is docs/<tool>.md, but the session manager's is
# docs/sessions.md.
for main in clients/*/main.c; do
    t=$(basename "$(dirname "$main")")
    page=docs/$t.md
    [ "$t" = session ] && page=docs/sessions.md
    at_check "aiotone-$t has its page $page" test -f "$page"
    at_check "$page points to the man page docs/man/aiotone-$t.1" \
        bash -c "test -f docs/man/aiotone-$t.1 && grep -q 'docs/man/aiotone-$t.1' $page"
done
at_done
