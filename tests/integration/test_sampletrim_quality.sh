#!/bin/bash
# Rate conversion quality: aiotone-sampletrim against `sox rate -h` on the
# same 48 kHz float signals (tones 20 Hz..20 kHz, tones and a sweep above
# 22.05 kHz), both converted to 44.1 kHz 24-bit with TPDF dither, no gain,
# no trim, no fade. at-srcq measures passband ripple, alias rejection and
# THD+N of each; sampletrim must be no worse than sox on any of them.
# Prints the figures (make bench prints the same table).
. "$(dirname "$0")/lib.sh"
ST=$AT_BIN/aiotone-sampletrim
Q=$AT_TOOLS/at-srcq
mkdir -p "$AT_TMP/in" "$AT_TMP/sox" "$AT_TMP/st"

at_check "test signals written" "$Q" gen "$AT_TMP/in"
for f in "$AT_TMP"/in/*.wav; do
    sox -q "$f" -b 24 "$AT_TMP/sox/$(basename "$f")" rate -h 44100 dither 2>/dev/null ||
        at_fail "sox on $(basename "$f")"
done
at_check "sampletrim converts the signals (no gain, trim or fade)" \
    "$ST" --no-progress --bits 24 --no-normalize -s 0 -e 0 -f 0 -o "$AT_TMP/st" "$AT_TMP"/in/*.wav
"$Q" measure "$AT_TMP/sox" >"$AT_TMP/sox.q" || at_fail "measure sox"
"$Q" measure "$AT_TMP/st" >"$AT_TMP/st.q" || at_fail "measure sampletrim"
get() { awk -v k="$2" '$1 == k {print $2}' "$1"; }

printf '# %-24s %12s %12s\n' "44.1k from 48k, 24-bit" "sox rate -h" "sampletrim"
printf '# %-24s %12s %12s\n' "passband ripple (dB)" "$(get "$AT_TMP/sox.q" ripple_db)" "$(get "$AT_TMP/st.q" ripple_db)"
printf '# %-24s %12s %12s\n' "alias rejection (dB)" "$(get "$AT_TMP/sox.q" alias_db)" "$(get "$AT_TMP/st.q" alias_db)"
printf '# %-24s %12s %12s\n' "THD+N (dB)" "$(get "$AT_TMP/sox.q" thdn_db)" "$(get "$AT_TMP/st.q" thdn_db)"

# "No worse": the figures are measured on dithered 24-bit output, so they
# carry about 0.3 dB of noise near the dither floor (-135 dB); allow that
# much on alias rejection and THD+N, and 0.0001 dB on the ripple.
no_worse() { # what, sox, sampletrim, "higher"|"lower" is better, tolerance
    awk -v s="$2" -v t="$3" -v d="$4" -v tol="$5" \
        'BEGIN {exit !(s != "" && t != "" && (d == "lower" ? t <= s + tol : t >= s - tol))}'
}
at_check "passband ripple no worse than sox ($(get "$AT_TMP/st.q" ripple_db) vs $(get "$AT_TMP/sox.q" ripple_db) dB)" \
    no_worse ripple "$(get "$AT_TMP/sox.q" ripple_db)" "$(get "$AT_TMP/st.q" ripple_db)" lower 0.0001
at_check "alias rejection no worse than sox ($(get "$AT_TMP/st.q" alias_db) vs $(get "$AT_TMP/sox.q" alias_db) dB)" \
    no_worse alias "$(get "$AT_TMP/sox.q" alias_db)" "$(get "$AT_TMP/st.q" alias_db)" higher 0.3
at_check "THD+N no worse than sox ($(get "$AT_TMP/st.q" thdn_db) vs $(get "$AT_TMP/sox.q" thdn_db) dB)" \
    no_worse thdn "$(get "$AT_TMP/sox.q" thdn_db)" "$(get "$AT_TMP/st.q" thdn_db)" lower 0.3
# The measurement can fail: the unconverted input (nothing removed above
# 22.05 kHz) has no alias rejection at all.
at_check "the measurement sees the stopband tones in the unconverted input" bash -c '
    a=$("$1" measure "$2/in" | awk "\$1 == \"alias_db\" {print \$2}")
    awk -v a="$a" "BEGIN {exit !(a < 1)}"' _ "$Q" "$AT_TMP"
at_done
