// The chaos suite's checks at quiescence (chaos.mjs): member sets on every node, and every broadcast received.
import { until } from './chaos-cluster.mjs'

const list = ids => `[${[...ids].sort().join(', ')}]`
function difference(expected, seen) {
  const more = [...seen].filter(id => !expected.has(id)).sort()
  const fewer = [...expected].filter(id => !seen.has(id)).sort()
  return { more, fewer, text: `${more.length ? `extra ${list(more)}` : ''}${more.length && fewer.length ? ', ' : ''}` +
    `${fewer.length ? `missing ${list(fewer)}` : ''}` }
}
const withTimeout = (promise, ms, what) => Promise.race([promise,
  new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms))])

async function restMembers(node, stream, apiKey) {
  const response = await fetch(`${node.http}api/presence/${encodeURIComponent(stream.name)}/users`, {
    headers: { Authorization: `Bearer ${apiKey}` }, signal: AbortSignal.timeout(5000)
  })
  if (response.status !== 200) throw new Error(`GET /api/presence/…/users on ${node.name}: ${response.status}`)
  return new Set(((await response.json()).records || []).map(r => r.id))
}

// every difference between the truth, each node's REST and each client's member set, now
async function differences({ world, nodes, streams, apiKey }) {
  const diffs = []
  const live = [...world.clients.values()].filter(c => !c.dead)
  const rest = new Map()
  for (const stream of streams) {
    const truth = new Set(live.filter(c => c.subs.get(stream.name).joined).map(c => c.id))
    for (const node of nodes) {
      let members
      try {
        members = await restMembers(node, stream, apiKey)
      } catch (error) {
        diffs.push({ kind: 'REST did not answer', node: node.name, stream: stream.name, expected: '200', seen: error.message })
        continue
      }
      rest.set(`${node.name} ${stream.name}`, members)
      const d = difference(truth, members)
      for (const id of d.more) {
        const owner = world.clients.get(id)
        diffs.push({ kind: owner && owner.dead ? 'member of a dead connection remains after the TTL'
          : 'member that left remains', node: node.name, stream: stream.name, client: id,
        expected: `REST without ${id} (${owner && owner.dead ? 'its connection is gone' : 'it left'})`, seen: list(members),
        history: owner ? `${id}: ${owner.recent(stream.name)}` : undefined })
      }
      for (const id of d.fewer) {
        diffs.push({ kind: 'live member missing from REST', node: node.name, stream: stream.name, client: id,
          expected: `REST with ${id} (connected to ${world.clients.get(id).node.name}, joined)`, seen: list(members),
          history: `${id}: ${world.clients.get(id).recent(stream.name)}` })
      }
    }
  }
  await Promise.all(live.map(async client => {
    for (const sub of client.subs.values()) {
      const members = rest.get(`${client.node.name} ${sub.stream.name}`)
      if (!members) continue
      let state
      try {
        state = new Set(Object.keys(await withTimeout(client.memberSet(sub), 5000, 'presence.info()')))
      } catch (error) {
        diffs.push({ kind: 'client could not read its member set', client: client.id, node: client.node.name,
          stream: sub.stream.name, expected: 'presence.info()', seen: error.message })
        continue
      }
      const d = difference(members, state)
      if (d.more.length || d.fewer.length) {
        diffs.push({ kind: "client's member set differs from REST", client: client.id, node: client.node.name,
          stream: sub.stream.name, expected: `REST's ${list(members)}`, seen: `${list(state)}: ${d.text}`,
          history: [client, ...[...d.more, ...d.fewer].map(id => world.clients.get(id)).filter(Boolean)]
            .map(c => `${c.id}${c.dead ? ' (gone)' : ''}: ${c.recent(sub.stream.name)}`).join('; ') })
      }
    }
  }))
  return diffs
}

// At quiescence: every difference left once the lease and a sweep have passed is a violation.
export async function checkPresence(context) {
  const { world, log, settle } = context
  const start = Date.now()
  await settle()
  let diffs = []
  const equal = await until(async () => (diffs = await differences(context)).length === 0,
    world.ttlMs + 6000, 300)
  for (const d of diffs) world.violation(d.kind, d)
  log(`cycle ${world.cycle} check: ${equal ? 'every member set equals REST and the live members'
    : `${diffs.length} differences`} (${Date.now() - start} ms)`)
}

// A marker per stream, then for every live subscriber: each accepted broadcast since it subscribed received once,
// in order, offsets contiguous within an epoch. Not owed: what was published while the client was away if Redis
// lost its data (history with it) before the client came back.
export async function checkMessages(context, posters, broadcastKey) {
  const { world, nodes, log, settle } = context
  await settle()
  for (const record of posters) {
    const n = ++record.n
    const node = nodes.find(x => x.alive)
    const response = await fetch(`${node.http}_broadcast`, {
      method: 'POST', headers: { Authorization: `Bearer ${broadcastKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ stream: record.stream.name, data: JSON.stringify({ n }) })
    })
    if (response.status !== 201) throw new Error(`the final marker was refused: ${response.status}`)
    record.accepted.push({ n, tReq: Date.now(), tAck: Date.now() })
    record.marker = n
  }
  const live = [...world.clients.values()].filter(c => !c.dead)
  const subs = live.flatMap(c => [...c.subs.values()].map(sub => ({ client: c, sub,
    record: posters.find(p => p.stream.name === sub.stream.name) })))
  await until(() => subs.every(({ sub, record }) => sub.msgs.some(m => m.n === record.marker)), 20000, 100)
  let lost = 0
  let received = 0
  for (const { client, sub, record } of subs) {
    const where = { client: client.id, node: client.node.name, stream: sub.stream.name }
    const seen = new Map()
    received += sub.msgs.length
    for (const m of sub.msgs) seen.set(m.n, (seen.get(m.n) || 0) + 1)
    for (const [n, times] of seen) {
      if (times > 1) world.violation('broadcast received twice', { ...where, expected: `n=${n} once`, seen: `${times} times` })
    }
    for (let i = 1; i < sub.msgs.length; i++) {
      if (sub.msgs[i].n < sub.msgs[i - 1].n && sub.msgs[i].epoch === sub.msgs[i - 1].epoch) {
        world.violation('broadcast out of order', { ...where, expected: `after n=${sub.msgs[i - 1].n} a later one`,
          seen: `n=${sub.msgs[i].n}` })
      }
    }
    const excused = a => world.wipes.some(w => w >= a.tReq && client.downs.some(d => d.from <= w && (d.to ?? Infinity) >= a.tReq))
    const owed = record.accepted.filter(a => a.tReq >= sub.owedSince)
    const missing = owed.filter(a => !seen.has(a.n) && !excused(a)).map(a => a.n)
    lost += missing.length
    if (missing.length) {
      world.violation('broadcast lost for a connected subscriber', { ...where,
        expected: `${owed.length} broadcasts accepted since it subscribed`,
        seen: `${missing.length} never arrived: n=${missing.slice(0, 12).join(',')}${missing.length > 12 ? ',…' : ''}` +
          ` (accepted at ${missing.slice(0, 12).map(n => ((record.accepted.find(a => a.n === n).tAck - world.started) / 1000)
            .toFixed(1)).join(', ')}; subscribed at ${((sub.owedSince - world.started) / 1000).toFixed(1)})`,
        history: `${client.id}: ${client.recent(sub.stream.name)}` })
    }
    if (sub.recreated || owed.some(excused)) continue
    const epochs = new Map()
    for (const m of sub.msgs) {
      if (!epochs.has(m.epoch)) epochs.set(m.epoch, [])
      epochs.get(m.epoch).push(m.offset)
    }
    for (const [epoch, offsets] of epochs) {
      const sorted = [...new Set(offsets)].sort((x, y) => x - y)
      for (let i = 1; i < sorted.length; i++) {
        if (sorted[i] !== sorted[i - 1] + 1) {
          world.violation('offsets not contiguous within an epoch', { ...where,
            expected: `epoch ${epoch}: offset ${sorted[i - 1] + 1} after ${sorted[i - 1]}`, seen: `${sorted[i]}` })
        }
      }
    }
  }
  log(`messages: ${received} received by ${live.length} live clients on ${subs.length} subscriptions, ${lost} lost`)
}
