-- The number of members of stream ARGV[1], after expiring what is due (as presence_info does), without listing
-- them: one ZCARD (with_events)
local stream, channel = ARGV[1], ARGV[2]
expire_due(stream, channel, now_ms(), 1000)
return with_events({tostring(redis.call('ZCARD', KEYS[4]))})
