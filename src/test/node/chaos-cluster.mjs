// The chaos suite's processes (chaos.mjs): one redis-server and N Payara Micro nodes with the jcable WAR, all on free
// loopback ports, with what the suite does to them: kill -9 and restart a node, hang Redis (SIGSTOP), restart it
// with or without its data, kill its pub/sub clients. Every process started here is killed when this process exits.
import { spawn } from 'node:child_process'
import { createServer, connect } from 'node:net'
import { mkdtempSync, rmSync, openSync, existsSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const children = new Set()
function cleanup() {
  for (const child of children) { try { child.kill('SIGKILL') } catch { } }
}
process.on('exit', cleanup)
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => { cleanup(); process.exit(130) })

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)) })
  })
}

export const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

// Polls predicate() (sync or async) every `every` ms until it is true or `ms` have passed; returns whether it held.
export async function until(predicate, ms, every = 100) {
  const end = Date.now() + ms
  for (;;) {
    if (await predicate()) return true
    if (Date.now() > end) return false
    await sleep(every)
  }
}

// One Redis command over RESP; resolves with a bulk string's text or another reply's first line, rejects after `ms`.
export function redisCommand(port, args, ms = 3000) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`redis ${args[0]}: no reply in ${ms} ms`)) }, ms)
    let reply = ''
    socket.on('error', error => { clearTimeout(timer); reject(error) })
    socket.on('data', chunk => {
      reply += chunk
      const end = reply.indexOf('\r\n')
      if (end < 0) return
      if (reply[0] === '$' && +reply.slice(1, end) >= 0) { // a bulk string: its text
        const length = +reply.slice(1, end)
        if (Buffer.byteLength(reply) < end + 2 + length + 2) return
        clearTimeout(timer); socket.destroy(); resolve(reply.slice(end + 2, end + 2 + length))
        return
      }
      clearTimeout(timer); socket.destroy(); resolve(reply.slice(0, end))
    })
    socket.write(`*${args.length}\r\n` + args.map(a => `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`).join(''))
  })
}

export class Redis {
  constructor(program, dir) {
    this.program = program
    this.dir = dir
  }

  async start() {
    this.port = this.port || await freePort()
    const log = openSync(join(this.dir, 'redis.log'), 'a')
    this.process = spawn(this.program, ['--port', this.port, '--bind', '127.0.0.1', '--save', '', '--appendonly',
      'no', '--dir', this.dir, '--dbfilename', 'dump.rdb', '--daemonize', 'no'], { stdio: ['ignore', log, log] })
    children.add(this.process)
    this.process.on('exit', () => children.delete(this.process))
    if (!await until(() => redisCommand(this.port, ['PING'], 500).then(r => r === '+PONG', () => false), 10000)) {
      throw new Error(`redis-server did not start on port ${this.port} (see ${this.dir}/redis.log)`)
    }
  }

  get url() { return `redis://127.0.0.1:${this.port}` }

  command(...args) { return redisCommand(this.port, args) }

  async kill() {
    const process = this.process
    const gone = new Promise(resolve => process.exitCode !== null ? resolve() : process.on('exit', resolve))
    process.kill('SIGKILL')
    await gone
  }

  // kill -9, then start again on the same port: with its data (SAVE first, the dump is loaded) or empty
  async restart(withData) {
    if (withData) await this.command('SAVE')
    await this.kill()
    if (!withData) rmSync(join(this.dir, 'dump.rdb'), { force: true })
    await this.start()
  }

  stop() { this.process.kill('SIGSTOP') }
  cont() { this.process.kill('SIGCONT') }
}

// A Payara Micro process with the WAR, broker=redis; restartable on the same port.
export class Node {
  constructor(name, options) {
    this.name = name
    this.options = options // { jar, war, properties: {...}, dir, java, heap }
  }

  async start() {
    this.port = this.port || await freePort()
    this.root = mkdtempSync(join(tmpdir(), 'jcable-payara-chaos-'))
    const { jar, war, properties, dir, java } = this.options
    const args = [`-Xmx${this.options.heap || '384m'}`, '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1',
      ...Object.entries(properties).map(([k, v]) => `-D${k}=${v}`),
      '-jar', jar, '--deploy', war, '--port', this.port, '--nocluster', '--disablephonehome', '--rootdir', this.root]
    const log = openSync(join(dir, `${this.name}.log`), 'a')
    this.process = spawn(java, args, { stdio: ['ignore', log, log] })
    const process = this.process
    children.add(process)
    process.on('exit', () => children.delete(process))
    this.started = Date.now()
  }

  // until GET /api/health answers 200 (the WAR is deployed and the node reaches Redis)
  async awaitReady(ms = 2400000) {
    const healthy = () => fetch(`${this.http}api/health`, { signal: AbortSignal.timeout(2000) })
      .then(r => r.status === 200, () => false)
    if (!await until(async () => this.process.exitCode === null && await healthy(), ms, 250)) {
      throw new Error(`${this.name} not healthy after ${ms} ms (see ${this.options.dir}/${this.name}.log)`)
    }
    return Date.now() - this.started
  }

  get http() { return `http://127.0.0.1:${this.port}/` }
  get ws() { return `ws://127.0.0.1:${this.port}/cable` }
  get alive() { return this.process && this.process.exitCode === null && this.process.signalCode === null }

  async kill() {
    const process = this.process
    const gone = new Promise(resolve => process.exitCode !== null ? resolve() : process.on('exit', resolve))
    process.kill('SIGKILL')
    await gone
    rmSync(this.root, { recursive: true, force: true })
  }

  async stopForGood() {
    if (this.alive) await this.kill()
    else if (this.root) rmSync(this.root, { recursive: true, force: true })
  }
}

export function workDir(out) {
  if (out) { mkdirSync(out, { recursive: true }); return out }
  return mkdtempSync(join(tmpdir(), 'jcable-chaos-'))
}

export { existsSync }
