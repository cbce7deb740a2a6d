// Drives pusher-js, Laravel Echo and the `pusher` server SDK against a deployed jcable WAR in Pusher mode.
// Usage: node pusher.mjs <host> <port> <app id> <app key> <secret> <api key> <broadcast key> <presence ttl ms>
//        <pusher_max_connections of the deployment>
// Prints one "ok - …" line per step; exits non-zero on the first failed step.
import PusherJs from 'pusher-js'
import PusherServer from 'pusher'
import Echo from 'laravel-echo'
import assert from 'node:assert/strict'
import { run, waitFor } from './steps.mjs'
import WebSocket from 'ws'

const [host, port, appId, key, secret, apiKey, broadcastKey, ttlMs, quota] = process.argv.slice(2)
const Pusher = PusherJs.default || PusherJs
const suffix = Math.random().toString(36).slice(2, 8)
const httpBase = `http://${host}:${port}/`

const server = new PusherServer({ appId, key, secret, host, port, useTLS: false })
const forger = new PusherServer({ appId, key, secret: 'not-the-secret', host, port, useTLS: false })

const clients = []
// a pusher-js client pointed at jcable by host and port; channel authorization signed by the server SDK
function client({ user, sdk = server } = {}) {
  const pusher = new Pusher(key, {
    wsHost: host, wsPort: Number(port), forceTLS: false, enabledTransports: ['ws'], cluster: 'jcable',
    channelAuthorization: {
      customHandler: ({ socketId, channelName }, callback) => callback(null, channelName.startsWith('presence-')
        ? sdk.authorizeChannel(socketId, channelName, user)
        : sdk.authorizeChannel(socketId, channelName))
    }
  })
  clients.push(pusher)
  return pusher
}

function subscribed(channel) {
  return new Promise((resolve, reject) => {
    channel.bind('pusher:subscription_succeeded', resolve)
    channel.bind('pusher:subscription_error', reject)
  })
}

function record(channel, ...events) {
  const log = []
  for (const event of events) channel.bind(event, (data, meta) => log.push({ event, data, meta }))
  return log
}

async function broadcast(stream, data) {
  const response = await fetch(new URL('_broadcast', httpBase), {
    method: 'POST', headers: { Authorization: `Bearer ${broadcastKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ stream, data: JSON.stringify(data) })
  })
  assert.equal(response.status, 201)
}

// a bare WebSocket: the frames the server sent before it closed, and its close code
function raw(path) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://${host}:${port}${path}`)
    const frames = []
    socket.on('message', data => frames.push(JSON.parse(data.toString())))
    socket.on('close', code => resolve({ frames: frames.map(f => ({ ...f, data: typeof f.data === 'string'
      ? JSON.parse(f.data) : f.data })), code }))
    socket.on('error', reject)
  })
}

async function health() {
  return (await fetch(new URL('api/health', httpBase))).json()
}

async function until(what, predicate, timeoutMs = 20000) {
  const started = Date.now()
  while (!await predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

async function presenceOf(stream) {
  const response = await fetch(new URL(`api/presence/${encodeURIComponent(stream)}/users`, httpBase),
    { headers: { Authorization: `Bearer ${apiKey}` } })
  assert.equal(response.status, 200)
  return response.json()
}

await run('pusher', 50000, async ok => {
  // ---- public channel: a broadcast from /_broadcast reaches it
  const reader = client()
  const news = reader.subscribe(`news-${suffix}`)
  await subscribed(news)
  assert.match(reader.connection.socket_id, /^\d+\.\d+$/)
  const newsLog = record(news, 'message', 'greeting')
  await broadcast(`news-${suffix}`, { hello: 'world' })
  await broadcast(`news-${suffix}`, { event: 'greeting', data: JSON.stringify({ hi: 'there' }) })
  await waitFor('two events on the public channel', () => newsLog.length === 2)
  assert.deepEqual(newsLog.map(e => [e.event, e.data]), [['message', { hello: 'world' }], ['greeting', { hi: 'there' }]])
  ok('pusher-js connects (socket_id n.n) and subscribes to a public channel; /_broadcast data arrives as event "message", {event, data} as that event')

  // ---- private channel, signed by the server SDK; a forged signature is refused
  const privateName = `private-orders-${suffix}`
  const ordersA = reader.subscribe(privateName)
  await subscribed(ordersA)
  ok('a private channel subscribes with the signature of the pusher SDK\'s authorizeChannel')

  const intruder = client({ sdk: forger })
  const forged = intruder.subscribe(privateName)
  const refusal = await subscribed(forged).then(() => null, error => error)
  assert.equal(refusal?.type, 'AuthError')
  assert.equal(refusal?.status, 401)
  ok('a forged signature is refused with pusher:subscription_error (AuthError, 401)')

  // ---- client events on a private channel: to the others, not echoed, rate-limited
  const writer = client()
  const ordersB = writer.subscribe(privateName)
  await subscribed(ordersB)
  const aLog = record(ordersA, 'client-note')
  const bLog = record(ordersB, 'client-note')
  ordersB.trigger('client-note', { n: 1 })
  ordersA.trigger('client-note', { n: 2 })
  await waitFor('a\'s event at b', () => bLog.length === 1)
  // a's event went out on the stream's lane after b's: had b's come back to b, it would be here first
  assert.deepEqual(bLog.map(e => e.data), [{ n: 2 }])
  await waitFor('b\'s event at a', () => aLog.length === 1)
  assert.deepEqual(aLog.map(e => e.data), [{ n: 1 }])
  ok('client events reach the other subscribers of a private channel, never the sender')

  const errors = []
  writer.connection.bind('error', error => errors.push(error))
  for (let i = 0; i < 25; i++) ordersB.trigger('client-note', { burst: i })
  await waitFor('the rate limit error', () => errors.some(e => e.data?.code === 4301))
  // the bucket refills at 10 a second: sent again until one gets through
  const retry = setInterval(() => ordersB.trigger('client-note', { last: true }), 250)
  await waitFor('the last event at a', () => aLog.some(e => e.data.last)).finally(() => clearInterval(retry))
  const burst = aLog.filter(e => e.data.burst !== undefined).length
  assert.ok(burst <= 13 && burst >= 5, `burst delivered ${burst}`)
  ok(`client events are limited to 10 a second per connection (${burst} of a burst of 25 delivered, pusher:error 4301)`)

  const publicEvent = []
  reader.connection.bind('error', error => publicEvent.push(error))
  news.trigger('client-nope', {})
  await waitFor('refusal of a client event on a public channel', () => publicEvent.length === 1)
  assert.equal(publicEvent[0].data.code, null)
  ok('a client event on a public channel is refused with pusher:error')

  // ---- presence with Laravel Echo: one member per user id, across connections
  const room = `room-${suffix}`
  const stream = `presence-${room}`
  function echo(user) {
    return new Echo({ broadcaster: 'pusher', key, client: client({ user }) })
  }
  const bob = echo({ user_id: 'bob', user_info: { name: 'Bob' } })
  const bobEvents = []
  let bobHere
  bob.join(room).here(members => { bobHere = members })
    .joining(member => bobEvents.push(['joining', member]))
    .leaving(member => bobEvents.push(['leaving', member]))
  await waitFor('bob here', () => bobHere !== undefined)
  assert.deepEqual(bobHere, [{ name: 'Bob' }])
  ok('Echo.join(): here() lists the member itself')

  const alice1 = echo({ user_id: 7, user_info: { name: 'Alice' } })
  let alice1Here
  alice1.join(room).here(members => { alice1Here = members })
  await waitFor('alice here', () => alice1Here !== undefined)
  assert.deepEqual(alice1Here.map(m => m.name).sort(), ['Alice', 'Bob'])
  await waitFor('alice joining at bob', () => bobEvents.length === 1)
  assert.deepEqual(bobEvents[0], ['joining', { name: 'Alice' }])
  ok('a second user joins: here() lists both, joining() fires at the first')

  const alice2 = echo({ user_id: 7, user_info: { name: 'Alice' } })
  let alice2Here
  alice2.join(room).here(members => { alice2Here = members })
  await waitFor('alice2 here', () => alice2Here !== undefined)
  assert.equal(alice2Here.length, 2)
  const members = await presenceOf(stream)
  assert.equal(members.total, 2)
  assert.deepEqual(members.records.map(r => r.id).sort(), ['7', 'bob'])
  ok('a second connection of the same user: still two members, in /api/presence too')

  // whisper (client event with user_id) on the presence channel
  const whispers = []
  bob.join(room).listenForWhisper('typing', (data) => whispers.push(data))
  const bobChannel = bob.connector.pusher.channel(stream)
  const metas = []
  bobChannel.bind('client-typing', (data, meta) => metas.push(meta))
  alice1.join(room).whisper('typing', { typing: true })
  await waitFor('whisper at bob', () => whispers.length === 1 && metas.length === 1)
  assert.deepEqual(whispers[0], { typing: true })
  assert.equal(metas[0].user_id, '7')
  ok('Echo whisper() reaches the other members with the sender\'s user_id')

  alice1.disconnect()
  // alice2 still holds user 7: nothing leaves. Proof that nothing is on its way: after the presence TTL a probe
  // member joins and leaves on the same stream lane; bob sees only the probe
  await new Promise(resolve => setTimeout(resolve, Number(ttlMs) + 1500))
  const probe = echo({ user_id: 'probe', user_info: { name: 'Probe' } })
  let probeHere
  probe.join(room).here(m => { probeHere = m })
  await waitFor('probe here', () => probeHere !== undefined)
  await waitFor('probe at bob', () => bobEvents.length === 2)
  assert.deepEqual(bobEvents[1], ['joining', { name: 'Probe' }])
  probe.leave(room)
  await waitFor('probe leaving at bob', () => bobEvents.length === 3)
  assert.deepEqual(bobEvents[2], ['leaving', { name: 'Probe' }])
  ok('one of the user\'s two connections closes: no member_removed (a leave() is at once)')

  alice2.disconnect()
  await waitFor('alice leaving at bob', () => bobEvents.length === 4, Number(ttlMs) + 8000)
  assert.deepEqual(bobEvents[3], ['leaving', { name: 'Alice' }])
  assert.equal((await presenceOf(stream)).total, 1)
  ok('the last connection closes: one member_removed, after the presence TTL')

  // ---- refusals as Pusher documents them: the frame, the close code, and what pusher-js then does
  const refused = await raw(`/app/no-such-key?protocol=7`)
  assert.deepEqual([refused.frames, refused.code], [[{ event: 'pusher:error', data: {
    code: 4001, message: 'App key no-such-key not in this cluster. Did you forget to specify the cluster?' } }], 4001])
  const oldProtocol = await raw(`/app/${key}?protocol=3`)
  assert.deepEqual([oldProtocol.frames, oldProtocol.code], [[{ event: 'pusher:error', data: {
    code: 4007, message: 'Unsupported protocol version 3' } }], 4007])
  const stranger = new Pusher('no-such-key', {
    wsHost: host, wsPort: Number(port), forceTLS: false, enabledTransports: ['ws'], cluster: 'jcable' })
  clients.push(stranger)
  const strangerErrors = []
  stranger.connection.bind('error', error => strangerErrors.push(error.error?.data?.code))
  await waitFor('pusher-js told of the unknown key', () => strangerErrors.length > 0)
  await waitFor('pusher-js giving up', () => stranger.connection.state === 'disconnected')
  assert.deepEqual(strangerErrors, [4001])
  ok('an unknown app key gets pusher:error 4001 and close 4001 (pusher-js gives up), protocol 3 gets 4007')

  // the node's connection quota (pusher_max_connections of this deployment): every earlier connection closed
  // first, so the quota is all this step's
  clients.splice(0).forEach(c => c.disconnect())
  await until('the earlier connections closed on the server', async () => (await health()).connections === 0)
  const full = []
  for (let i = 0; i < Number(quota); i++) {
    const c = client()
    full.push(c)
    await waitFor(`connection ${i + 1} of the quota`, () => c.connection.state === 'connected')
  }
  const over = await raw(`/app/${key}?protocol=7`)
  assert.deepEqual([over.frames, over.code], [[{ event: 'pusher:error', data: { code: 4100,
    message: `Over capacity: the connection quota of this node (${quota}) is reached` } }], 4100])
  const late = client()
  const lateErrors = []
  late.connection.bind('error', error => lateErrors.push(error.error?.data?.code))
  await waitFor('pusher-js told it is over capacity', () => lateErrors.length > 0)
  assert.notEqual(late.connection.state, 'connected')
  full[0].disconnect() // pusher-js backs off and tries again: it gets the place given back
  await waitFor('the late client connected once a place was free', () => late.connection.state === 'connected', 20000)
  assert.ok(lateErrors.every(code => code === 4100), `errors ${lateErrors}`)
  clients.splice(0).forEach(c => c.disconnect())
  await until('the quota\'s connections closed on the server', async () => (await health()).connections === 0)
  ok(`over the node's quota (${quota}) a connection gets pusher:error 4100 and close 4100; pusher-js backs off and connects once a place is free`)
}, () => clients.forEach(c => c.disconnect()))
