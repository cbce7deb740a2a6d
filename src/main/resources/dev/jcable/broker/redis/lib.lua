-- Shared by every jcable script: prepended to each one when it is loaded (RedisScripts). Times are Redis's own
-- (TIME), never a node's clock, so nodes whose clocks disagree still agree on deadlines.
--
-- Presence keys of one stream (all in the stream's hash slot): KEYS[1] ps = HASH sid -> pid, KEYS[2] pc = HASH
-- pid -> number of sessions holding it, KEYS[3] pi = HASH pid -> info, KEYS[4] po = ZSET pid -> join time (us),
-- KEYS[5] pz = ZSET sid -> deadline (ms), KEYS[6] = the global sweep index ZSET stream -> earliest deadline,
-- KEYS[7] pt = STRING the time (ms) of the stream's last transition, kept a day (a restore compares it), KEYS[8] pn =
-- STRING the stream's presence sequence: the number of its last transition, kept (as the other keys, keep_presence) while
-- the stream has members and at least a day after its last transition; it then starts again at 1.
-- Events go out on the stream's channel from inside the script, so every node sees them in the order they happened,
-- each numbered (INCR of pn, in the same script as the change): '<kind><seq>:<body>' (PubSubPayloads).
-- Each one is also collected in `events` and returned to the node that ran the script (`with_events`), as
-- '<members of the stream after it>,<payload>': that node, and only it, reports the transition to the application
-- (CDI events, webhooks), so each fires once per cluster.

local events = {}

-- After Redis lost its data, transitions are not announced (not published, not returned: no CDI event, no webhook)
-- while the data mark is missing (<sweep index>..':mark', set by every node when it connects and at each sweep) and
-- for two leases after the first node noticed (<sweep index>..':quiet', presence_mark.lua): the nodes join their live
-- members again meanwhile, whose leaves were never published, and every subscriber then fetches the set afresh.
-- Occupancy (RedisOccupancy: these scripts on its own keys and index) has no data mark: always announced.
local function quiet()
  if string.sub(KEYS[6], -13) ~= ':presence-due' then
    return false
  end
  return redis.call('GET', KEYS[6] .. ':quiet') or not redis.call('GET', KEYS[6] .. ':mark')
end

local function publish_event(channel, kind, body)
  if quiet() then
    return
  end
  local payload = kind .. redis.call('INCR', KEYS[8]) .. ':' .. body
  if redis.call('PTTL', KEYS[8]) < 86400000 then
    redis.call('PEXPIRE', KEYS[8], 86400000)
  end
  redis.call('PUBLISH', channel, payload)
  local t = redis.call('TIME')
  redis.call('SET', KEYS[7], tostring(tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)), 'PX', 86400000)
  events[#events + 1] = redis.call('ZCARD', KEYS[4]) .. ',' .. payload
end

-- The reply of a presence script: the number of events, the events (as published), then the script's own result.
local function with_events(result)
  local out = {tostring(#events)}
  for _, event in ipairs(events) do
    out[#out + 1] = event
  end
  for _, item in ipairs(result) do
    out[#out + 1] = item
  end
  return out
end

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- As text: Lua would print a number this large in exponent notation and lose its last digits.
local function now_us()
  local t = redis.call('TIME')
  return t[1] .. string.format('%06d', tonumber(t[2]))
end

-- A time or deadline in ms as an integer text, for ZADD scores and stream fields.
local function ms(n)
  return string.format('%.0f', n)
end

-- The stream's presence keys (KEYS[1..5]) and the sweep index (KEYS[6]) are never left without a TTL: each change of a
-- deadline sets them to expire a day after now, or a minute after the stream's latest deadline if that is later. Only
-- keys nobody renews any more expire (every node gone for that long): a stream emptied by its sweep or its leaves is
-- deleted as before.
local KEEP_MS = 86400000

local function keep_presence(now)
  local keep = KEEP_MS
  local last = redis.call('ZRANGE', KEYS[5], -1, -1, 'WITHSCORES')
  if last[1] then
    keep = math.max(keep, tonumber(last[2]) - now + 60000)
  end
  for i = 1, 6 do
    redis.call('PEXPIRE', KEYS[i], ms(keep))
  end
  if redis.call('PTTL', KEYS[8]) < keep then -- never shorter than the day publish_event gave it
    redis.call('PEXPIRE', KEYS[8], ms(keep))
  end
end

-- Session sid's record leaves the stream; its id leaves (and 'leave' is published) with the last session holding it.
-- Returns 1 when sid had a record.
local function drop_session(channel, sid)
  local pid = redis.call('HGET', KEYS[1], sid)
  redis.call('ZREM', KEYS[5], sid)
  if not pid then
    return 0
  end
  redis.call('HDEL', KEYS[1], sid)
  if redis.call('HINCRBY', KEYS[2], pid, -1) <= 0 then
    redis.call('HDEL', KEYS[2], pid)
    redis.call('HDEL', KEYS[3], pid)
    redis.call('ZREM', KEYS[4], pid)
    publish_event(channel, 'l', pid)
  end
  return 1
end

-- After a gap in the sweeps of every node (Redis hung, restarted with its data, or unreachable by all: no sweep for
-- longer than max(2 s, half a lease)), every deadline may have passed while the nodes could not renew: nothing expires
-- for one lease, so that each live node renews first. <sweep index>..':alive' = HASH t (last sweep, ms), l (lease, ms), set
-- by presence_due.lua; <sweep index>..':grace' = the end of the grace (ms). Both are kept a day at most.
-- With no sweep on record (Redis hung before any node's first sweep: a cluster that had just started; or ':alive' gone
-- with its day), the sweep index's most overdue deadline tells how long nobody swept. Only presence_due.lua knows the
-- lease (lease_ms) and starts that grace; the inline expiries of the other scripts meanwhile expire nothing.
local function in_grace(index, now, lease_ms)
  local grace = tonumber(redis.call('GET', index .. ':grace') or '0')
  if now < grace then
    return true
  end
  local alive = redis.call('HMGET', index .. ':alive', 't', 'l')
  local last, lease = tonumber(alive[1] or '0'), tonumber(alive[2] or lease_ms or '0')
  if last == 0 then
    local first = redis.call('ZRANGE', index, 0, 0, 'WITHSCORES')
    if not first[1] or now - tonumber(first[2]) <= math.max(2000, lease / 2) then
      return false
    end
    if not lease_ms then
      return true
    end
  elseif now - last <= math.max(2000, lease / 2) then
    return false
  end
  redis.call('SET', index .. ':grace', ms(now + lease), 'PX', math.max(1, math.floor(lease)))
  redis.call('HSET', index .. ':alive', 't', ms(now))
  return true
end

-- Every session past its deadline (at most limit of them) leaves; then the sweep index holds the stream's next
-- deadline, or forgets the stream. A second sweeper running this for the same stream finds nothing due: each leave
-- is published exactly once, by whichever script removed the record. Returns how many sessions expired.
local function expire_due(stream, channel, now, limit)
  if in_grace(KEYS[6], now) then
    return 0
  end
  local due = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', ms(now), 'LIMIT', 0, limit)
  for _, sid in ipairs(due) do
    drop_session(channel, sid)
  end
  local next = redis.call('ZRANGE', KEYS[5], 0, 0, 'WITHSCORES')
  if next[1] then
    redis.call('ZADD', KEYS[6], next[2], stream)
  else
    redis.call('ZREM', KEYS[6], stream)
  end
  return #due
end
