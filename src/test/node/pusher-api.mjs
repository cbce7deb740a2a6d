// Pusher's HTTP API on jcable, driven by the `pusher` server SDK and pusher-js clients.
// Usage: node pusher-api.mjs <host> <port> <app id> <app key> <secret>
// Prints one "ok - …" line per step; exits non-zero on the first failed step.
import PusherJs from 'pusher-js'
import PusherServer from 'pusher'
import crypto from 'node:crypto'
import assert from 'node:assert/strict'
import { run, waitFor } from './steps.mjs'

const [host, port, appId, key, secret] = process.argv.slice(2)
const Pusher = PusherJs.default || PusherJs
const suffix = Math.random().toString(36).slice(2, 8)
const server = new PusherServer({ appId, key, secret, host, port, useTLS: false })
const forger = new PusherServer({ appId, key, secret: 'not-the-secret', host, port, useTLS: false })

const clients = []
function client(user) {
  const pusher = new Pusher(key, {
    wsHost: host, wsPort: Number(port), forceTLS: false, enabledTransports: ['ws'], cluster: 'jcable',
    channelAuthorization: {
      customHandler: ({ socketId, channelName }, callback) =>
        callback(null, server.authorizeChannel(socketId, channelName, user))
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
function record(channel, log, ...events) {
  for (const event of events) channel.bind(event, data => log.push([channel.name, event, data]))
}
async function refused(promise) {
  return promise.then(() => assert.fail('accepted'), error => error)
}
// a request signed by hand, to sign what the SDK will not (an old timestamp)
function signed(method, path, params) {
  const query = Object.keys(params).sort().map(k => `${k}=${params[k]}`).join('&')
  const signature = crypto.createHmac('sha256', secret).update([method, path, query].join('\n')).digest('hex')
  return `http://${host}:${port}${path}?${query}&auth_signature=${signature}`
}

await run('pusher-api', 50000, async ok => {
  const a = client()
  const b = client()
  const chA = `alpha-${suffix}`
  const chB = `beta-${suffix}`
  const aAlpha = a.subscribe(chA)
  const bAlpha = b.subscribe(chA)
  const bBeta = b.subscribe(chB)
  await Promise.all([subscribed(aAlpha), subscribed(bAlpha), subscribed(bBeta)])
  const aLog = []
  const bLog = []
  record(aAlpha, aLog, 'evt', 'evt2')
  record(bAlpha, bLog, 'evt', 'b1')
  record(bBeta, bLog, 'evt', 'b2')

  const triggered = await server.trigger([chA, chB], 'evt', { x: 1 }, { socket_id: a.connection.socket_id })
  assert.equal(triggered.status, 200)
  await waitFor('evt at b on both channels', () => bLog.length === 2)
  assert.deepEqual(bLog.map(e => e[0]).sort(), [chA, chB])
  assert.deepEqual(bLog[0][2], { x: 1 })
  await server.trigger(chA, 'evt2', 'plain')
  await waitFor('evt2 at a', () => aLog.length === 1)
  // evt2 went out on alpha's lane after evt: had evt reached a, it would be here first
  assert.deepEqual(aLog, [[chA, 'evt2', 'plain']])
  ok('trigger() to two channels reaches their subscribers, except the socket_id excluded')

  const batch = await server.triggerBatch([{ channel: chA, name: 'b1', data: { n: 1 } },
    { channel: chB, name: 'b2', data: { n: 2 } }])
  assert.equal(batch.status, 200)
  await waitFor('the batch at b', () => bLog.length === 4)
  assert.deepEqual(bLog.slice(2).map(e => [e[1], e[2]]).sort(), [['b1', { n: 1 }], ['b2', { n: 2 }]])
  ok('triggerBatch() delivers each event to its channel')

  const u1 = client({ user_id: 'u1', user_info: { name: 'U' } })
  const u1b = client({ user_id: 'u1', user_info: { name: 'U' } })
  const room = `presence-room-${suffix}`
  await Promise.all([subscribed(u1.subscribe(room)), subscribed(u1b.subscribe(room))])
  const list = await (await server.get({ path: '/channels', params: { filter_by_prefix: 'presence-', info: 'user_count' } })).json()
  assert.deepEqual(list.channels[room], { user_count: 1 })
  assert.equal(list.channels[chA], undefined)
  const all = await (await server.get({ path: '/channels' })).json()
  assert.deepEqual(all.channels[chA], {})
  assert.deepEqual(all.channels[room], {})
  ok('GET /channels lists occupied channels, by prefix, with user_count for presence ones')

  const info = await (await server.get({ path: `/channels/${room}`, params: { info: 'user_count,subscription_count' } })).json()
  assert.deepEqual(info, { occupied: true, user_count: 1, subscription_count: 2 })
  const publicInfo = await (await server.get({ path: `/channels/${chA}`, params: { info: 'subscription_count' } })).json()
  assert.deepEqual(publicInfo, { occupied: true, subscription_count: 2 })
  const empty = await (await server.get({ path: `/channels/nobody-${suffix}` })).json()
  assert.deepEqual(empty, { occupied: false })
  ok('GET /channels/{name}: occupied, user_count (one per user), subscription_count (one per connection)')

  const users = await (await server.get({ path: `/channels/${room}/users` })).json()
  assert.deepEqual(users, { users: [{ id: 'u1' }] })
  ok('GET /channels/{name}/users lists the members once per user id')

  const paths = [['POST', `/apps/${appId}/events`, JSON.stringify({ name: 'x', data: '{}', channel: chA })],
    ['POST', `/apps/${appId}/batch_events`, JSON.stringify({ batch: [] })],
    ['GET', `/apps/${appId}/channels`], ['GET', `/apps/${appId}/channels/${room}`],
    ['GET', `/apps/${appId}/channels/${room}/users`]]
  for (const [method, path, body] of paths) {
    const response = await fetch(`http://${host}:${port}${path}`, { method, body, headers: { 'Content-Type': 'application/json' } })
    assert.equal(response.status, 401, `${method} ${path}`)
    assert.equal((await response.json()).error, 'unauthorized')
  }
  ok('every API call unsigned: 401 with a JSON body')

  for (const call of [() => forger.trigger(chA, 'evt', {}), () => forger.triggerBatch([{ channel: chA, name: 'e', data: '' }]),
    () => forger.get({ path: '/channels' }), () => forger.get({ path: `/channels/${room}` }),
    () => forger.get({ path: `/channels/${room}/users` })]) {
    const error = await refused(call().then(r => { if (r.status !== 200) throw r; return r }))
    assert.equal(error.status, 401)
    assert.match(error.body ?? await error.text(), /Invalid signature/)
  }
  const old = Math.floor(Date.now() / 1000) - 700
  const stale = await fetch(signed('GET', `/apps/${appId}/channels`, { auth_key: key, auth_timestamp: old, auth_version: '1.0' }))
  assert.equal(stale.status, 401)
  assert.match((await stale.json()).message, /Timestamp expired/)
  const fresh = await fetch(signed('GET', `/apps/${appId}/channels`, { auth_key: key, auth_timestamp: old + 700, auth_version: '1.0' }))
  assert.equal(fresh.status, 200)
  ok('every API call with a forged signature: 401; a timestamp 700 s old: 401, a fresh one by hand: 200')
}, () => clients.forEach(c => c.disconnect()))
