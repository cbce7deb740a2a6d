// The chaos suite (issue 20): N Payara Micro nodes with the jcable WAR on one redis-server, official @anycable/core
// clients on every node joining, leaving, dropping (and restoring), quitting and broadcasting throughout, while
// faults are injected, one per cycle: client network drops, kill -9 and restart of a node, Redis hung (SIGSTOP)
// longer than the lease, Redis restarted with and without its data, CLIENT KILL TYPE pubsub.
// After every cycle, at quiescence, on every node: each client's member set (the official client's own) equals
// REST's /api/presence/<stream>/users, and REST equals the members of live connections (no member of a dead one
// remains after the TTL). Throughout: each transition reached each observer once, and no member whose connection
// stayed open was seen leaving. At the end: no broadcast was lost or repeated for a subscriber, offsets are
// contiguous within an epoch. Every violation is printed (which client, node, stream, expected vs seen); the exit
// status is 1 if there was any, 2 if the suite itself could not run.
// Usage: node chaos.mjs jar=<payara-micro.jar> war=<jcable.war> [cycles=20] [nodes=3] [clients=4 (per node)]
//        [streams=3] [ttl=2] [hang=5 (seconds, or a list: 5,10,30)] [seed=1] [redis=redis-server] [out=<dir>]
//        [faults=drop,pubsub,hang,drop,restart-data,pubsub,kill,drop,restart-empty,hang (the repeated schedule)]
import { createHmac } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Redis, Node, until, sleep, workDir } from './chaos-cluster.mjs'
import { Client } from './chaos-clients.mjs'
import { checkPresence, checkMessages } from './chaos-checks.mjs'

const args = Object.fromEntries(process.argv.slice(2).map(a => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]))
const cfg = {
  cycles: +(args.cycles || 20), nodes: +(args.nodes || 3), clients: +(args.clients || 4), streams: +(args.streams || 3),
  ttl: +(args.ttl || 2), hang: (args.hang || '5').split(',').map(Number), seed: +(args.seed || 1),
  redis: args.redis || 'redis-server', java: args.java || 'java', jar: args.jar, war: args.war,
  drops: +(args.drops ?? 0.12), quits: +(args.quits ?? 0.08), // shares of the churn's actions (joins, leaves: 0.8)
  faults: (args.faults || 'drop,pubsub,hang,drop,restart-data,pubsub,kill,drop,restart-empty,hang').split(',')
}
const SECRET = 's3Krit'
const hmac = message => createHmac('sha256', SECRET).update(message).digest('hex')
const BROADCAST_KEY = hmac('broadcast-cable')
const API_KEY = hmac('api-cable')
const dir = workDir(args.out)
const started = Date.now()
const log = (...line) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s]`, ...line)

// a seeded generator (mulberry32): the same seed, the same schedule of actions
let seedState = cfg.seed >>> 0
function random() {
  seedState = (seedState + 0x6D2B79F5) >>> 0
  let t = seedState
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const pick = list => list[Math.floor(random() * list.length)]

const world = {
  random, started, ttlMs: cfg.ttl * 1000, snapshotGraceMs: 1000, clients: new Map(), redisFaulty: false, wipes: [], cycle: 0, violations: [],
  violation(kind, detail) {
    const v = { kind, cycle: this.cycle, ...detail }
    this.violations.push(v)
    log(`VIOLATION ${kind}: cycle ${v.cycle}, client ${v.client || '-'} on ${v.node || '-'}, stream ${v.stream || '-'}:` +
      ` expected ${v.expected}; seen ${v.seen}${v.history ? ` [history: ${v.history}]` : ''}`)
  }
}

const redis = new Redis(cfg.redis, dir)
const nodes = []
const streams = []
const posters = []
let churning = false
let posting = false
let nextClient = 0
const pending = new Set() // clients still starting
const counts = { joins: 0, leaves: 0, drops: 0, quits: 0, broadcasts: 0, accepted: 0, faults: {} }

function newClient(node) {
  const client = new Client(world, `m${++nextClient}`, node)
  world.clients.set(client.id, client)
  return client
}

// a new client on `node`; one refused (a subscription rejected during a Redis fault, a connection dropped while it
// subscribed) gives up and another one tries, as an application would retry
async function startClient(node) {
  let client
  for (let attempt = 1; ; attempt++) {
    client = newClient(node)
    try {
      await client.subscribeAll(streams)
      break
    } catch (error) {
      client.quit(false)
      if (attempt === 10) throw error
      await until(() => node.alive, 600000, 200)
      await sleep(500)
    }
  }
  for (const sub of client.subs.values()) if (random() < 0.5) { client.toggle(sub); counts.joins++ }
  return client
}

// one poster per stream, one broadcast at a time, through any live node: n in offset order
async function poster(stream) {
  const record = { stream, accepted: [], ambiguous: new Set(), n: 0 }
  posters.push(record)
  while (posting) {
    const node = pick(nodes.filter(n => n.alive))
    const n = ++record.n
    const tReq = Date.now()
    counts.broadcasts++
    try {
      const response = await fetch(`${node.http}_broadcast`, {
        method: 'POST', headers: { Authorization: `Bearer ${BROADCAST_KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ stream: stream.name, data: JSON.stringify({ n }) }), signal: AbortSignal.timeout(5000)
      })
      if (response.status === 201) { record.accepted.push({ n, tReq, tAck: Date.now() }); counts.accepted++ }
      else if (response.status >= 500 && response.status !== 503) record.ambiguous.add(n)
    } catch {
      record.ambiguous.add(n) // no answer: the script may have run
    }
    await sleep(100 + random() * 150)
  }
}

async function churn() {
  while (churning) {
    const live = [...world.clients.values()].filter(c => !c.dead && c.subs.size === streams.length)
    const client = pick(live)
    const roll = random()
    if (client && roll < 0.80) {
      const sub = pick([...client.subs.values()])
      sub.joined ? counts.leaves++ : counts.joins++
      client.toggle(sub)
    } else if (client && roll < 0.80 + cfg.drops) {
      client.drop(); counts.drops++
    } else if (client && client.node.alive && roll < 0.80 + cfg.drops + cfg.quits) {
      client.quit(roll < 0.96); counts.quits++
      const starting = startClient(client.node).catch(e => log(`a new client on ${client.node.name} could not start: ${e.message}`))
      pending.add(starting)
      starting.finally(() => pending.delete(starting))
    }
    await sleep(60 + random() * 120)
  }
}

async function healthyAll(ms) {
  return until(async () => (await Promise.all(nodes.map(n =>
    fetch(`${n.http}api/health`, { signal: AbortSignal.timeout(2000) }).then(r => r.status === 200, () => false))))
    .every(Boolean), ms, 200)
}

async function inject(fault) {
  counts.faults[fault] = (counts.faults[fault] || 0) + 1
  switch (fault) {
    case 'drop': {
      const some = [...world.clients.values()].filter(c => !c.dead && random() < 0.4)
      some.forEach(c => c.drop()); counts.drops += some.length
      return `${some.length} clients' networks dropped`
    }
    case 'none': // a control cycle: churn only
      return 'no fault'
    case 'pubsub':
      return `CLIENT KILL TYPE pubsub: ${await redis.command('CLIENT', 'KILL', 'TYPE', 'pubsub')}`
    case 'hang': {
      const seconds = cfg.hang[(counts.faults.hang - 1) % cfg.hang.length]
      world.redisFaulty = true
      redis.stop()
      await sleep(seconds * 1000)
      redis.cont()
      await healthyAll(30000)
      world.redisFaulty = false
      return `Redis hung (SIGSTOP) for ${seconds} s, lease ${cfg.ttl} s`
    }
    case 'restart-data':
    case 'restart-empty': {
      world.redisFaulty = true
      await redis.restart(fault === 'restart-data')
      if (fault === 'restart-empty') world.wipes.push(Date.now())
      const back = await healthyAll(30000)
      world.redisFaulty = false
      return `Redis killed and restarted ${fault === 'restart-data' ? 'with' : 'without'} its data${back ? '' : ' (nodes not healthy after 30 s)'}`
    }
    case 'kill': {
      const node = nodes[(counts.faults.kill - 1) % nodes.length]
      await node.kill()
      await sleep(500)
      await node.start()
      const ms = await node.awaitReady()
      return `kill -9 of ${node.name}; restarted, healthy after ${ms} ms`
    }
    default: throw new Error(`unknown fault ${fault}`)
  }
}

// quiescence: churn stopped, every client connected with live subscriptions and its uncertain operations redone
async function settle() {
  await Promise.allSettled([...pending])
  const live = [...world.clients.values()].filter(c => !c.dead)
  const results = await Promise.allSettled(live.map(c => c.settle(30000)))
  results.forEach((r, i) => {
    if (r.status === 'rejected') {
      world.violation('client could not settle', { client: live[i].id, node: live[i].node.name,
        expected: 'connected and subscribed within 30 s', seen: r.reason.message })
      live[i].dead = true
      live[i].cable.disconnect()
    }
  })
}

let exitCode = 0
try {
  if (!cfg.jar || !cfg.war) throw new Error('jar=<payara-micro.jar> and war=<jcable.war> are required')
  log(`chaos: ${cfg.cycles} cycles, ${cfg.nodes} nodes, ${cfg.clients} clients per node, ${cfg.streams} streams, ` +
    `presence_ttl ${cfg.ttl} s, hangs ${cfg.hang.join('/')} s, seed ${cfg.seed}; logs in ${dir}`)
  await redis.start()
  for (let i = 0; i < cfg.streams; i++) {
    const name = `chaos/${started.toString(36)}/${i}`
    const encoded = Buffer.from(JSON.stringify(name)).toString('base64')
    streams.push({ name, signed: `${encoded}--${hmac(encoded)}` })
  }
  const properties = {
    'anycable.broker': 'redis', 'anycable.redis_url': redis.url, 'anycable.secret': SECRET,
    'anycable.presence_ttl': cfg.ttl, 'anycable.broadcast_adapter': 'http'
  }
  for (let i = 0; i < cfg.nodes; i++) {
    nodes.push(new Node(`node${String.fromCharCode(97 + i)}`, { jar: cfg.jar, war: cfg.war, java: cfg.java, dir, properties }))
  }
  await Promise.all(nodes.map(n => n.start()))
  const ready = await Promise.all(nodes.map(n => n.awaitReady()))
  log(`nodes ready in ${ready.map(ms => (ms / 1000).toFixed(1)).join(', ')} s`)
  for (const node of nodes) for (let i = 0; i < cfg.clients; i++) await startClient(node)
  log(`${world.clients.size} clients subscribed to ${streams.length} streams`)
  posting = true
  streams.forEach(stream => poster(stream))
  const context = { world, nodes, streams, apiKey: API_KEY, log, settle }
  for (let cycle = 1; cycle <= cfg.cycles; cycle++) {
    world.cycle = cycle
    churning = true
    const churner = churn()
    await sleep(800 + random() * 700)
    const fault = cfg.faults[(cycle - 1) % cfg.faults.length]
    const what = await inject(fault)
    await sleep(500 + random() * 500)
    churning = false
    await churner
    log(`cycle ${cycle}: ${what}`)
    await checkPresence(context)
    for (const node of nodes) { // clients that could not start are replaced: every node keeps its observers
      const live = [...world.clients.values()].filter(c => !c.dead && c.node === node).length
      for (let i = live; i < cfg.clients; i++) await startClient(node)
    }
  }
  posting = false
  await sleep(500)
  await checkMessages(context, posters, BROADCAST_KEY)
  const ms = Date.now() - started
  const summary = `chaos: ${cfg.cycles} cycles in ${(ms / 1000).toFixed(0)} s (faults ${JSON.stringify(counts.faults)}); ` +
    `${counts.joins} joins, ${counts.leaves} leaves, ${counts.drops} drops, ${counts.quits} quits, ` +
    `${counts.accepted} of ${counts.broadcasts} broadcasts accepted; ${world.violations.length} violations`
  const byKind = {}
  for (const v of world.violations) byKind[v.kind] = (byKind[v.kind] || 0) + 1
  log(summary)
  for (const [kind, n] of Object.entries(byKind)) log(`  ${n} × ${kind}`)
  writeFileSync(join(dir, 'summary.json'), JSON.stringify({ cfg, ms, counts, byKind, violations: world.violations }, null, 1))
  exitCode = world.violations.length ? 1 : 0
} catch (error) {
  log(`chaos: the suite could not run: ${error.stack || error}`)
  exitCode = 2
}
for (const client of world.clients.values()) client.cable.disconnect()
await Promise.all(nodes.map(n => n.stopForGood().catch(() => { })))
await redis.kill().catch(() => { })
process.exit(exitCode)
