// One load generator of bench/cluster-scale.mjs (a child process: one per node, so that no process holds more
// open files than the machine allows): `count` raw AnyCable-protocol connections to one node, connection k
// subscribed to stream (k + offset) mod streams and joined as member <node>-<k>. Each connection keeps its stream's member set
// as the official client does (one `info`, then the joins and leaves after it). Driven by messages from the parent:
//   { do: 'connect' }            connect, subscribe and join everyone; replies { connected, failed, reasons }
//   { do: 'info' }               every open connection asks for its member set once (paced, all in flight at
//                                once, 120 s at most); replies { synced, missing }
//   { do: 'watch', prefix, t0 }  from now, record when each leave of a member whose id starts with prefix arrives
//   { do: 'report' }             replies with the leaves seen ({ id: [first, last, observers, duplicates] }) and
//                                the member set of one connection per stream
import WebSocket from 'ws'
import { createHmac } from 'node:crypto'

const [url, name, countArg, streamsArg, secret, sourcesArg, rateArg, offsetArg] = process.argv.slice(2)
const offset = +offsetArg || 0 // connection k is in stream (k + offset) mod streams
const count = +countArg
const streams = +streamsArg
const sources = +sourcesArg || 1
const rate = +rateArg || 400 // connections opened per second
const sign = stream => {
  const encoded = Buffer.from(JSON.stringify(stream)).toString('base64')
  return `${encoded}--${createHmac('sha256', secret).update(encoded).digest('hex')}`
}
const identifiers = []
for (let s = 0; s < streams; s++) identifiers.push(JSON.stringify({ channel: '$pubsub', signed_stream_name: sign(`scale/${s}`) }))

const conns = []
const reasons = {} // why connections failed before their join: error message or close code -> count
const closedAfterJoin = {} // close code and reason -> count
let watch = null // { prefix, leaves: Map id -> [first, last, observers, duplicates] }

function open(k) {
  return new Promise(resolve => {
    const id = `${name}-${k}`
    const identifier = identifiers[(k + offset) % streams]
    // past ~28,000 sockets one source address runs out of ephemeral ports: spread over 127.0.0.x
    const ws = new WebSocket(url, ['actioncable-v1-ext-json'], { localAddress: `127.0.0.${1 + (k % sources)}`,
      perMessageDeflate: false, handshakeTimeout: 60000 })
    const conn = { ws, k, stream: (k + offset) % streams, members: null, joined: false }
    ws.on('message', raw => {
      const msg = JSON.parse(raw.toString())
      if (msg.type === 'welcome') ws.send(JSON.stringify({ command: 'subscribe', identifier }))
      else if (msg.type === 'confirm_subscription') {
        ws.send(JSON.stringify({ command: 'join', identifier, presence: { id, info: { n: k } } }))
        conn.joined = true
        resolve(true)
      } else if (msg.type === 'reject_subscription') fail('reject_subscription')
      else if (msg.type === 'presence') onPresence(conn, msg.message)
    })
    const fail = why => { if (!conn.joined && !conn.failed) { conn.failed = true; reasons[why] = (reasons[why] || 0) + 1 } resolve(false) }
    ws.on('error', error => fail(error.message))
    ws.on('close', (code, reason) => {
      conn.closed = true
      // after the join too: a member whose connection closed leaves, and the parent leaves it out of the truth
      if (conn.joined) closedAfterJoin[`${code} ${reason}`] = (closedAfterJoin[`${code} ${reason}`] || 0) + 1
      fail(`close ${code} ${reason}`)
    })
    conns.push(conn)
  })
}

function onPresence(conn, event) {
  if (event.type === 'info') {
    if (!conn.members) conn.members = new Set((event.records || []).map(r => r.id))
    if (conn.pendingInfo) { conn.pendingInfo(); conn.pendingInfo = null }
    return
  }
  if (watch && event.type === 'leave' && event.id.startsWith(watch.prefix)) {
    const now = Date.now()
    let entry = watch.leaves.get(event.id)
    if (!entry) watch.leaves.set(event.id, entry = [now, now, 0, 0])
    entry[1] = now
    entry[2]++
    if (conn.members && !conn.members.has(event.id)) entry[3]++
  }
  if (!conn.members) return
  if (event.type === 'join') conn.members.add(event.id)
  else if (event.type === 'leave') conn.members.delete(event.id)
}

async function connectAll() {
  const started = Date.now()
  const pending = []
  for (let k = 0; k < count; k++) {
    pending.push(open(k))
    const due = started + (k * 1000) / rate
    if (due > Date.now()) await new Promise(r => setTimeout(r, due - Date.now()))
  }
  const results = await Promise.all(pending)
  return { connected: results.filter(Boolean).length, failed: results.filter(r => !r).length, ms: Date.now() - started,
    reasons }
}

async function infoAll() {
  let synced = 0
  const open = conns.filter(c => c.joined && !c.closed)
  const replies = open.map(conn => new Promise(resolve => {
    conn.pendingInfo = () => { synced++; resolve() }
  }))
  for (let i = 0; i < open.length; i++) { // 1,000 requests a second: the nodes answer from Redis
    open[i].ws.send(JSON.stringify({ command: 'presence', identifier: identifiers[open[i].stream] }))
    if (i % 100 === 99) await new Promise(r => setTimeout(r, 100))
  }
  await Promise.race([Promise.all(replies), new Promise(r => setTimeout(r, 120000))])
  return { synced, missing: open.length - synced }
}

process.on('message', async message => {
  if (message.do === 'connect') {
    const result = await connectAll()
    process.send({ connect: { ...result, joined: conns.filter(c => c.joined && !c.closed).map(c => c.k) } })
  }
  else if (message.do === 'info') process.send({ info: await infoAll() })
  else if (message.do === 'watch') { watch = { prefix: message.prefix, leaves: new Map() }; process.send({ watching: true }) }
  else if (message.do === 'report') {
    const sets = {}
    const wrong = []
    for (const conn of conns) {
      if (conn.closed || !conn.members) continue
      const key = conn.stream
      if (!sets[key]) sets[key] = [...conn.members].sort()
      else if (sets[key].join() !== [...conn.members].sort().join()) wrong.push(conn.k)
    }
    process.send({ report: { leaves: watch ? [...watch.leaves] : [], sets, disagreeing: wrong.length,
      open: conns.filter(c => c.joined && !c.closed).map(c => c.k), closedAfterJoin,
      unsynced: conns.filter(c => c.joined && !c.closed && !c.members).length } })
  }
})
process.send({ ready: true })
