-- The data mark KEYS[1] (<sweep index>:mark): a token that stays while Redis keeps its data. Every node reads it on
-- each sweep (and before it joins again records Redis no longer has) and remembers it: when it changes, Redis lost
-- its data (restarted without it, flushed) and with it every presence record and every leave still due, so the node
-- joins its members again without a join event and its subscribers fetch presence afresh (RedisPresence). Missing, it
-- is set to ARGV[1]; kept ARGV[2] ms past its last reading. Returns the mark.
local mark = redis.call('GET', KEYS[1])
if not mark then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return ARGV[1]
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return mark
