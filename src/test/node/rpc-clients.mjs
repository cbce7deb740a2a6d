// The official clients on channels that live in the application (RpcIT: @anycable/serverless-js behind rpc_host):
// @anycable/core (actioncable-v1-ext-json) and Rails' own @rails/actioncable (actioncable-v1-json).
// Usage: node rpc-clients.mjs <ws url> <http url> <broadcast key> <room>
import { createCable } from '@anycable/core'
import ActionCable from '@rails/actioncable'
import WebSocket from 'ws'
import assert from 'node:assert/strict'
import { run, waitFor } from './steps.mjs'

const [wsUrl, httpUrl, broadcastKey, room] = process.argv.slice(2)
const closers = []

async function broadcast(stream, data) {
  const response = await fetch(`${httpUrl}_broadcast`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${broadcastKey}` },
    body: JSON.stringify({ stream, data: JSON.stringify(data) })
  })
  assert.equal(response.status, 201)
}

await run('rpc-clients', 40000, async ok => {
  const cable = createCable(`${wsUrl}?user=ann`, {
    protocol: 'actioncable-v1-ext-json', websocketImplementation: WebSocket, logLevel: 'error'
  })
  closers.push(() => cable.disconnect())
  const channel = cable.subscribeTo('ChatChannel', { room })
  const messages = []
  channel.on('message', message => messages.push(message))
  await channel.ensureSubscribed()
  await waitFor('hello', () => messages.length === 1)
  assert.deepEqual(messages[0], { hello: 'ann', room })
  ok('@anycable/core: connected as the application identified it (URL parameter), subscribed with params')

  await channel.perform('echo', { text: 'hi' })
  await channel.perform('echo', { text: 'again' })
  await waitFor('echoes', () => messages.length === 3)
  assert.deepEqual(messages.slice(1), [{ echo: 'hi', count: 1, user: 'ann' }, { echo: 'again', count: 2, user: 'ann' }])
  ok('@anycable/core: actions answered in order, the channel state kept between them')

  await broadcast(`chat:${room}`, { text: 'to all' })
  await waitFor('broadcast', () => messages.length === 4)
  assert.deepEqual(messages[3], { text: 'to all' })
  ok('@anycable/core: a broadcast to the stream the application chose')

  const rejected = cable.subscribeTo('ChatChannel', { room: 'closed' })
  await assert.rejects(rejected.ensureSubscribed())
  ok('@anycable/core: the application rejects a subscription')

  // Rails' own client: needs a WebSocket and a bare browser (ConnectionMonitor listens for visibility changes)
  globalThis.document = { visibilityState: 'visible' }
  globalThis.addEventListener = () => {}
  globalThis.removeEventListener = () => {}
  ActionCable.adapters.WebSocket = WebSocket
  ActionCable.adapters.logger = { log() {} }
  const consumer = ActionCable.createConsumer(`${wsUrl}?user=rails`)
  closers.push(() => consumer.disconnect())
  const received = []
  let confirmed = false
  const subscription = consumer.subscriptions.create({ channel: 'ChatChannel', room }, {
    connected() { confirmed = true },
    received(data) { received.push(data) }
  })
  await waitFor('rails confirmation', () => confirmed)
  await waitFor('rails hello', () => received.length === 1)
  assert.deepEqual(received[0], { hello: 'rails', room })
  subscription.perform('echo', { text: 'from rails' })
  await waitFor('rails echo', () => received.length === 2)
  assert.deepEqual(received[1], { echo: 'from rails', count: 1, user: 'rails' })
  await broadcast(`chat:${room}`, { text: 'again to all' })
  await waitFor('rails broadcast', () => received.length === 3)
  assert.deepEqual(received[2], { text: 'again to all' })
  ok('@rails/actioncable (actioncable-v1-json): subscribed, performed, received a broadcast')
}, () => closers.forEach(close => close()))
