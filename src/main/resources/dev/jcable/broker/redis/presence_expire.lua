-- The sweep of one stream ARGV[1] (channel ARGV[2]): at most ARGV[3] due sessions leave. Returns how many did (with_events).
return with_events({tostring(expire_due(ARGV[1], ARGV[2], now_ms(), tonumber(ARGV[3])))})
