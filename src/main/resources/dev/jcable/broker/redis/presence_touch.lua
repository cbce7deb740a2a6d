-- Renews the lease of this node's live sessions ARGV[3..] on stream ARGV[1] to ARGV[2] ms from now. Never shortens a
-- deadline. Returns the sessions that have no record (swept while Redis or this node was cut off, or Redis lost its
-- data): the node joins them again.
local deadline = ms(now_ms() + tonumber(ARGV[2]))
local missing = {}
for i = 3, #ARGV do
  if redis.call('ZSCORE', KEYS[5], ARGV[i]) then
    redis.call('ZADD', KEYS[5], 'XX', 'GT', deadline, ARGV[i])
  else
    missing[#missing + 1] = ARGV[i]
  end
end
return missing
