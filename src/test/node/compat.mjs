// Drives the official @anycable/core client against a deployed jcable WAR.
// Usage: node compat.mjs <ws url> <http base url> <signed stream name> <stream> <broadcast key>
// Prints one "ok - …" line per step; exits non-zero on the first failed step.
import { createCable } from '@anycable/core'
import WebSocket from 'ws'
import assert from 'node:assert/strict'
import { run, waitFor } from './steps.mjs'

const [wsUrl, httpBase, signedName, stream, broadcastKey] = process.argv.slice(2)

function newCable() {
  return createCable(wsUrl, {
    protocol: 'actioncable-v1-ext-json',
    websocketImplementation: WebSocket,
    logLevel: 'error'
  })
}



const cables = []
function subscribe() {
  const cable = newCable()
  cables.push(cable)
  const channel = cable.streamFromSigned(signedName)
  const log = { presence: [], messages: [] }
  // the channel's presence event also carries info() replies; keep the membership changes
  channel.on('presence', event => { if (event.type !== 'info') log.presence.push(event) })
  channel.on('message', message => log.messages.push(message))
  return { cable, channel, log }
}


await run('compat', 30000, async ok => {
  const alice = subscribe()
  const bob = subscribe()
  await alice.channel.ensureSubscribed()
  await bob.channel.ensureSubscribed()
  assert.equal(alice.cable.state, 'connected')
  assert.equal(alice.cable.protocol.constructor.name, 'ActionCableExtendedProtocol')
  ok('two clients connected on actioncable-v1-ext-json and subscribed to a signed stream')

  await alice.channel.presence.join('42', { name: 'Alice' })
  await waitFor('join at bob', () => bob.log.presence.length === 1)
  await waitFor('join at alice', () => alice.log.presence.length === 1)
  assert.deepEqual(bob.log.presence[0], { type: 'join', id: '42', info: { name: 'Alice' }, seq: 1 })
  assert.deepEqual(alice.log.presence[0], { type: 'join', id: '42', info: { name: 'Alice' }, seq: 1 })
  ok('join event reaches every subscriber, the joiner included, numbered (seq) in its stream')

  assert.deepEqual(await bob.channel.presence.info(), { 42: { name: 'Alice' } })
  ok('presence.info() returns the members')

  await bob.channel.presence.join('7', 'bob')
  await waitFor('bob join at alice', () => alice.log.presence.length === 2)
  assert.deepEqual(alice.log.presence[1], { type: 'join', id: '7', info: 'bob', seq: 2 })
  assert.deepEqual(await bob.channel.presence.info(), { 42: { name: 'Alice' }, 7: 'bob' })
  ok('a second member joins; the watched state follows the events (their seq field is ignored by the client)')

  const response = await fetch(new URL('_broadcast', httpBase), {
    method: 'POST',
    headers: { Authorization: `Bearer ${broadcastKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ stream, data: JSON.stringify({ text: 'hi' }) })
  })
  assert.equal(response.status, 201)
  await waitFor('broadcast at both', () => alice.log.messages.length === 1 && bob.log.messages.length === 1)
  assert.deepEqual(bob.log.messages[0], { text: 'hi' })
  ok('an HTTP broadcast is delivered to both clients')

  await alice.channel.presence.leave()
  await waitFor('leave at bob', () => bob.log.presence.length === 3)
  assert.deepEqual(bob.log.presence[2], { type: 'leave', id: '42', seq: 3 })
  assert.deepEqual(await bob.channel.presence.info(), { 7: 'bob' })
  ok('leave event reaches the others and info() no longer lists the member')

  const carol = subscribe()
  await carol.channel.ensureSubscribed()
  assert.deepEqual(await carol.channel.presence.info(), { 7: 'bob' })
  ok('a late viewer gets the current members from the server')

}, () => cables.forEach(cable => cable.disconnect()))
