// Server-sent events at /events (docs/sse.md), read as a browser's EventSource reads them: raw HTTP from Node, the
// event stream parsed by the rules of the HTML standard (event, data, id, retry fields; a blank line ends an event).
// Usage: node sse.mjs <host> <port> <secret> <broadcast key>
// Prints one "ok - …" line per step; exits non-zero on the first failed step.
import http from 'node:http'
import crypto from 'node:crypto'
import assert from 'node:assert/strict'
import { run, waitFor } from './steps.mjs'

const [host, port, secret, broadcastKey] = process.argv.slice(2)
const suffix = crypto.randomBytes(4).toString('hex')
const open = []

function sign(stream) {
  const encoded = Buffer.from(JSON.stringify(stream)).toString('base64')
  return encoded + '--' + crypto.createHmac('sha256', secret).update(encoded).digest('hex')
}

// GET /events?<query>: resolves with {status, headers, events, body, ended, response} once the headers arrive;
// events fill in as they come (read: false leaves the response unread, a client that stopped reading).
function events(query, headers = {}, read = true) {
  return new Promise((resolve, reject) => {
    const request = http.get({ host, port, path: `/events?${query}`, headers: { Accept: 'text/event-stream', ...headers } },
      response => {
        const state = { status: response.statusCode, headers: response.headers, events: [], body: '', ended: false,
          response, request }
        open.push(state)
        let buffer = ''
        let event = {}
        const take = chunk => {
          state.body += chunk
          buffer += chunk
          let newline
          while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
            const line = buffer.slice(0, newline)
            buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1))
            if (line === '') {
              if (event.data !== undefined) state.events.push(event)
              event = {}
              continue
            }
            if (line.startsWith(':')) continue
            const colon = line.indexOf(':')
            const field = colon < 0 ? line : line.slice(0, colon)
            let value = colon < 0 ? '' : line.slice(colon + 1)
            if (value.startsWith(' ')) value = value.slice(1)
            if (field === 'data') event.data = event.data === undefined ? value : event.data + '\n' + value
            else event[field] = value
          }
        }
        response.setEncoding('utf8')
        response.on('end', () => { state.ended = true })
        response.on('close', () => { state.ended = true })
        if (read) response.on('data', take)
        state.startReading = () => response.on('data', take)
        resolve(state)
      })
    request.on('error', reject)
  })
}

function broadcast(stream, data) {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ stream, data: JSON.stringify(data) })
    const request = http.request({ host, port, path: '/_broadcast', method: 'POST',
      headers: { Authorization: `Bearer ${broadcastKey}`, 'Content-Type': 'application/json' } }, response => {
      response.resume()
      response.on('end', () => response.statusCode < 300 ? resolve() : reject(new Error(`broadcast: ${response.statusCode}`)))
    })
    request.on('error', reject)
    request.end(body)
  })
}

const names = state => state.events.map(e => e.event || 'message')
const idPattern = stream => new RegExp(`^\\d+/${stream.replace(/[/.]/g, c => '\\' + c)}/[^/]+$`)

await run('sse', 110000, async ok => {
  // a public stream: welcome, confirm_subscription, then each broadcast as an unnamed event with its history id
  const stream = `sse/room-${suffix}`
  const first = await events(`stream=${encodeURIComponent(stream)}`)
  assert.equal(first.status, 200)
  assert.match(first.headers['content-type'], /^text\/event-stream/)
  assert.equal(first.headers['cache-control'], 'no-cache')
  await waitFor('welcome and confirm_subscription', () => first.events.length >= 2)
  assert.deepEqual(names(first).slice(0, 2), ['welcome', 'confirm_subscription'])
  const welcome = JSON.parse(first.events[0].data)
  assert.equal(welcome.type, 'welcome')
  assert.equal(typeof welcome.sid, 'string')
  assert.deepEqual(JSON.parse(first.events[1].data), { type: 'confirm_subscription',
    identifier: JSON.stringify({ channel: '$pubsub', stream_name: stream }) })
  ok('GET /events?stream=… is 200 text/event-stream: welcome, then confirm_subscription with the $pubsub identifier')

  await broadcast(stream, { n: 1 })
  await broadcast(stream, { n: 2 })
  await broadcast(stream, { n: 3 })
  await waitFor('three messages', () => first.events.filter(e => !e.event).length >= 3)
  const messages = first.events.filter(e => !e.event)
  assert.deepEqual(messages.map(e => JSON.parse(e.data)), [{ n: 1 }, { n: 2 }, { n: 3 }])
  for (const m of messages) assert.match(m.id, idPattern(stream))
  const offsets = messages.map(m => Number(m.id.split('/')[0]))
  assert.deepEqual(offsets, [offsets[0], offsets[0] + 1, offsets[0] + 2])
  const epoch = messages[0].id.split('/').pop()
  ok(`broadcasts arrive as unnamed events carrying only the message, ids ${messages.map(m => m.id).join(', ')}`)

  await waitFor('a ping event', () => first.events.some(e => e.event === 'ping'), 10000)
  const ping = JSON.parse(first.events.find(e => e.event === 'ping').data)
  assert.equal(ping.type, 'ping')
  assert.equal(typeof ping.message, 'number')
  ok('ping events arrive every ping_interval')
  first.request.destroy()

  // EventSource reconnects with Last-Event-ID: what came after it is replayed from history, then live ones follow
  const resumed = await events(`stream=${encodeURIComponent(stream)}`, { 'Last-Event-ID': messages[0].id })
  assert.equal(resumed.status, 200)
  await waitFor('history after the first message', () => resumed.events.filter(e => !e.event).length >= 2)
  await broadcast(stream, { n: 4 })
  await waitFor('the live message after the history', () => resumed.events.filter(e => !e.event).length >= 3)
  const replay = resumed.events.filter(e => e.event !== 'ping')
  assert.deepEqual(replay.map(e => e.event || 'message'),
    ['welcome', 'confirm_subscription', 'message', 'message', 'confirm_history', 'message'])
  assert.deepEqual(replay.filter(e => !e.event).map(e => [JSON.parse(e.data).n, e.id]),
    [[2, messages[1].id], [3, messages[2].id], [4, `${offsets[0] + 3}/${stream}/${epoch}`]])
  ok('Last-Event-ID resumes: messages 2 and 3 from history (same ids), confirm_history, then live message 4')
  resumed.request.destroy()

  // history_since (Unix seconds): everything of the stream since then
  const since = await events(`stream=${encodeURIComponent(stream)}&history_since=${Math.floor(Date.now() / 1000) - 300}`)
  await waitFor('the whole history', () => since.events.filter(e => !e.event).length >= 4)
  assert.deepEqual(since.events.filter(e => !e.event).map(e => JSON.parse(e.data).n), [1, 2, 3, 4])
  ok('history_since replays the stream\'s history since that time')
  since.request.destroy()

  // a signed stream: confirmed with the right signature, 401 with a forged one
  const secretStream = `sse-signed-${suffix}`
  const signed = await events(`signed_stream=${encodeURIComponent(sign(secretStream))}`)
  assert.equal(signed.status, 200)
  await waitFor('confirm_subscription', () => names(signed).includes('confirm_subscription'))
  await broadcast(secretStream, 'hello')
  await waitFor('the signed stream\'s message', () => signed.events.some(e => !e.event))
  assert.equal(signed.events.find(e => !e.event).data, '"hello"')
  ok('signed_stream: confirmed, and its broadcasts arrive')
  signed.request.destroy()

  const forged = await events(`signed_stream=${encodeURIComponent(sign(secretStream).replace(/.$/, c => c === '0' ? '1' : '0'))}`)
  await waitFor('the refusal\'s body', () => forged.ended)
  assert.equal(forged.status, 401)
  assert.match(forged.headers['content-type'], /^application\/json/)
  assert.deepEqual(JSON.parse(forged.body), { error: 'unauthorized', message: 'the subscription was rejected' })
  ok('a forged signed_stream is refused with 401 and a JSON body')

  const badToken = await events(`stream=${encodeURIComponent(stream)}&jid=not-a-token`)
  await waitFor('the refusal\'s body', () => badToken.ended)
  assert.equal(badToken.status, 401)
  assert.equal(JSON.parse(badToken.body).error, 'unauthorized')
  ok('a bad connection token is refused with 401')

  // a Java channel by its identifier (the demo's RoomChannel, on in the test servers), with the connection's query
  const roomId = JSON.stringify({ channel: 'RoomChannel', room: `sse-${suffix}` })
  const room = await events(`identifier=${encodeURIComponent(roomId)}&uid=ada-1&name=Ada`)
  assert.equal(room.status, 200)
  await waitFor('the channel\'s first message', () => room.events.length >= 3)
  assert.deepEqual(names(room).slice(0, 3), ['welcome', 'confirm_subscription', 'message'])
  assert.equal(JSON.parse(room.events[1].data).identifier, roomId)
  assert.deepEqual(JSON.parse(room.events[2].data), { presence_ttl_ms: 1000 })
  ok('identifier=… subscribes to a Java @CableChannel, which reads the query (uid, name) and transmits to it')
  room.request.destroy()
  const nameless = await events(`identifier=${encodeURIComponent(roomId)}&uid=nobody`)
  await waitFor('the refusal', () => nameless.ended)
  assert.equal(nameless.status, 401)
  ok('a channel that rejects the subscription (no name) answers 401')

  const none = await events('foo=bar')
  await waitFor('the answer', () => none.ended)
  assert.equal(none.status, 400)
  assert.equal(JSON.parse(none.body).error, 'no_subscription')
  ok('a GET naming no subscription is 400')

  // CORS (SseIT lists allowed.localhost in allowed_origins): a listed origin is echoed, another refused before any
  // connection, a preflight answered
  const corsStream = `sse-cors-${suffix}`
  const allowed = await events(`stream=${corsStream}`, { Origin: 'http://allowed.localhost' })
  assert.equal(allowed.status, 200)
  assert.equal(allowed.headers['access-control-allow-origin'], 'http://allowed.localhost')
  assert.equal(allowed.headers['access-control-allow-credentials'], 'true')
  assert.match(allowed.headers.vary, /Origin/)
  await waitFor('confirm_subscription', () => names(allowed).includes('confirm_subscription'))
  allowed.request.destroy()
  const evil = await events(`stream=${corsStream}`, { Origin: 'http://evil.localhost' })
  await waitFor('the refusal\'s body', () => evil.ended)
  assert.equal(evil.status, 403)
  assert.equal(evil.headers['access-control-allow-origin'], undefined)
  assert.deepEqual(JSON.parse(evil.body), { error: 'forbidden_origin',
    message: 'pages of origin http://evil.localhost may not read events here (allowed_origins)' })
  ok('CORS: a listed Origin is echoed with credentials; another is refused with 403 forbidden_origin')
  const preflight = await new Promise((resolve, reject) => {
    const request = http.request({ host, port, path: `/events?stream=${corsStream}`, method: 'OPTIONS',
      headers: { Origin: 'http://allowed.localhost', 'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'x-jid' } }, response => { response.resume(); resolve(response) })
    request.on('error', reject)
    request.end()
  })
  assert.equal(preflight.statusCode, 204)
  assert.equal(preflight.headers['access-control-allow-origin'], 'http://allowed.localhost')
  assert.equal(preflight.headers['access-control-allow-methods'], 'GET, OPTIONS')
  assert.equal(preflight.headers['access-control-allow-headers'], 'x-jid')
  ok('CORS: a preflight (OPTIONS) is answered 204 with the methods and the headers asked for')

  // a reader that stopped reading: what waits for it passes ws_max_pending_size and it is cut off as a slow WebSocket
  // is (too_slow); its goodbye waits behind what it never read, so the stream ends without one after the grace
  const slowStream = `sse-slow-${suffix}`
  const slow = await events(`stream=${slowStream}`, {}, false)
  assert.equal(slow.status, 200)
  const big = 'x'.repeat(60000)
  let sent = 0
  for (; sent < 300 && !slow.ended; sent++) await broadcast(slowStream, { sent, big })
  slow.startReading()
  await waitFor('the end of the slow stream', () => slow.ended, 30000)
  const received = slow.events.filter(e => !e.event)
  assert.ok(received.length < sent, `received ${received.length} of ${sent}`)
  assert.deepEqual(received.map(e => JSON.parse(e.data).sent), [...received.keys()], 'what arrived is a prefix, in order')
  const goodbye = slow.events.find(e => e.event === 'disconnect')
  if (goodbye) assert.deepEqual(JSON.parse(goodbye.data), { type: 'disconnect', reason: 'too_slow', reconnect: true })
  ok(`a reader that stopped reading is cut off: ${received.length} of ${sent} messages of 60 KB, then the stream ends` +
    (goodbye ? ' (after disconnect too_slow)' : ''))
}, () => { for (const state of open) state.request.destroy() })
