-- What a reconnecting subscriber missed, from the history KEYS[1] and meta KEYS[2] (see publish.lua); entries older
-- than ARGV[5] ms are dropped first (they are at the head: offsets and times grow together).
-- ARGV[1] = 'from': the entries after offset ARGV[3] of epoch ARGV[2] up to offset ARGV[4], or {'refused'} when the
--           epoch differs, the offset is ahead of the stream, or entries after it are no longer kept.
-- ARGV[1] = 'since': the entries published at or after ARGV[2] (Unix ms, whole seconds) up to offset ARGV[4].
-- Returns {'ok', epoch, offset1, data1, exclude1, ...}.
local now, ttl = now_ms(), tonumber(ARGV[5])
for _ = 1, 1000 do
  local head = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
  if not head or tonumber(head[2][6]) + ttl > now then
    break
  end
  redis.call('XDEL', KEYS[1], head[1])
end
local epoch = redis.call('HGET', KEYS[2], 'e')
local top = tonumber(redis.call('HGET', KEYS[2], 's') or '0')
local upTo = tonumber(ARGV[4])
local first
if ARGV[1] == 'from' then
  local offset = tonumber(ARGV[3])
  if not epoch or epoch ~= ARGV[2] or offset < 0 or offset > top then
    return {'refused'}
  end
  local head = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
  local lowest = head and tonumber(string.match(head[1], '^(%d+)')) or top + 1
  if lowest > offset + 1 then
    return {'refused'}
  end
  first = offset + 1
else
  first = 0
end
local out = {'ok', epoch or ''}
if upTo < first then
  return out
end
local since = ARGV[1] == 'since' and tonumber(ARGV[2]) or 0
for _, entry in ipairs(redis.call('XRANGE', KEYS[1], ms(first), ARGV[4])) do
  local fields = entry[2]
  if math.floor(tonumber(fields[6]) / 1000) * 1000 >= since then
    out[#out + 1] = string.match(entry[1], '^(%d+)')
    out[#out + 1] = fields[2]
    out[#out + 1] = fields[4]
  end
end
return out
