-- Publishes ARGV[2] (excluding session ARGV[3], '' = none) to the stream whose history is KEYS[1] (a Redis Stream
-- whose entry IDs are the offsets) and whose meta is KEYS[2] (HASH e = epoch, s = latest offset). Keeps ARGV[4]
-- entries for ARGV[5] ms each and the offset for ARGV[6] ms after the last message. A stream without meta starts a
-- new epoch, ARGV[7]. The message goes out on channel ARGV[1] inside the script, so every node receives a stream's
-- messages in offset order: m<offset>:<epoch>:<exclude>:<data>. Returns {epoch, offset}.
local channel, data, exclude = ARGV[1], ARGV[2], ARGV[3]
local now = now_ms()
local epoch = redis.call('HGET', KEYS[2], 'e')
if not epoch then
  epoch = ARGV[7]
  redis.call('HSET', KEYS[2], 'e', epoch)
  redis.call('DEL', KEYS[1]) -- entries of a forgotten epoch would clash with the new offsets
end
local offset = redis.call('HINCRBY', KEYS[2], 's', 1)
redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[4], offset .. '-0', 'd', data, 'x', exclude, 't', ms(now))
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
redis.call('PUBLISH', channel, 'm' .. offset .. ':' .. epoch .. ':' .. exclude .. ':' .. data)
return {epoch, offset}
