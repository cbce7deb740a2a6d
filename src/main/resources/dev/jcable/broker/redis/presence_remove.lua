-- Session ARGV[3] leaves stream ARGV[1]; 'leave' goes out on ARGV[2] if no other session holds its id.
-- Returns 1 when the session had joined (with_events). The stream's last record gone, it leaves the sweep index too:
-- the index then holds exactly the streams with records, which the presence metrics count (RedisStats).
local removed = drop_session(ARGV[2], ARGV[3])
if redis.call('ZCARD', KEYS[5]) == 0 then
  redis.call('ZREM', KEYS[6], ARGV[1])
end
return with_events({tostring(removed)})
