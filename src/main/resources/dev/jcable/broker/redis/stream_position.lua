-- The epoch and latest offset of the stream whose meta is KEYS[1]: {epoch or '', offset}.
local meta = redis.call('HMGET', KEYS[1], 'e', 's')
return {meta[1] or '', tonumber(meta[2] or '0')}
