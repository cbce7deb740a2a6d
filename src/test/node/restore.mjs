// The official @anycable/core client through a network drop, against a deployed jcable WAR:
// JWT authentication (auth.token), a forced drop with session restore, missed messages delivered once from
// history, and presence that stays quiet (no leave, no second join) because the client comes back within the TTL.
// Usage: node restore.mjs <ws url> <http base url> <signed stream name> <stream> <broadcast key> <jwt> <bad jwt>
import { createCable } from '@anycable/core'
import WebSocket from 'ws'
import assert from 'node:assert/strict'
import { run, waitFor } from './steps.mjs'

const [wsUrl, httpBase, signedName, stream, broadcastKey, jwt, badJwt] = process.argv.slice(2)

const cables = []

function newCable(options) {
  const cable = createCable(wsUrl, {
    protocol: 'actioncable-v1-ext-json',
    websocketImplementation: WebSocket,
    logLevel: 'error',
    reconnectStrategy: () => 100, // come back fast: the test server's presence_ttl is 1 s
    ...options
  })
  cables.push(cable)
  return cable
}


async function broadcast(data) {
  const response = await fetch(new URL('_broadcast', httpBase), {
    method: 'POST',
    headers: { Authorization: `Bearer ${broadcastKey}` },
    body: JSON.stringify({ stream, data: JSON.stringify(data) })
  })
  assert.equal(response.status, 201)
}

// A bare protocol client (not the official one) used as a control member: it never reconnects.
function control() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, ['actioncable-v1-ext-json'])
    const identifier = JSON.stringify({ channel: '$pubsub', signed_stream_name: signedName })
    ws.on('error', reject)
    ws.on('message', raw => {
      const msg = JSON.parse(raw.toString())
      if (msg.type === 'welcome') ws.send(JSON.stringify({ command: 'subscribe', identifier }))
      if (msg.type === 'confirm_subscription') {
        ws.send(JSON.stringify({ command: 'join', identifier, presence: { id: 'control' } }))
        resolve(ws)
      }
    })
  })
}


await run('restore', 45000, async ok => {
  const bad = newCable({ auth: { token: badJwt }, reconnectStrategy: () => 60000 })
  let closedWith
  bad.on('close', event => { closedWith = event && event.reason })
  await bad.connect().catch(() => {})
  await waitFor('unauthorized close', () => closedWith !== undefined)
  assert.equal(closedWith, 'unauthorized')
  ok('a client with a forged token is closed as unauthorized')

  const alice = newCable({ auth: { token: jwt } })
  const bob = newCable()
  const a = alice.streamFromSigned(signedName)
  const b = bob.streamFromSigned(signedName)
  const aliceMessages = []
  const bobPresence = []
  a.on('message', m => aliceMessages.push(m))
  b.on('presence', e => { if (e.type !== 'info') bobPresence.push(e) })
  await a.ensureSubscribed()
  await b.ensureSubscribed()
  assert.equal(alice.state, 'connected')
  ok('a client authenticated with auth.token (?jid=) connects and subscribes')

  await a.presence.join('alice', { name: 'Alice' })
  await waitFor('alice join at bob', () => bobPresence.length === 1)
  const controlSocket = await control()
  await waitFor('control join at bob', () => bobPresence.length === 2)
  await broadcast({ n: 1 })
  await waitFor('message 1 at alice', () => aliceMessages.length === 1)

  const reconnected = new Promise(resolve => alice.on('connect', event => { if (event.reconnect) resolve(event) }))
  const oldSid = alice.sessionId
  alice.transport.ws.terminate() // the network drops: no close frame
  await broadcast({ n: 2 })
  await broadcast({ n: 3 })
  const event = await reconnected
  assert.equal(event.restored, true)
  assert.notEqual(alice.sessionId, oldSid)
  await waitFor('messages 2 and 3 at alice', () => aliceMessages.length >= 3)
  await broadcast({ n: 4 })
  await waitFor('message 4 at alice', () => aliceMessages.length >= 4)
  assert.deepEqual(aliceMessages, [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }])
  ok('after a forced drop the session is restored and every message arrives exactly once, in order')

  controlSocket.terminate() // its TTL ends after alice's old session's: a leave for alice would come first
  await waitFor('control leave at bob', () => bobPresence.length === 3)
  assert.deepEqual(bobPresence, [
    { type: 'join', id: 'alice', info: { name: 'Alice' }, seq: 1 },
    { type: 'join', id: 'control', seq: 2 },
    { type: 'leave', id: 'control', seq: 3 }
  ])
  assert.deepEqual(await b.presence.info(), { alice: { name: 'Alice' } })
  ok('presence stayed quiet through the drop: no leave and no second join for alice')

}, () => cables.forEach(cable => cable.disconnect()))
