#!/bin/bash
# samplesnake on a private dummy JACK server, sampling the test instrument
# (at-testsynth): 2 notes x 2 octaves x 2 velocities x 2 round robins.
# Checks names, format, pitch from the first frame (pre-roll), the tail,
# the SFZ/DecentSampler mapping, sample-accurate note lengths, resume,
# --dry-run, refusals before any note, and a slowed-down writer.
. "$(dirname "$0")/lib.sh"

RATE=48000
PERIOD=256
HOLD_S=0.1
RELEASE_S=0.15
SS=$AT_BIN/aiotone-samplesnake
SYNTH=$AT_TOOLS/at-testsynth
NOTES="C A"
OCTAVES="3 4"
VELS="64 127"
RRS="1 2"

at_start_jackd $RATE $PERIOD
at_spawn synth "$SYNTH" --release $RELEASE_S
at_spawn probe "$AT_TOOLS/at-probe" -n probe -x -c 2000000
at_wait_port testsynth:out_L || at_fail "test instrument starts"
at_wait_port probe_rx:in || at_fail "probe starts"

write_conf() { # FILE DIR [extra sampling keys]
    cat >"$1" <<EOC
midi = { channel = 1; connect = ["testsynth:midi_in", "probe_rx:in"]; };
audio = { record-left = ["testsynth:out_L"]; record-right = ["testsynth:out_R"]; };
sampling = { directory = "$2"; prefix = "ts"; notes = "C, A"; octaves = [4, 3];
  velocities = [127, 64]; round-robins = 2; hold = "${HOLD_S}s"; cooldown = "50ms";
  max-length = "2s"; ${3:-} };
EOC
}

pc_of() { case $1 in C) echo 0 ;; A) echo 9 ;; esac; }

# The plan the spec asks for: notes in listed order, octaves and
# velocities ascending, round robins innermost.
expected_names() {
    local n o v r
    for n in $NOTES; do for o in $OCTAVES; do for v in $VELS; do for r in $RRS; do
        echo "ts-$n$o-v$v-rr$r"
    done; done; done; done
}

# Check one WAV against the take it should hold: NAME NOTE VELOCITY.
check_wav() {
    local f=$1 note=$2 vel=$3 line
    line=$("$SYNTH" --analyze "$f") || return 1
    echo "$line"
    eval "$(echo "$line" | tr ' ' '\n' | sed 's/^/A_/')"
    awk -v rate=$RATE -v period=$PERIOD -v note="$note" -v vel="$vel" -v hold=$HOLD_S \
        -v rel=$RELEASE_S -v frames="$A_frames" -v ch="$A_channels" -v r="$A_rate" \
        -v fl="$A_float" -v onset="$A_onset" -v last="$A_last" -v pl="$A_peak_l" \
        -v pr="$A_peak_r" -v hz="$A_hz" -v hz0="$A_hz_start" -v first="$A_first" 'BEGIN {
        want = 440 * 2 ^ ((note - 69) / 12); amp = vel / 127
        bad = 0
        if (fl != 1 || ch != 2 || r != rate) { print "# not float32 stereo at", rate; bad = 1 }
        if (hz < want * 0.995 || hz > want * 1.005) { print "# pitch", hz, "want", want; bad = 1 }
        # Pre-roll: the file starts at the note-on, so the tone begins within
        # the first period (the loop latency), from its very first cycle.
        if (onset < 1 || onset > period + 1) { print "# onset at frame", onset; bad = 1 }
        if (hz0 < want * 0.99 || hz0 > want * 1.01) { print "# first periods at", hz0; bad = 1 }
        if (first > 0.1 * amp || first < 0) { print "# attack cut: first sample", first; bad = 1 }
        if (pl < amp * 0.99 || pl > amp * 1.01) { print "# level", pl, "want", amp; bad = 1 }
        if (pr < pl * 0.49 || pr > pl * 0.51) { print "# right channel", pr; bad = 1 }
        # The tail: sound until hold + release after the onset, then the
        # 100 ms silence window and no more.
        tail = onset + (hold + rel) * rate
        if (last < tail - 8 || last > tail + 8) { print "# sound ends at", last, "want", tail; bad = 1 }
        sil = frames - 1 - last
        if (sil < 0.1 * rate - 8 || sil > 0.1 * rate + period) { print "# trailing", sil; bad = 1 }
        exit bad }'
}

check_all_wavs() { # DIR
    local n o v r note ok=0
    for n in $NOTES; do for o in $OCTAVES; do for v in $VELS; do for r in $RRS; do
        note=$(((o + 1) * 12 + $(pc_of $n)))
        if ! check_wav "$1/ts-$n$o-v$v-rr$r.wav" $note $v; then
            echo "# bad: ts-$n$o-v$v-rr$r.wav"
            ok=1
        fi
    done; done; done; done
    return $ok
}

only_expected_files() { # DIR
    diff <( (expected_names | sed 's/$/.wav/'; echo ts.dspreset; echo ts.sfz) | sort) \
        <(ls -A "$1" | sort)
}

# Expected zone of a note / velocity: the keyboard split between the
# sampled notes in the middle of each gap (ties up), ends stretched to 0
# and 127; velocity layers from just above the layer below to their own.
sorted_notes() {
    local n o
    for n in $NOTES; do for o in $OCTAVES; do echo $(((o + 1) * 12 + $(pc_of $n))); done; done | sort -n
}

zone_of() { # NOTE -> "lokey hikey"
    sorted_notes | awk -v n="$1" '{ a[NR] = $1 } END {
        for (i = 1; i <= NR; i++) if (a[i] == n) k = i
        lo = k == 1 ? 0 : a[k-1] + int((a[k] - a[k-1] - 1) / 2) + 1
        hi = k == NR ? 127 : a[k] + int((a[k+1] - a[k] - 1) / 2)
        print lo, hi }'
}

vel_zone() { # VEL -> "lovel hivel"
    echo $VELS | tr ' ' '\n' | sort -n | awk -v v="$1" '{ a[NR] = $1 } END {
        for (i = 1; i <= NR; i++) if (a[i] == v) k = i
        print (k == 1 ? 1 : a[k-1] + 1), (k == NR ? 127 : a[k]) }'
}

# each_zone GREP_OPT FILE PATTERN: for every take (note, octave, velocity,
# round robin) FILE has the text PATTERN gives (grep GREP_OPT: -qxF a whole
# line, -qF a part) once @NAME@, @NOTE@, @LK@ @HK@ (key zone), @LV@ @HV@
# (velocity zone) and @RR@ are replaced by the take's.
each_zone() {
    local opt=$1 f=$2 want n o v r note lk hk lv hv
    for n in $NOTES; do for o in $OCTAVES; do for v in $VELS; do for r in $RRS; do
        note=$(((o + 1) * 12 + $(pc_of $n)))
        read -r lk hk < <(zone_of $note)
        read -r lv hv < <(vel_zone $v)
        want=${3//@NAME@/ts-$n$o-v$v-rr$r}
        want=${want//@NOTE@/$note}
        want=${want//@LK@/$lk}
        want=${want//@HK@/$hk}
        want=${want//@LV@/$lv}
        want=${want//@HV@/$hv}
        want=${want//@RR@/$r}
        grep $opt "$want" "$f" || { echo "# missing: $want"; return 1; }
    done; done; done; done
}

check_sfz() { # DIR
    local f=$1/ts.sfz
    [ -f "$f" ] || return 1
    [ "$(grep -c '^<region>' "$f")" = 16 ] || { echo "# region count"; return 1; }
    each_zone -qxF "$f" \
        '<region> sample=@NAME@.wav lokey=@LK@ hikey=@HK@ pitch_keycenter=@NOTE@ lovel=@LV@ hivel=@HV@ seq_length=2 seq_position=@RR@'
}

check_dspreset() { # DIR
    local f=$1/ts.dspreset
    [ -f "$f" ] || return 1
    grep -q '<DecentSampler' "$f" && grep -q '</DecentSampler>' "$f" || return 1
    grep -q 'seqMode="round_robin"' "$f" || return 1
    [ "$(grep -c '<sample ' "$f")" = 16 ] || return 1
    each_zone -qF "$f" \
        'path="@NAME@.wav" rootNote="@NOTE@" loNote="@LK@" hiNote="@HK@" loVel="@LV@" hiVel="@HV@" seqMode="round_robin" seqLength="2" seqPosition="@RR@"'
}

# The probe heard every note-on and note-off: channel 1, the plan's notes
# and velocities in order, each held exactly HOLD frames - except takes cut
# short by an xrun, which the log reports and which are played again.
# (The probe records events as cycle, offset, bytes.)
check_midi() { # FIRSTLINE LOG
    local expect retries
    expect=$(for n in $NOTES; do for o in $OCTAVES; do for v in $VELS; do for r in $RRS; do
        echo "$(((o + 1) * 12 + $(pc_of $n))) $v"; done; done; done; done)
    # A note-off lost by an overloaded instrument is sent again (logged).
    retries=$(($(grep -c 'recording it again' "$2") + $(grep -c 'sent it again' "$2")))
    tail -n +"$1" "$AT_TMP/probe.log" | awk -v period=$PERIOD -v retries="$retries" \
        -v hold="$(awk -v h=$HOLD_S -v r=$RATE 'BEGIN { printf "%d", h * r + 0.5 }')" '
        function hex(s,  i, v) { v = 0; s = tolower(s)
            for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
            return v }
        # Where JACK broke the timeline (the probe marks it, -x) no timing
        # can be checked: an xrun is stamped when its report came in, up to
        # 40 cycles after it happened; a receiver cycle run twice or skipped
        # may put events one cycle off, or lose them.
        $1 == "#" && $2 == "xrun" { lo[nb] = $3 - 40; hi[nb++] = $3 + 1; next }
        $1 == "#" && $2 == "irregular" { lo[nb] = $3 - 2; hi[nb++] = $3 + 1
            if ($4 > period) skipped++; next }
        $1 == "#" { next }
        # When a client misses a cycle (xrun), JACK hands its stale MIDI
        # buffer out again: the same bytes at the same offset one cycle on.
        { key = $2 " " $3 " " $4 " " $5
          if (($1 == pc + 1 || $1 == pc) && key == pkey) { pc = $1; next }
          pc = $1; pkey = key }
        { t = $1 * period + $2; st = $3; note = hex($4); vel = hex($5) }
        st == "90" && vel > 0 { on[note] = t; print note, vel > "/dev/stderr"; n++; next }
        st == "80" || st == "90" { m++; ot[m] = t; od[m] = t - on[note] }
        function broken(from, to,  i) {
            for (i = 0; i < nb; i++) if (to >= lo[i] * period && from < (hi[i] + 1) * period) return 1
            return 0 }
        END {
            for (i = 1; i <= m; i++)
                if (od[i] == hold) exact++
                else if (broken(ot[i] - od[i], ot[i])) unchecked++
                else short++
            if (m < n - skipped || m > n + retries + nb || n == 0) { print "# note-ons", n, "note-offs", m; bad = 1 }
            if (short > retries) { print "#", short, "notes not held", hold, "frames"; bad = 1 }
            if (exact < n / 2) { print "# only", exact + 0, "of", n, "notes held", hold, "frames"; bad = 1 }
            if (nb) print "# JACK broke the timeline", nb, "times:", unchecked + 0, "note lengths not checked" > "'"$AT_TMP/midi.marks"'"
            if (bad && nb) print "# JACK broke the timeline", nb, "times:", unchecked + 0, "note lengths not checked"
            exit bad }' 2>"$AT_TMP/midi.order" || return 1
    # A retried take plays its note twice in a row.
    diff <(echo "$expect" | uniq) <(uniq "$AT_TMP/midi.order") | sed 's/^/# /'
    [ "${PIPESTATUS[0]}" = 0 ]
}

probe_lines() { wc -l <"$AT_TMP/probe.log"; }
probe_events() { grep -vc '^#' "$AT_TMP/probe.log"; } # MIDI received, not marks

check_present_in() { # DIR: every WAV there is a whole take
    local f ok=0 base note vel n o
    for f in "$1"/*.wav; do
        [ -e "$f" ] || continue
        base=$(basename "$f" .wav)
        n=${base#ts-}; n=${n%%[0-9]*}; o=${base#ts-$n}; o=${o%%-*}
        vel=${base#*-v}; vel=${vel%%-*}
        check_wav "$f" $(((o + 1) * 12 + $(pc_of $n))) "$vel" || ok=1
    done
    return $ok
}

# ---- the full run ----
DIR=$AT_TMP/samples
write_conf "$AT_TMP/ss.conf" "$DIR"
start=$(($(probe_lines) + 1))
timeout -k 5 120 "$SS" -c "$AT_TMP/ss.conf" >"$AT_TMP/run1.log" 2>&1
rc=$?
sleep 0.5 # let the probe print what it heard
at_check "the whole plan runs and exits 0 (it is a job)" test $rc = 0
at_check "reports done" grep -q '^done: 16 samples saved' "$AT_TMP/run1.log"
at_check "progress line: sample i of n, name, elapsed, remaining" \
    grep -qE '^\[16/16\] ts-A4-v127-rr2  elapsed [0-9]+:[0-9]{2}  remaining ~' "$AT_TMP/run1.log"
at_check "exactly the planned files, named PREFIX-NOTE-vVELOCITY-rrN" only_expected_files "$DIR"
at_check "every WAV: float32 stereo at the server rate, right pitch and level from the first cycle, whole tail" \
    check_all_wavs "$DIR"
at_check "SFZ maps every sample to its key range, velocity layer and round robin" check_sfz "$DIR"
at_check "DecentSampler preset maps the same" check_dspreset "$DIR"
at_check "notes sent on channel 1 in plan order, each held exactly hold frames" check_midi "$start" "$AT_TMP/run1.log"
cat "$AT_TMP/midi.marks" 2>/dev/null; grep "^# [xi]" "$AT_TMP/probe.log" | head -5
grep -E 'error|warning|^done' "$AT_TMP/run1.log" | grep -v xruns | sed 's/^/# /' | head -n 20

# ---- resume ----
stat -c '%Y %s %n' "$DIR"/*.wav >"$AT_TMP/before"
rm "$DIR/ts-C4-v64-rr2.wav" "$DIR/ts-A3-v127-rr1.wav"
sleep 1
timeout -k 5 60 "$SS" -c "$AT_TMP/ss.conf" >"$AT_TMP/run2.log" 2>&1
at_check "resume exits 0" test $? = 0
at_check "resume records only the missing samples" grep -q '14 already there' "$AT_TMP/run2.log"
resume_progress() { # a take retried after an xrun shows its line twice
    grep -E '^\[[0-9]+/[0-9]+\]' "$AT_TMP/run2.log" | awk '{ print $1, $2 }' | uniq |
        diff - <(printf '[1/2] ts-C4-v64-rr2\n[2/2] ts-A3-v127-rr1\n')
}
at_check "resume progress: sample 1 and 2 of 2, the missing ones" resume_progress
at_check "resumed files are whole again" check_all_wavs "$DIR"
at_check "the other files were not rewritten" bash -c \
    "stat -c '%Y %s %n' '$DIR'/*.wav | grep -v 'ts-C4-v64-rr2\|ts-A3-v127-rr1' | diff - <(grep -v 'ts-C4-v64-rr2\|ts-A3-v127-rr1' '$AT_TMP/before')"
at_check "instrument files still list all 16" check_sfz "$DIR"

# ---- --dry-run: the plan, no JACK, nothing written ----
write_conf "$AT_TMP/dry.conf" "$AT_TMP/dry/samples"
JACK_DEFAULT_SERVER=nosuchserver timeout -k 5 10 "$SS" -c "$AT_TMP/dry.conf" --dry-run >"$AT_TMP/dry.log" 2>&1
at_check "--dry-run exits 0 without a JACK server" test $? = 0
dry_plan() { grep -oE 'ts-[A-G]#?-?[0-9]+-v[0-9]+-rr[0-9]+' "$AT_TMP/dry.log" | diff - <(expected_names); }
at_check "--dry-run prints the plan in order" dry_plan
at_check "--dry-run creates nothing" test ! -e "$AT_TMP/dry"

# ---- refusals, before any note ----
events=$(probe_events)
write_conf "$AT_TMP/rate.conf" "$AT_TMP/rate-dir"
sed -i 's/^audio = {/audio = { sample-rate = 44100;/' "$AT_TMP/rate.conf"
timeout -k 5 20 "$SS" -c "$AT_TMP/rate.conf" >"$AT_TMP/rate.log" 2>&1
at_check "another sample rate is refused (exit 2)" test $? = 2
at_check "... with a clear message" grep -q '44100 Hz but the JACK server runs at 48000 Hz' "$AT_TMP/rate.log"
touch "$AT_TMP/plainfile"
write_conf "$AT_TMP/baddir.conf" "$AT_TMP/plainfile/sub"
timeout -k 5 20 "$SS" -c "$AT_TMP/baddir.conf" >"$AT_TMP/baddir.log" 2>&1
at_check "an impossible directory is refused (exit 1)" test $? = 1
at_check "... naming it" grep -q "cannot create sample directory $AT_TMP/plainfile/sub" "$AT_TMP/baddir.log"
sleep 0.3
at_check "no note was played by the refused runs" test "$(probe_events)" = "$events"
write_conf "$AT_TMP/thr.conf" "$AT_TMP/thr-dir" 'silence-threshold = "loud";'
timeout -k 5 20 "$SS" -c "$AT_TMP/thr.conf" >"$AT_TMP/thr.log" 2>&1
at_check "a bad silence threshold is refused (exit 2)" test $? = 2

# ---- nothing connected: every take silent, the run fails saying why ----
cat >"$AT_TMP/nc.conf" <<EOC
sampling = { directory = "$AT_TMP/nc"; notes = "C"; octaves = [4]; hold = "10ms";
  cooldown = "0s"; wait-for-sound = "0.1s"; };
EOC
timeout -k 5 60 "$SS" -c "$AT_TMP/nc.conf" -n snake3 >"$AT_TMP/nc.log" 2>&1
at_check "with nothing connected the run fails (exit 1)" test $? = 1
at_check "... saying to connect the instrument" grep -q 'nothing was recorded.*connect' "$AT_TMP/nc.log"
at_check "... and leaves no file" bash -c "[ -z \"\$(ls -A '$AT_TMP/nc')\" ]"

# ---- interrupted mid-run: no partial file; resume completes ----
DIR4=$AT_TMP/interrupted
write_conf "$AT_TMP/int.conf" "$DIR4"
at_spawn intrun "$SS" -c "$AT_TMP/int.conf"
at_wait_log intrun '^\[3/16\]' 60 # the third take has begun: stop it midway
at_kill intrun
at_check "stopped by SIGTERM mid-take, it says what was not saved" \
    grep -q 'interrupted: .* not saved' "$AT_TMP/intrun.log"
at_check "... leaves no temporary file" bash -c "! ls -A '$DIR4' | grep -q part"
at_check "... and no instrument file yet" test ! -e "$DIR4/ts.sfz"
timeout -k 5 120 "$SS" -c "$AT_TMP/int.conf" >"$AT_TMP/int2.log" 2>&1
at_check "the resumed run completes" test $? = 0
at_check "... with every sample" bash -c "ls '$DIR4'/*.wav | wc -l | grep -qx 16"
at_check "... and the samples kept from the first run are whole" check_present_in "$DIR4"

# ---- auto threshold: the noise floor is measured before the first note ----
at_spawn noisy "$SYNTH" -n noisysynth --release $RELEASE_S --noise 0.001
at_wait_port noisysynth:out_L || at_fail "noisy instrument starts"
cat >"$AT_TMP/auto.conf" <<EOC
midi = { connect = ["noisysynth:midi_in"]; };
audio = { record-left = ["noisysynth:out_L"]; record-right = ["noisysynth:out_R"]; };
sampling = { directory = "$AT_TMP/auto"; prefix = ""; notes = "E"; octaves = [4];
  velocities = [100]; hold = "${HOLD_S}s"; cooldown = "50ms"; silence-threshold = "auto"; };
EOC
timeout -k 5 60 "$SS" -c "$AT_TMP/auto.conf" -n snake2 >"$AT_TMP/auto.log" 2>&1
at_check "with silence-threshold = auto over a noisy input the run completes" test $? = 0
auto_thr() {
    grep -E '^noise floor: peak [0-9.e-]+; silence threshold set to [0-9.e-]+' "$AT_TMP/auto.log" |
        awk '{ gsub(";", "", $4); t = $NF; p = $4
               exit !(p > 0.0008 && p <= 0.0011 && t > 1.9 * p && t < 2.1 * p) }'
}
at_check "... measuring the noise peak and setting the threshold 6 dB above it" auto_thr
auto_wav() {
    local f=$AT_TMP/auto/E4-v100.wav line
    line=$("$SYNTH" --analyze "$f" --threshold 0.01) || return 1
    echo "$line"
    eval "$(echo "$line" | tr ' ' '\n' | sed 's/^/A_/')"
    # The tone at E4 (no prefix, no dash), ended by silence, not by max-length.
    awk -v hz="$A_hz" -v fr="$A_frames" -v rate=$RATE -v hold=$HOLD_S -v rel=$RELEASE_S \
        -v period=$PERIOD 'BEGIN { want = 440 * 2 ^ ((64 - 69) / 12)
        exit !(hz > want * 0.995 && hz < want * 1.005 &&
               fr < (hold + rel + 0.1) * rate + 3 * period) }'
}
at_check "... and the sample is the tone, ended by the silence window" auto_wav

# ---- a slow disk: nothing lost ----
DIR2=$AT_TMP/slow
write_conf "$AT_TMP/slow.conf" "$DIR2"
SAMPLESNAKE_TEST_WRITE_DELAY_US=15000 timeout -k 5 180 "$SS" -c "$AT_TMP/slow.conf" >"$AT_TMP/slow.log" 2>&1
at_check "with a writer 3x slower than real time the run still completes" test $? = 0
at_check "... and every file is whole" check_all_wavs "$DIR2"
at_check "... with nothing else left behind" only_expected_files "$DIR2"

# ---- a disk that cannot keep up: fails loudly, no truncated file ----
DIR3=$AT_TMP/overflow
write_conf "$AT_TMP/of.conf" "$DIR3"
SAMPLESNAKE_TEST_WRITE_DELAY_US=50000 SAMPLESNAKE_TEST_RING_MS=150 \
    timeout -k 5 60 "$SS" -c "$AT_TMP/of.conf" >"$AT_TMP/of.log" 2>&1
at_check "a ring overflow stops the run with exit 1" test $? = 1
at_check "... saying so" grep -q 'overflowed' "$AT_TMP/of.log"
at_check "... leaving no temporary file" bash -c "! ls -A '$DIR3' | grep -q part"
at_check "... and every file it did save is whole" check_present_in "$DIR3"
sed 's/^/# /' "$AT_TMP/of.log" | grep -i 'error\|overflow' | head -n 5

at_done
