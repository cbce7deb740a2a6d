-- Session ARGV[3] joins stream ARGV[1] as id ARGV[4] with info ARGV[5] ('' = none), leased for ARGV[6] ms; at most
-- ARGV[7] ids per stream. The first session of an id publishes 'join' on channel ARGV[2]:
-- j<seq>:<length of id>:<id><info>. Returns joined, updated, id_mismatch or members_limit (with_events). ARGV[8] = '1':
-- quiet, no event (a node joining its live members again after Redis lost its data: no leave was published for them).
local stream, channel, sid, pid, info = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local now = now_ms()
expire_due(stream, channel, now, 100)
local current = redis.call('HGET', KEYS[1], sid)
if current and current ~= pid then
  return with_events({'id_mismatch'})
end
local known = redis.call('HEXISTS', KEYS[2], pid) == 1
if not known and redis.call('ZCARD', KEYS[4]) >= tonumber(ARGV[7]) then
  return with_events({'members_limit'})
end
local deadline = now + tonumber(ARGV[6])
redis.call('ZADD', KEYS[5], ms(deadline), sid)
redis.call('ZADD', KEYS[6], 'LT', ms(deadline), stream)
redis.call('HSET', KEYS[3], pid, info)
if current then
  keep_presence(now)
  return with_events({'updated'})
end
redis.call('HSET', KEYS[1], sid, pid)
redis.call('HINCRBY', KEYS[2], pid, 1)
if known then
  keep_presence(now)
  return with_events({'updated'})
end
redis.call('ZADD', KEYS[4], now_us(), pid)
keep_presence(now)
if ARGV[8] ~= '1' then
  publish_event(channel, 'j', string.len(pid) .. ':' .. pid .. info)
end
return with_events({'joined'})
