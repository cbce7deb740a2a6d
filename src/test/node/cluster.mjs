// Drives the official @anycable/core client against two jcable nodes sharing one Redis (broker=redis).
// Usage: node cluster.mjs <ws url of node a> <ws url of node b> <http base url of node a> <signed stream name>
//        <stream> <broadcast key>
// Prints one "ok - …" line per step; exits non-zero on the first failed step.
import { createCable } from '@anycable/core'
import WebSocket from 'ws'
import assert from 'node:assert/strict'
import { run, waitFor } from './steps.mjs'

const [wsA, wsB, httpA, signedName, stream, broadcastKey] = process.argv.slice(2)

const cables = []
function subscribe(url) {
  const cable = createCable(url, {
    protocol: 'actioncable-v1-ext-json',
    websocketImplementation: WebSocket,
    logLevel: 'error'
  })
  cables.push(cable)
  const channel = cable.streamFromSigned(signedName)
  const log = { presence: [], messages: [] }
  channel.on('presence', event => { if (event.type !== 'info') log.presence.push(event) })
  channel.on('message', message => log.messages.push(message))
  return { cable, channel, log }
}

let sent = 0
// a broadcast that both clients receive: everything either was sent before it has arrived by then
async function roundTrip(alice, bob) {
  sent++
  const response = await fetch(new URL('_broadcast', httpA), {
    method: 'POST',
    headers: { Authorization: `Bearer ${broadcastKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ stream, data: JSON.stringify({ n: sent }) })
  })
  assert.equal(response.status, 201)
  await waitFor(`broadcast ${sent} at both`, () => alice.log.messages.length === sent && bob.log.messages.length === sent)
  assert.deepEqual(bob.log.messages[sent - 1], { n: sent })
}

await run('cluster', 30000, async ok => {
  const alice = subscribe(wsA)
  const bob = subscribe(wsB)
  await alice.channel.ensureSubscribed()
  await bob.channel.ensureSubscribed()
  ok('one client on each node, subscribed to the same signed stream')

  await alice.channel.presence.join('42', { name: 'Alice' })
  await waitFor('join at bob', () => bob.log.presence.length === 1)
  assert.deepEqual(bob.log.presence[0], { type: 'join', id: '42', info: { name: 'Alice' }, seq: 1 })
  assert.deepEqual(await bob.channel.presence.info(), { 42: { name: 'Alice' } })
  ok('a join on node a reaches the client on node b, and info() on node b lists the member')

  await bob.channel.presence.join('42', { name: 'Alice' })
  await roundTrip(alice, bob)
  assert.equal(alice.log.presence.length, 1)
  assert.equal(bob.log.presence.length, 1)
  assert.deepEqual(await alice.channel.presence.info(), { 42: { name: 'Alice' } })
  ok('the same id joined from node b is the same member: no second join')

  await alice.channel.presence.leave()
  await roundTrip(alice, bob)
  assert.equal(bob.log.presence.length, 1)
  ok('leaving on node a while node b still holds the id: no leave')

  await bob.channel.presence.leave()
  await waitFor('leave at alice', () => alice.log.presence.length === 2)
  assert.deepEqual(alice.log.presence[1], { type: 'leave', id: '42', seq: 2 })
  assert.deepEqual(await alice.channel.presence.info(), {})
  ok('the last session leaving, on node b: one leave, seen on node a')
}, () => cables.forEach(cable => cable.disconnect()))
