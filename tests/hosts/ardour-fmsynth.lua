-- ardour7-lua script (tests/hosts/test_ardour.sh): a session on the
-- "None (Dummy)" backend with a MIDI track playing urn:aiotone:fmsynth; four
-- notes are recorded from Ardour's virtual keyboard port, then the session
-- is saved and exported as a WAV into $OUT/export-fm.
local out = os.getenv("OUT")
AudioEngine:set_backend("None (Dummy)", "", "")
local s = create_session(out .. "/fm-session", "fm", 48000)
assert(s, "cannot create the session")
local fm = ARDOUR.LuaAPI.new_plugin_info("urn:aiotone:fmsynth", ARDOUR.PluginType.LV2)
assert(not fm:isnil(), "urn:aiotone:fmsynth not found (LV2_PATH)")
local midi1 = ARDOUR.ChanCount(ARDOUR.DataType("midi"), 1)
local audio2 = ARDOUR.ChanCount(ARDOUR.DataType("audio"), 2)
local track = s:new_midi_track(midi1, audio2, true, fm, nil, nil, 1, "fm",
  ARDOUR.PresentationInfo.max_order, ARDOUR.TrackMode.Normal, true):front()
print("plugin:", track:nth_plugin(0):display_name())

-- record from the virtual keyboard port
local vk = AudioEngine:get_port_by_name("x-virtual-keyboard")
track:input():disconnect_all(nil)
track:input():connect(track:input():midi(0), vk:name(), nil)
local port = vk:to_asyncmidiport()
local function send(bytes)
  local parser = ARDOUR.RawMidiParser()
  for _, b in ipairs(bytes) do
    if parser:process_byte(b) then port:write(parser:midi_buffer(), parser:buffer_size(), 0) end
  end
end
track:rec_enable_control():set_value(1, PBD.GroupControlDisposition.NoGroup)
s:maybe_enable_record(false)
s:request_roll(ARDOUR.TransportRequestSource.TRS_UI)
ARDOUR.LuaAPI.usleep(500000)
for _, note in ipairs({60, 64, 67, 72}) do
  send({0x90, note, 100})
  ARDOUR.LuaAPI.usleep(300000)
  send({0x80, note, 0})
  ARDOUR.LuaAPI.usleep(100000)
end
ARDOUR.LuaAPI.usleep(1000000)
s:request_stop(false, false, ARDOUR.TransportRequestSource.TRS_UI)
ARDOUR.LuaAPI.usleep(1000000)
track:rec_enable_control():set_value(0, PBD.GroupControlDisposition.NoGroup)
print("regions:", track:playlist():region_list():size())
s:save_state("")

local e = s:simple_export()
assert(e:set_preset("75969a1c-3133-4694-864b-a1fa50e43348"), "no WAV export preset") -- "WAV @ session-rate"
e:set_folder(out .. "/export-fm")
e:set_name("fm")
print("export:", e:run_export())
close_session()
quit()
