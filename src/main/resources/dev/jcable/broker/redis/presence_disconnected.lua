-- Session ARGV[3] is gone without leaving stream ARGV[1]: its record now ends ARGV[4] ms from now (presence_ttl),
-- unless the same id is held by another session meanwhile. Returns 1 when the session had a record.
if not redis.call('ZSCORE', KEYS[5], ARGV[3]) then
  return 0
end
local now = now_ms()
local deadline = ms(now + tonumber(ARGV[4]))
redis.call('ZADD', KEYS[5], 'XX', deadline, ARGV[3])
redis.call('ZADD', KEYS[6], 'LT', deadline, ARGV[1])
keep_presence(now)
return 1
