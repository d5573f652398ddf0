# shellcheck shell=bash
# Check: jackd's own ALSA sequencer bridge (jackd -d alsa -X seq, on
# snd-dummy's PCM: the server all checks share) names ports by client name
# and port NUMBER in aliases ("alsa_pcm:Virtual-Raw-MIDI-0-0/midi_playback_1"
# on system:midi_capture_N); at_seq_bridge_match_port must find them.

# vm_jack_port_with_alias ALIAS: the JACK port that carries ALIAS.
vm_jack_port_with_alias() {
    jack_lsp -A 2>/dev/null | awk -v a="$1" '/^[^ \t]/ { port = $0; next }
        { sub(/^[ \t]+/, "") } $0 == a { print port; exit }'
}

vmtest_25_jackd_seq_bridge() {
    local spec='alsa:Virtual Raw MIDI 0-0:VirMIDI 0-0' cap play
    vm_check "jackd -d alsa -X seq runs on snd-dummy" vm_need_jackd
    vm_wait 20 eval '[ -n "$(vm_jack_port_with_alias alsa_pcm:Virtual-Raw-MIDI-0-0/midi_playback_1)" ]'
    cap=$(vm_jack_port_with_alias alsa_pcm:Virtual-Raw-MIDI-0-0/midi_playback_1)
    play=$(vm_jack_port_with_alias alsa_pcm:Virtual-Raw-MIDI-0-0/midi_capture_1)
    vm_check "at_seq_bridge_match_port: $spec capture is jackd's ${cap:-(missing)}" \
        eval '[[ $cap == system:midi_capture_* ]] && vm_expect 10 "$spec" capture "$cap"'
    vm_check "at_seq_bridge_match_port: $spec playback is jackd's ${play:-(missing)}" \
        eval '[[ $play == system:midi_playback_* ]] && vm_expect 10 "$spec" playback "$play"'
}
