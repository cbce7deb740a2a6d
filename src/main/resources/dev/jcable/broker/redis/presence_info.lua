-- The members of stream ARGV[1] in join order, after expiring what is due, and the stream's presence sequence (pn) with
-- them, read in this same script so the number is that of the last transition the list includes: seq, id1, info1, id2,
-- info2, ... (with_events)
local stream, channel = ARGV[1], ARGV[2]
expire_due(stream, channel, now_ms(), 1000)
local ids = redis.call('ZRANGE', KEYS[4], 0, -1)
local out = {redis.call('GET', KEYS[8]) or '0'}
for _, pid in ipairs(ids) do
  out[#out + 1] = pid
  out[#out + 1] = redis.call('HGET', KEYS[3], pid) or ''
end
return with_events(out)
