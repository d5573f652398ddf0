-- ardour7-lua script (tests/hosts/test_ardour.sh): a session at $BPM beats
-- per minute with one MIDI track: urn:aiotone:mothergen feeding
-- urn:aiotone:fmsynth (its first MIDI output, red, goes on to the synth).
-- No clock track: mothergen follows Ardour's transport and tempo. The
-- synth's releases are set to 0 so each note stands apart; 8 seconds are
-- exported into $OUT/export-mg.
local out = os.getenv("OUT")
local bpm = tonumber(os.getenv("BPM"))
AudioEngine:set_backend("None (Dummy)", "", "")
local s = create_session(out .. "/mg-session-" .. bpm, "mg", 48000)
assert(s, "cannot create the session")
local tm = Temporal.TempoMap.write_copy()
tm:set_tempo(Temporal.Tempo(bpm, bpm, 4), Temporal.timepos_t(0))
Temporal.TempoMap.update(tm)
local fm = ARDOUR.LuaAPI.new_plugin_info("urn:aiotone:fmsynth", ARDOUR.PluginType.LV2)
assert(not fm:isnil(), "urn:aiotone:fmsynth not found (LV2_PATH)")
local midi1 = ARDOUR.ChanCount(ARDOUR.DataType("midi"), 1)
local audio2 = ARDOUR.ChanCount(ARDOUR.DataType("audio"), 2)
local track = s:new_midi_track(midi1, audio2, true, fm, nil, nil, 1, "gen",
  ARDOUR.PresentationInfo.max_order, ARDOUR.TrackMode.Normal, true):front()
local mg = ARDOUR.LuaAPI.new_plugin(s, "urn:aiotone:mothergen", ARDOUR.PluginType.LV2, "")
assert(not mg:isnil(), "urn:aiotone:mothergen not found (LV2_PATH)")
assert(track:add_processor_by_index(mg, 0, nil, true) == 0, "cannot add mothergen")
print("chain:", track:nth_plugin(0):display_name(), track:nth_plugin(1):display_name())
-- control inputs of the fmsynth plugin in port order: op1..op4 release
-- are the 10th, 17th, 24th and 31st (0-based 9, 16, 23, 30)
for _, i in ipairs({9, 16, 23, 30}) do
  ARDOUR.LuaAPI.set_processor_param(track:nth_plugin(1), i, 0.0)
end
s:save_state("")
local e = s:simple_export()
assert(e:set_preset("75969a1c-3133-4694-864b-a1fa50e43348"), "no WAV export preset")
e:set_folder(out .. "/export-mg")
e:set_name("mg" .. bpm)
e:set_range(0, 48000 * 8)
print("export:", e:run_export())
close_session()
quit()
