# The packages each test tool links (the Makefile's tests/tools rule); a
# tool not named here links every package.
at-grab_PKGS := jack
at-nsm-client_PKGS := jack liblo
at-nsm-peer_PKGS := liblo
at-osc_PKGS := liblo
at-passthrough_PKGS := jack
at-ports_PKGS := jack
at-probe_PKGS := jack sndfile
at-seqlist_PKGS := jack alsa
at-serialosc_PKGS := liblo
at-srcq_PKGS := sndfile
at-srcq_LIBS := -lm
at-testsynth_PKGS := jack sndfile
at-testsynth_LIBS := -lm
at-thru_PKGS := jack alsa libconfig liblo
at-thru_LIBS := -lm
fm-songhash_PKGS := sndfile smf
at-lv2host_PKGS := sndfile smf
at-waitport_PKGS := jack
