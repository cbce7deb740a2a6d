// bench/run.sh cluster-scale: 3 Payara Micro nodes on one redis-server, `perNode` connections on each (one load
// generator process per node: a process here may hold at most 20,000 open files), spread over `streams` presence
// streams (connection k of node i: stream (k + i × perNode) mod streams, member <node>-<k>). Then kill -9 of the last node:
// the time until each of its members' leave reached every survivor's client of that stream (p50/p99/max), leaves
// lost or repeated, each survivor's REST member set and its clients' member sets against the truth; the sweep's
// backlog and lag (sampled from the sweep index every second) and Redis's CPU before and after the kill.
// Usage: node cluster-scale.mjs jar=… war=… [perNode=15000] [streams=3000] [ttl=<presence_ttl, default: web.xml's>]
//        [heap=1g] [sources=4 (127.0.0.x source addresses per generator)] [rate=200 (connections/s per generator)]
//        [redis=redis-server] [out=<dir>] [anycable.<option>=<value> …: system properties of every node]
import { fork } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Redis, Node, until, sleep, workDir } from '../src/test/node/chaos-cluster.mjs'

const args = Object.fromEntries(process.argv.slice(2).map(a => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]))
const perNode = +(args.perNode || 15000)
const streams = +(args.streams || 3000)
// connection k of node i is in stream (k + i × perNode) mod streams: all streams have members when 3 × perNode ≥ streams
const streamOf = (i, k) => (k + i * perNode) % streams
const SECRET = 's3Krit'
const API_KEY = createHmac('sha256', SECRET).update('api-cable').digest('hex')
const dir = workDir(args.out)
const started = Date.now()
const log = (...line) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s]`, ...line)
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
const percentile = (sorted, p) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] : NaN

const redis = new Redis(args.redis || 'redis-server', dir)
const nodes = []
const workers = []
const samples = [] // { t, due, lagMs }
let sampling = true

function redisCpuSeconds() { // utime + stime of redis-server, from /proc (clock ticks of 1/100 s)
  const fields = readFileSync(`/proc/${redis.process.pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (+fields[11] + +fields[12]) / 100
}

async function sampleSweep() {
  const script = "local t = redis.call('TIME'); local now = t[1] * 1000 + math.floor(t[2] / 1000); " +
    "local due = redis.call('ZCOUNT', KEYS[1], '-inf', now); local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES'); " +
    "local lag = 0; if #first > 0 then lag = math.max(0, now - tonumber(first[2])) end; " +
    "return due .. ' ' .. lag .. ' ' .. redis.call('ZCARD', KEYS[1])"
  while (sampling) {
    try {
      const [due, lagMs, indexed] = (await redis.command('EVAL', script, 1, 'jcable:presence-due')).split(' ').map(Number)
      samples.push({ t: Date.now(), due, lagMs, indexed, load1: +load().split(' ')[0] })
    } catch { /* Redis busy: the sample is skipped */ }
    await sleep(1000)
  }
}

function ask(worker, message, key) {
  return new Promise(resolve => {
    const listener = reply => { if (reply[key] !== undefined) { worker.off('message', listener); resolve(reply[key]) } }
    worker.on('message', listener)
    worker.send(message)
  })
}

function sweepFigures(from, to) {
  const window = samples.filter(s => s.t >= from && s.t <= to)
  return { maxDue: Math.max(0, ...window.map(s => s.due)), maxLagMs: Math.max(0, ...window.map(s => s.lagMs)),
    indexed: window.length ? window[window.length - 1].indexed : NaN, samples: window.length,
    maxLoad1: Math.max(0, ...window.map(s => s.load1)) }
}

let exitCode = 0
try {
  log(`cluster-scale: 3 nodes × ${perNode} connections, ${streams} streams; load ${load()}; logs in ${dir}`)
  await redis.start()
  const properties = { 'anycable.broker': 'redis', 'anycable.redis_url': redis.url, 'anycable.secret': SECRET,
    'anycable.broadcast_adapter': 'http' }
  if (args.ttl) properties['anycable.presence_ttl'] = args.ttl
  for (const [k, v] of Object.entries(args)) if (k.startsWith('anycable.')) properties[k] = v // e.g. anycable.ping_interval=10
  for (const name of ['nodea', 'nodeb', 'nodec']) {
    nodes.push(new Node(name, { jar: args.jar, war: args.war, java: args.java || 'java', dir, properties,
      heap: args.heap || '1g' }))
  }
  await Promise.all(nodes.map(n => n.start()))
  log(`nodes healthy after ${(await Promise.all(nodes.map(n => n.awaitReady()))).map(ms => (ms / 1000).toFixed(0)).join(', ')} s`)
  const configured = readFileSync(join(dir, 'nodea.log'), 'utf8').match(/presence_ttl=(\S+)/)
  const ttlMs = configured ? parseFloat(configured[1]) * (configured[1].endsWith('ms') ? 1 : 1000) : 15000
  sampleSweep()
  for (const node of nodes) {
    const worker = fork(new URL('./scale-worker.mjs', import.meta.url).pathname,
      [node.ws, node.name, perNode, streams, SECRET, args.sources || 4, args.rate || 200, nodes.indexOf(node) * perNode], { stdio: 'inherit' })
    await new Promise(resolve => worker.once('message', resolve))
    workers.push(worker)
  }
  const connectStart = Date.now()
  const connected = await Promise.all(workers.map(w => ask(w, { do: 'connect' }, 'connect')))
  log(`connected: ${connected.map(c => `${c.connected} (${c.failed} failed, ${(c.ms / 1000).toFixed(0)} s)`).join(', ')}; load ${load()}`)
  connected.forEach((c, i) => { if (c.failed) log(`${nodes[i].name}: failures ${JSON.stringify(c.reasons)}`) })
  // the truth is the connections that joined: members[s] = the ids joined in stream s, per node
  const membersOf = new Array(streams).fill(0)
  connected.forEach((c, i) => c.joined.forEach(k => membersOf[streamOf(i, k)]++))
  const sample = [0, 1, Math.floor(streams / 2), streams - 1]
  const total = async (node, s) => (await (await fetch(`${node.http}api/presence/${encodeURIComponent(`scale/${s}`)}/users`,
    { headers: { Authorization: `Bearer ${API_KEY}` } })).json()).total
  const recorded = await until(async () => (await Promise.all(sample.map(s => total(nodes[0], s).catch(() => -1))))
    .every((t, i) => t === membersOf[sample[i]]), 120000, 1000)
  log(`REST totals of streams ${sample.join(', ')}: ${recorded ? 'as joined' : 'NOT as joined after 120 s'}`)
  const synced = await Promise.all(workers.map(w => ask(w, { do: 'info' }, 'info')))
  log(`member sets fetched by ${synced.map(s => `${s.synced} (${s.missing} missing)`).join(', ')} connections; load ${load()}`)
  // steady state: a window of two leases, renewals and sweeps running
  const cpu0 = redisCpuSeconds(); const steadyFrom = Date.now()
  await sleep(2 * ttlMs)
  const steadyTo = Date.now(); const cpu1 = redisCpuSeconds()
  const steady = { ...sweepFigures(steadyFrom, steadyTo), redisCpu: (cpu1 - cpu0) / ((steadyTo - steadyFrom) / 1000) }
  log(`steady (${((steadyTo - steadyFrom) / 1000).toFixed(0)} s): Redis CPU ${(100 * steady.redisCpu).toFixed(0)} %, ` +
    `sweep index ${steady.indexed} streams, at most ${steady.maxDue} due at once, oldest due ${steady.maxLagMs} ms late; load average (1 min) up to ${steady.maxLoad1}`)

  // kill -9 of node c: its members must leave, once, on every survivor's clients of their streams
  await Promise.all(workers.slice(0, 2).map(w => ask(w, { do: 'watch', prefix: 'nodec-' }, 'watching')))
  const t0 = Date.now()
  await nodes[2].kill()
  log(`kill -9 of nodec at t0; load ${load()}`)
  // each survivor's open connection of stream s should see every joined member of node c in s leave, once
  const deadMembers = connected[2].joined
  const openBefore = await Promise.all(workers.slice(0, 2).map(w => ask(w, { do: 'report' }, 'report')))
  const observers = new Array(streams).fill(0)
  openBefore.forEach((r, i) => r.open.forEach(k => observers[streamOf(i, k)]++))
  let expectedPairs = 0
  for (const k of deadMembers) expectedPairs += observers[streamOf(2, k)]
  let reports = []
  const pairs = () => reports.reduce((sum, r) => sum + r.leaves.reduce((a, [, e]) => a + e[2], 0), 0)
  await until(async () => {
    reports = await Promise.all(workers.slice(0, 2).map(w => ask(w, { do: 'report' }, 'report')))
    return pairs() >= expectedPairs
  }, ttlMs + 90000, 2000)
  const killTo = Date.now(); const cpu2 = redisCpuSeconds()
  const leaves = new Map() // id -> [first, last, arrivals, duplicates]
  for (const r of reports) for (const [id, [first, last, n, dup]] of r.leaves) {
    const e = leaves.get(id) || [Infinity, 0, 0, 0]
    leaves.set(id, [Math.min(e[0], first), Math.max(e[1], last), e[2] + n, e[3] + dup])
  }
  const lastArrivals = [...leaves.values()].map(e => e[1] - t0).sort((x, y) => x - y)
  let lostPairs = 0; let repeated = 0
  for (const k of deadMembers) {
    const e = leaves.get(`nodec-${k}`)
    const want = observers[streamOf(2, k)]
    const got = e ? e[2] - e[3] : 0
    if (got < want) lostPairs += want - got
    if (e) repeated += e[3]
  }
  const after = { ...sweepFigures(t0, killTo), redisCpu: (cpu2 - cpu1) / ((killTo - steadyTo) / 1000) }
  log(`leaves of nodec's ${deadMembers.length} members: ${leaves.size} members seen leaving; last arrival per member ` +
    `p50 ${percentile(lastArrivals, 0.5)} ms, p99 ${percentile(lastArrivals, 0.99)} ms, max ${lastArrivals.at(-1)} ms ` +
    `after the kill (presence_ttl ${ttlMs} ms); ${lostPairs} (member, observer) leaves lost, ${repeated} repeated`)
  log(`after the kill: Redis CPU ${(100 * after.redisCpu).toFixed(0)} %, at most ${after.maxDue} streams due at once, ` +
    `oldest due ${after.maxLagMs} ms late; load average (1 min) up to ${after.maxLoad1}`)
  // final member sets: REST on each survivor, and the survivors' clients, against the survivors' members
  let restWrong = 0; let clientWrong = 0
  const truth = Array.from({ length: streams }, () => [])
  reports.forEach((r, i) => r.open.forEach(k => truth[streamOf(i, k)].push(`${nodes[i].name}-${k}`)))
  const expectedIds = s => truth[s].sort().join()
  reports.forEach((r, i) => log(`${nodes[i].name}: ${r.open.length} open, closed after the join ${JSON.stringify(r.closedAfterJoin)}, ${r.unsynced} never synced`))
  // a survivor's connection that closed meanwhile leaves only after presence_ttl: wait for REST to agree first
  await until(async () => {
    for (const s of sample) if ((await total(nodes[0], s).catch(() => -1)) !== truth[s].length) return false
    return true
  }, ttlMs + 30000, 1000)
  reports = await Promise.all(workers.slice(0, 2).map(w => ask(w, { do: 'report' }, 'report')))
  for (const node of nodes.slice(0, 2)) {
    for (let s = 0; s < streams; s++) {
      const body = await (await fetch(`${node.http}api/presence/${encodeURIComponent(`scale/${s}`)}/users`,
        { headers: { Authorization: `Bearer ${API_KEY}` } })).json()
      if ((body.records || []).map(r => r.id).sort().join() !== expectedIds(s)) restWrong++
    }
  }
  for (const r of reports) {
    for (const [s, ids] of Object.entries(r.sets)) if (ids.join() !== expectedIds(+s)) clientWrong++
    clientWrong += r.disagreeing
  }
  log(`final: ${restWrong} of ${2 * streams} REST member sets wrong; ${clientWrong} client member sets wrong`)
  const result = { perNode, streams, ttlMs, load: load(), connected: connected.map(({ joined, ...c }) => c), steady, after,
    leave: { members: deadMembers.length, seen: leaves.size, p50: percentile(lastArrivals, 0.5), p99: percentile(lastArrivals, 0.99),
      max: lastArrivals.at(-1), lostPairs, repeated, expectedPairs }, restWrong, clientWrong }
  writeFileSync(join(dir, 'cluster-scale.json'), JSON.stringify(result, null, 1))
  log(`result: ${JSON.stringify(result)}`)
} catch (error) {
  log(`cluster-scale could not run: ${error.stack || error}`)
  exitCode = 2
}
sampling = false
workers.forEach(w => w.kill('SIGKILL'))
await Promise.all(nodes.map(n => n.stopForGood().catch(() => { })))
await redis.kill().catch(() => { })
process.exit(exitCode)

