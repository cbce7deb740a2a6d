// The official @anycable/core client on a Java channel (TestChannel, deployed by ChannelsIT with TestIdentifier).
// Usage: node channels.mjs <ws url> <room>
import { createCable } from '@anycable/core'
import WebSocket from 'ws'
import assert from 'node:assert/strict'
import { run, waitFor } from './steps.mjs'

const [wsUrl, room] = process.argv.slice(2)
const cables = []

function connect(user) {
  const cable = createCable(`${wsUrl}?user=${user}`, {
    protocol: 'actioncable-v1-ext-json',
    websocketImplementation: WebSocket,
    logLevel: 'error'
  })
  cables.push(cable)
  return cable
}

function watch(channel) {
  const log = { messages: [], presence: [] }
  channel.on('message', message => log.messages.push(message))
  channel.on('presence', event => { if (event.type !== 'info') log.presence.push(event) })
  return log
}

await run('channels', 30000, async ok => {
  const alice = connect('alice')
  const bob = connect('bob')
  const bobRoom = bob.subscribeTo('TestChannel', { room })
  const bobLog = watch(bobRoom)
  await bobRoom.ensureSubscribed() // before alice joins, so that bob sees her join
  const aliceRoom = alice.subscribeTo('TestChannel', { room, member: true })
  const aliceLog = watch(aliceRoom)
  await aliceRoom.ensureSubscribed()
  await waitFor('hello to alice', () => aliceLog.messages.length === 1)
  assert.deepEqual(aliceLog.messages[0], { hello: { user: 'alice' } })
  ok('subscribeTo a Java channel: confirmed, and the channel transmits to the subscriber with its identity')

  await waitFor('join at bob', () => bobLog.presence.length === 1)
  assert.deepEqual(bobLog.presence[0], { type: 'join', id: 'alice', info: { name: 'alice' }, seq: 1 })
  assert.deepEqual(await bobRoom.presence.info(), { alice: { name: 'alice' } })
  ok('the channel joined alice to presence from the server; the client sees the join and the members')

  await aliceRoom.perform('speak', { text: 'hello' })
  await waitFor('speak at bob', () => bobLog.messages.length === 2)
  assert.deepEqual(bobLog.messages[1], { name: 'alice', text: 'hello' })
  ok('perform calls the action, which broadcasts to the room')

  const closed = bob.subscribeTo('TestChannel', { room: 'closed' })
  await assert.rejects(closed.ensureSubscribed(), error => error.name === 'SubscriptionRejectedError')
  ok('a rejected subscription rejects ensureSubscribed()')

  const refused = connect('refused')
  let closedWith
  refused.on('close', event => { closedWith = event && event.reason })
  await refused.connect().catch(() => {})
  await waitFor('unauthorized close', () => closedWith !== undefined)
  assert.equal(closedWith, 'unauthorized')
  assert.equal(refused.state, 'closed')
  ok('a connection the identifier refuses is closed as unauthorized, without reconnecting')
}, () => cables.forEach(cable => cable.disconnect()))
