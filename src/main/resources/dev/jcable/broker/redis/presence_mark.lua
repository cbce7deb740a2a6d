-- The data mark KEYS[1] (<sweep index>:mark): a token that stays while Redis keeps its data. Every node reads it when it
-- connects, on each sweep and before it joins again records Redis no longer has, and remembers it (ARGV[3], '' before
-- its first reading): when it changed, Redis lost its data (restarted without it, flushed) and with it every presence
-- record and every leave still due. The first node to notice starts the quiet window KEYS[2] (<sweep index>:quiet,
-- ARGV[4] ms; see quiet() in lib.lua); the node then has its subscribers fetch presence afresh (RedisPresence).
-- Missing, the mark is set to ARGV[1]; it is kept ARGV[2] ms past its last reading. Returns the mark.
local mark = redis.call('GET', KEYS[1])
if not mark then
  mark = ARGV[1]
  redis.call('SET', KEYS[1], mark, 'PX', ARGV[2])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
if ARGV[3] ~= '' and ARGV[3] ~= mark then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[4], 'NX')
end
return mark
