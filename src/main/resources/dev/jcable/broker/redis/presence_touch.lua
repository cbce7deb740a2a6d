-- Renews the lease of this node's live sessions ARGV[3..] on stream ARGV[1] to ARGV[2] ms from now. Never shortens a
-- deadline. Returns the sessions that have no record (swept while Redis or this node was cut off, or Redis lost its
-- data): the node joins them again. The sweep index then holds the stream's earliest deadline again (moved later by the
-- renewal): without this every stream with live members came due every half lease, and the sweep spent its rounds
-- on streams with nothing to expire while real expiries queued behind them.
local now = now_ms()
local deadline = ms(now + tonumber(ARGV[2]))
local missing = {}
for i = 3, #ARGV do
  if redis.call('ZSCORE', KEYS[5], ARGV[i]) then
    redis.call('ZADD', KEYS[5], 'XX', 'GT', deadline, ARGV[i])
  else
    missing[#missing + 1] = ARGV[i]
  end
end
local next = redis.call('ZRANGE', KEYS[5], 0, 0, 'WITHSCORES')
if next[1] then
  redis.call('ZADD', KEYS[6], next[2], ARGV[1])
  keep_presence(now)
end
return missing
