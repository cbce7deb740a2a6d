-- Streams with a presence deadline that has passed (at most ARGV[1]), from the sweep index KEYS[1]; none during the
-- grace after a gap in the sweeps (in_grace in lib.lua). Records that a sweep ran now, with the lease ARGV[2] (ms),
-- grace or not: sweeps during the grace are no gap.
local now = now_ms()
local grace = in_grace(KEYS[1], now, tonumber(ARGV[2]))
redis.call('HSET', KEYS[1] .. ':alive', 't', ms(now), 'l', ARGV[2])
redis.call('PEXPIRE', KEYS[1] .. ':alive', 86400000)
if grace then
  return {}
end
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ms(now), 'LIMIT', 0, tonumber(ARGV[1]))
