-- Streams with a presence deadline that has passed (at most ARGV[1]), from the sweep index KEYS[1].
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ms(now_ms()), 'LIMIT', 0, tonumber(ARGV[1]))
