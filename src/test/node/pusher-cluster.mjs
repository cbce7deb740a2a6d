// One Pusher presence channel spread over two jcable nodes on one Redis (broker=redis), with pusher-js, Laravel Echo
// and the `pusher` server SDK: member lists, member events, client events, the HTTP API and webhooks, cluster-wide.
// Usage: node pusher-cluster.mjs <host a> <port a> <host b> <port b> <app id> <app key> <secret> <webhook posts url>
//   the webhook posts url answers GET with every webhook POST both nodes made: [{headers, body}, …]
// Prints one "ok - …" line per step; exits non-zero on the first failed step.
import PusherJs from 'pusher-js'
import PusherServer from 'pusher'
import Echo from 'laravel-echo'
import assert from 'node:assert/strict'
import { run, waitFor } from './steps.mjs'

const [hostA, portA, hostB, portB, appId, key, secret, hooksUrl] = process.argv.slice(2)
const Pusher = PusherJs.default || PusherJs
const room = `room-${Math.random().toString(36).slice(2, 8)}`
const channel = `presence-${room}`
const nodeA = { host: hostA, port: portA }
const nodeB = { host: hostB, port: portB }
const apiA = new PusherServer({ appId, key, secret, host: hostA, port: portA, useTLS: false })
const apiB = new PusherServer({ appId, key, secret, host: hostB, port: portB, useTLS: false })

const clients = []
// a pusher-js client of one node, in the channel as `user`; log: every channel event but the client events, which
// are logged with the sender's user_id by their own binding
function member(node, user) {
  const pusher = new Pusher(key, {
    wsHost: node.host, wsPort: Number(node.port), forceTLS: false, enabledTransports: ['ws'], cluster: 'jcable',
    channelAuthorization: {
      customHandler: ({ socketId, channelName }, callback) =>
        callback(null, apiA.authorizeChannel(socketId, channelName, user))
    }
  })
  clients.push(pusher)
  return pusher
}
function logOf(presence) {
  const log = []
  presence.bind_global((event, data) => { if (!event.startsWith('client-')) log.push([event, data]) })
  for (const event of ['client-typing', 'client-mark']) {
    presence.bind(event, (data, meta) => log.push([event, data, meta?.user_id]))
  }
  return log
}
function subscribed(presence) {
  return new Promise((resolve, reject) => {
    presence.bind('pusher:subscription_succeeded', resolve)
    presence.bind('pusher:subscription_error', reject)
  })
}
// the connection's lane has handled everything sent before: its pong is the answer to a later frame
function handled(pusher) {
  return new Promise(resolve => {
    const pong = message => {
      if (message.event === 'pusher:pong') {
        pusher.connection.unbind('message', pong)
        resolve()
      }
    }
    pusher.connection.bind('message', pong)
    pusher.connection.send_event('pusher:ping', {})
  })
}

// The barrier of a negative check: an event triggered through node a's HTTP API is published on the channel after
// everything published before it (member events, client events) from either node, and every node delivers a
// channel's publications in order. So once each of `logs` has it, what came before it is all that will: each log's
// frames since `from` must be exactly `expected` (the tick last, unless excluded).
let ticks = 0
async function barrier(logs, options = {}) {
  const tick = ++ticks
  const triggered = await apiA.trigger(channel, 'tick', { tick }, options)
  assert.equal(triggered.status, 200)
  await waitFor(`tick ${tick}`, () => logs.every(log => log.some(([e, d]) => e === 'tick' && d.tick === tick)))
  return tick
}
function since(log, from) {
  return log.slice(from)
}
// frames since `from`: `some` in any order (they come from two nodes), then `last`
function exactly(log, from, some, last) {
  const got = since(log, from)
  const key = frame => JSON.stringify(frame)
  assert.deepEqual(got.slice(0, -1).map(key).sort(), some.map(key).sort(), JSON.stringify(got))
  assert.deepEqual(got.at(-1), last, JSON.stringify(got))
}
// polls an asynchronous condition (an HTTP answer) until it holds
async function eventually(what, check, timeoutMs) {
  const until = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

async function users(api) {
  return (await api.get({ path: `/channels/${channel}/users` })).json()
}
async function info(api) {
  return (await api.get({ path: `/channels/${channel}`, params: { info: 'user_count' } })).json()
}

await run('pusher-cluster', 55000, async ok => {
  // ---- alice (Laravel Echo on node a), carol (pusher-js on node b)
  const alicePusher = member(nodeA, { user_id: 'alice', user_info: { name: 'Alice' } })
  const alice = new Echo({ broadcaster: 'pusher', key, client: alicePusher })
  const aliceEcho = []
  let aliceHere
  alice.join(room).here(members => { aliceHere = members })
    .joining(m => aliceEcho.push(['joining', m])).leaving(m => aliceEcho.push(['leaving', m]))
  const aliceLog = logOf(alicePusher.channel(channel))
  await waitFor('alice here', () => aliceHere !== undefined)
  assert.deepEqual(aliceHere, [{ name: 'Alice' }])

  const carolPusher = member(nodeB, { user_id: 'carol', user_info: { name: 'Carol' } })
  const carolChannel = carolPusher.subscribe(channel)
  const carolLog = logOf(carolChannel)
  const carolMembers = await subscribed(carolChannel)
  assert.deepEqual(carolMembers.members, { alice: { name: 'Alice' }, carol: { name: 'Carol' } })
  assert.equal(carolMembers.count, 2)
  await waitFor('carol joining at alice', () => aliceEcho.length === 1)
  assert.deepEqual(aliceEcho, [['joining', { name: 'Carol' }]])
  ok('Echo.join() on node a, pusher-js on node b: b\'s member list includes a\'s member, a hears b\'s join')

  // ---- bob: one connection on node b, then one on node a: one member
  const aliceMark = aliceLog.length
  const carolMark = carolLog.length
  const bobB = member(nodeB, { user_id: 'bob', user_info: { name: 'Bob' } })
  const bobBChannel = bobB.subscribe(channel)
  const bobBLog = logOf(bobBChannel)
  const bobBMembers = await subscribed(bobBChannel)
  const three = { alice: { name: 'Alice' }, carol: { name: 'Carol' }, bob: { name: 'Bob' } }
  assert.deepEqual(bobBMembers.members, three)
  const bobA = member(nodeA, { user_id: 'bob', user_info: { name: 'Bob' } })
  const bobAChannel = bobA.subscribe(channel)
  const bobALog = logOf(bobAChannel)
  const bobAMembers = await subscribed(bobAChannel)
  assert.deepEqual(bobAMembers.members, three)
  assert.equal(bobAMembers.count, 3)
  assert.deepEqual(bobAMembers.me, { id: 'bob', info: { name: 'Bob' } })
  // the tick excludes carol's socket (on node b); the next one shows she never got it
  const tick1 = await barrier([aliceLog, bobBLog, bobALog], { socket_id: carolPusher.connection.socket_id })
  const t1 = ['tick', { tick: tick1 }]
  const bobAdded = ['pusher:member_added', { id: 'bob', info: { name: 'Bob' } }]
  exactly(aliceLog, aliceMark, [bobAdded], t1)
  assert.deepEqual(aliceEcho, [['joining', { name: 'Carol' }], ['joining', { name: 'Bob' }]])
  exactly(bobBLog, 1, [], t1) // after its subscription_succeeded
  exactly(bobALog, 1, [], t1)
  ok('one user on both nodes is one member: both its connections\' member lists list the cluster\'s three, each' +
    ' other member hears one member_added (on either node), none for the second connection; trigger() on node a' +
    ' reaches both nodes, but the socket_id excluded')

  // ---- client events cross the nodes, not back to the sender, with the sender's user_id
  alice.join(room).whisper('typing', { typing: 'alice' })
  bobBChannel.trigger('client-typing', { typing: 'bob' })
  const fromAlice = ['client-typing', { typing: 'alice' }, 'alice']
  const fromBob = ['client-typing', { typing: 'bob' }, 'bob']
  await Promise.all([handled(alicePusher), handled(bobB)]) // both published
  const tick2 = await barrier([aliceLog, carolLog, bobBLog, bobALog])
  const t2 = ['tick', { tick: tick2 }]
  exactly(carolLog, carolMark, [bobAdded, fromAlice, fromBob], t2) // no tick 1: excluded
  exactly(aliceLog, aliceMark + 2, [fromBob], t2)
  exactly(bobALog, 2, [fromAlice, fromBob], t2)
  exactly(bobBLog, 2, [fromAlice], t2)
  ok('client events (Echo whisper on node a, pusher-js trigger on node b) reach the members on both nodes with' +
    ' the sender\'s user_id, never the sender')

  // ---- the HTTP API of either node answers for the cluster
  const everyone = { users: [{ id: 'alice' }, { id: 'carol' }, { id: 'bob' }] }
  assert.deepEqual(await users(apiA), everyone)
  assert.deepEqual(await users(apiB), everyone)
  assert.deepEqual(await info(apiA), { occupied: true, user_count: 3 })
  assert.deepEqual(await info(apiB), { occupied: true, user_count: 3 })
  ok('GET /channels/{name}/users and info=user_count on either node: the cluster\'s three members, once each')

  // ---- bob leaves on node b: still held on node a, nobody is told
  bobB.unsubscribe(channel)
  await handled(bobB) // its leave is done
  const marks = [aliceLog.length, carolLog.length, bobALog.length]
  const tick3 = await barrier([aliceLog, carolLog, bobALog])
  exactly(aliceLog, marks[0], [], ['tick', { tick: tick3 }])
  exactly(carolLog, marks[1], [], ['tick', { tick: tick3 }])
  exactly(bobALog, marks[2], [], ['tick', { tick: tick3 }])
  assert.deepEqual(await users(apiB), everyone)
  ok('bob unsubscribes on node b while his connection on node a stays: no member_removed on either node')

  // ---- bob's last connection closes on node a: one member_removed, at both nodes, after the presence TTL
  bobA.disconnect()
  await waitFor('bob leaving at alice and carol', () => aliceEcho.length === 3
    && carolLog.some(([e]) => e === 'pusher:member_removed'), 20000)
  const tick4 = await barrier([aliceLog, carolLog])
  const bobRemoved = ['pusher:member_removed', { id: 'bob', info: { name: 'Bob' } }]
  exactly(aliceLog, marks[0] + 1, [bobRemoved], ['tick', { tick: tick4 }])
  exactly(carolLog, marks[1] + 1, [bobRemoved], ['tick', { tick: tick4 }])
  assert.deepEqual(aliceEcho[2], ['leaving', { name: 'Bob' }])
  const two = { users: [{ id: 'alice' }, { id: 'carol' }] }
  assert.deepEqual(await users(apiA), two)
  assert.deepEqual(await users(apiB), two)
  assert.deepEqual(await info(apiB), { occupied: true, user_count: 2 })
  ok('bob\'s last connection closes (node a): one member_removed at each node (once the presence TTL ran out);' +
    ' the API of either node shows two')

  // ---- many join at once on both nodes: each member list, then each change once. With Redis a list is read from
  // Redis, ahead of member events still on their way to the node: a joiner listed must not be announced again
  const crowd = []
  for (let i = 0; i < 16; i++) {
    const pusher = member(i % 2 ? nodeB : nodeA, { user_id: `c${i}` })
    const presence = pusher.subscribe(channel)
    // pusher-js's Members change with later events: the list as it came, and what came before it (nothing should)
    const told = { before: [], listed: null, added: [], removed: [] }
    presence.bind('pusher:subscription_succeeded', members => { told.listed = Object.keys(members.members) })
    presence.bind('pusher:member_added', m => (told.listed ? told.added : told.before).push(m.id))
    presence.bind('pusher:member_removed', m => (told.listed ? told.removed : told.before).push(m.id))
    crowd.push({ pusher, presence, told, log: logOf(presence), listed: subscribed(presence) })
  }
  await Promise.all(crowd.map(one => one.listed))
  const crowdIds = crowd.map((_, i) => `c${i}`)
  const truth = ['alice', 'carol', ...crowdIds].sort()
  await waitFor('the crowd at alice and carol', () => aliceEcho.length >= 3 + 16
    && carolLog.filter(([e]) => e === 'pusher:member_added').length >= 1 + 16)
  const tick5 = await barrier([aliceLog, carolLog, ...crowd.map(one => one.log)])
  for (const [i, { told }] of crowd.entries()) {
    assert.deepEqual(told.before, [], `c${i} heard of members before its list: ${JSON.stringify(told)}`)
    const heard = [...told.listed, ...told.added]
    assert.deepEqual([...heard].sort(), [...new Set(heard)].sort(), `c${i} was told of a member twice: ` +
      JSON.stringify(told))
    assert.deepEqual(heard.filter(id => !told.removed.includes(id)).sort(), truth, `c${i}: ${JSON.stringify(told)}`)
  }
  assert.equal(aliceLog.filter(([e, d]) => e === 'pusher:member_added' && /^c\d+$/.test(d.id)).length, 16)
  assert.deepEqual(carolLog.at(-1), ['tick', { tick: tick5 }])
  assert.deepEqual(carolLog.filter(([e, d]) => e === 'pusher:member_added' && /^c\d+$/.test(d.id))
    .map(([, d]) => d.id).sort(), [...crowdIds].sort())
  ok('16 users join at once, 8 on each node: every member list plus the member_added that follow it is the' +
    ' cluster\'s 18 members, each once; the others hear one member_added per joiner')

  // ---- a public channel subscribed on node a, then on node b, left in the same order: occupied while either has it
  const news = `news-${room}`
  const listed = async api => (await (await api.get({ path: '/channels', params: { filter_by_prefix: news } })).json())
  await subscribed(alicePusher.subscribe(news))
  await subscribed(carolPusher.subscribe(news))
  assert.deepEqual(await listed(apiA), { channels: { [news]: {} } })
  assert.deepEqual(await listed(apiB), { channels: { [news]: {} } })
  alicePusher.unsubscribe(news)
  await handled(alicePusher)
  assert.deepEqual(await listed(apiA), { channels: { [news]: {} } }, 'still occupied on node b')
  assert.deepEqual(await (await apiA.get({ path: `/channels/${news}` })).json(), { occupied: true })
  carolPusher.unsubscribe(news)
  await handled(carolPusher)
  // the node's share leaves Redis after the unsubscribe, without the connection waiting for it
  await eventually('the channel vacated', async () => Object.keys((await listed(apiA)).channels).length === 0, 10000)
  assert.deepEqual(await listed(apiB), { channels: {} })
  ok('a public channel subscribed on node a then node b: GET /channels on either node lists it until the last' +
    ' subscriber (on node b) leaves')

  // ---- webhooks: once per cluster, every POST valid
  const verifier = new PusherServer({ appId, key, secret })
  const hooked = async () => {
    const posts = await (await fetch(hooksUrl)).json()
    const events = []
    for (const post of posts) {
      const hook = verifier.webhook({ headers: post.headers, rawBody: post.body })
      assert.ok(hook.isValid(), `invalid webhook: ${JSON.stringify(post)}`)
      events.push(...hook.getEvents().filter(e => e.channel === channel || e.channel === news)
        .map(e => [e.channel === news ? 'news' : '', e.name, e.user_id, e.event, e.data].filter(Boolean).join(' ')))
    }
    return events.sort()
  }
  const expected = ['client_event bob client-typing {"typing":"bob"}',
    'client_event alice client-typing {"typing":"alice"}', 'member_added alice', 'member_added bob',
    'member_added carol', 'member_removed bob', ...crowdIds.map(id => `member_added ${id}`), 'channel_occupied',
    'news channel_occupied', 'news channel_vacated'].sort()
  let events = []
  await eventually('the webhooks', async () => (events = await hooked()).length >= expected.length, 15000)
  // a client event from each node (reported by the sender's node): each node POSTs in order, one at a time, so
  // whatever either node sent before, a duplicate included, arrived before its marker
  alice.join(room).whisper('mark', {})
  carolChannel.trigger('client-mark', {})
  await Promise.all([handled(alicePusher), handled(carolPusher)])
  const marked = [...expected, 'client_event alice client-mark {}', 'client_event carol client-mark {}'].sort()
  await eventually('both markers', async () => (events = await hooked()).length >= marked.length, 15000)
  assert.deepEqual(events, marked)
  ok('webhooks once per cluster from two nodes, every POST valid (webhook().isValid()): member_added,' +
    ' member_removed, client_event; channel_occupied of the presence channel (its first member) and of the public' +
    ' one (its first subscriber, on node a), channel_vacated of the public one (its last, on node b)')
}, () => clients.forEach(c => c.disconnect()))
