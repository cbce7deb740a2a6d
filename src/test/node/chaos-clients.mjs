// The chaos suite's clients (chaos.mjs): official @anycable/core clients, each on one node, subscribed to every
// stream (so every node has observers of every stream), each a presence member of some. What each one sees is
// recorded and checked as it arrives: a join for a member the client already holds, a leave for one it does not, a
// leave for a member whose connection stayed open. Its member set is the official client's own (presence.info(),
// kept from one `info` plus the joins and leaves after it, reset only when a subscription is not restored).
import { createCable } from '@anycable/core'
import WebSocket from 'ws'

export class Client {
  constructor(world, id, node) {
    this.world = world
    this.id = id
    this.node = node
    this.subs = new Map() // stream name -> Sub
    this.connected = false
    this.dead = false
    this.upSince = 0
    this.downs = [] // [{ from, to }] while its connection was down
    this.history = [] // what happened to it, for the violations' reports
    this.cable = createCable(node.ws, {
      protocol: 'actioncable-v1-ext-json',
      websocketImplementation: WebSocket,
      // A browser dispatches each WebSocket message as its own task, so promise callbacks run between two messages;
      // `ws` by default emits every message of one network read in the same tick. With that, @anycable/core 1.1.7's
      // Presence#_sync, which sets its member set from the `info` reply once the reply's promise resolves, overwrites
      // a join or leave that arrived right behind the reply (the server holds events behind a reply, so they often
      // share a read), and the client misses it for good. The suite's clients receive messages as browsers do.
      websocketOptions: { allowSynchronousEvents: false },
      logLevel: 'silent',
      logger: { log() { }, debug() { }, info() { }, warn() { }, error() { } },
      reconnectStrategy: () => 200 + Math.floor(world.random() * 300)
    })
    this.cable.on('connect', event => {
      this.note(event.restored ? 'restored' : event.reconnect ? 'reconnected (not restored)' : 'connected')
      this.connected = true
      this.upSince = Date.now()
      const down = this.downs[this.downs.length - 1]
      if (down && down.to === null) down.to = this.upSince
    })
    this.cable.on('disconnect', () => {
      this.note('disconnected')
      if (this.connected) this.downs.push({ from: Date.now(), to: null })
      this.connected = false
    })
  }

  note(what) {
    this.history.push(`${what} at ${((Date.now() - this.world.started) / 1000).toFixed(1)}`)
    if (this.history.length > 40) this.history.shift()
  }

  // the last things that happened to it (on `stream`, or to its connection)
  recent(stream) {
    return this.history.filter(h => !h.includes(' on ') || h.includes(` on ${stream} `)).slice(-8).join(', ')
  }

  async subscribeAll(streams) {
    await this.cable.connect()
    for (const stream of streams) await this.subscribe(stream)
  }

  async subscribe(stream) {
    const old = this.subs.get(stream.name)
    const channel = this.cable.streamFromSigned(stream.signed)
    // a join or leave whose outcome was unknown stays unknown (the official client keeps the presence it last sent
    // for this identifier and sends it with the new subscribe: a leave that never went out is a join again)
    const sub = { stream, channel, joined: old ? old.joined : false, joinedAt: 0, uncertain: old ? old.uncertain : false,
      msgs: old ? old.msgs : [], shadow: null, owedSince: 0, recreated: !!old }
    this.subs.set(stream.name, sub)
    if (old) this.note(`subscribed again on ${stream.name} `)
    channel.on('message', (message, meta) => sub.msgs.push({ n: message.n, epoch: meta && meta.epoch,
      offset: meta && meta.offset, t: Date.now() }))
    channel.on('presence', event => this.onPresence(sub, event))
    channel.on('disconnect', () => { sub.shadow = null }) // the official client drops its member set too
    channel.on('info', info => { if (info && info.type === 'history_not_found') this.note(`${info.type} on ${stream.name} `) })
    await channel.ensureSubscribed()
    sub.owedSince = Date.now()
    await this.memberSet(sub).catch(() => { }) // during a Redis fault: fetched again at the next check
    if (sub.joined) this.join(sub)
    return sub
  }

  // the official client's member set for this subscription (fetched anew only when it has none)
  async memberSet(sub) {
    const state = await sub.channel.presence.info()
    if (!sub.shadow) {
      sub.shadow = new Map(Object.entries(state || {}))
      sub.seededAt = Date.now()
    }
    return state || {}
  }

  onPresence(sub, event) {
    const { world } = this
    const owner = world.clients.get(event.id)
    const where = { client: this.id, node: this.node.name, stream: sub.stream.name,
      history: `${this.id}: ${this.recent(sub.stream.name)}; ${event.id}` +
        `${owner ? ` (on ${owner.node.name}${owner.dead ? ', gone' : ''}): ${owner.recent(sub.stream.name)}` : ''}` }
    if (event.type === 'error') { sub.uncertain = true; return }
    if (!sub.shadow || (event.type !== 'join' && event.type !== 'leave')) return
    // an `info` answer can overtake an event published before it (the answer comes from the script, the event
    // through pub/sub): right after the member set was fetched, an event it already holds is not a repeat
    const fresh = Date.now() - sub.seededAt < world.snapshotGraceMs
    if (event.type === 'join') {
      if (sub.shadow.has(event.id) && !fresh) {
        world.violation('transition seen twice', { ...where, expected: `one join of ${event.id}`,
          seen: `a second join of ${event.id} with no leave between` })
      }
      sub.shadow.set(event.id, event.info)
      return
    }
    if (!sub.shadow.has(event.id) && !fresh) {
      world.violation('transition seen twice', { ...where, expected: `one leave of ${event.id}`,
        seen: `a leave of ${event.id}, which this client did not hold` })
    }
    sub.shadow.delete(event.id)
    const ownerSub = owner && owner.subs.get(sub.stream.name)
    if (owner && !owner.dead && ownerSub && ownerSub.joined && !ownerSub.uncertain
        && owner.steadySince(ownerSub) < Date.now() - world.ttlMs - 3000) {
      world.violation('leave of a member whose connection stayed open', { ...where,
        expected: `no leave of ${event.id} (connected to ${owner.node.name} since ` +
          `${new Date(owner.steadySince(ownerSub)).toISOString()}, joined)`, seen: 'leave' })
    }
  }

  steadySince(sub) {
    return this.connected ? Math.max(this.upSince, sub.joinedAt) : Infinity
  }

  // join or leave one stream, as an application would
  toggle(sub) {
    if (this.world.redisFaulty || !this.connected) sub.uncertain = true
    this.note(`${sub.joined ? 'leave' : 'join'} on ${sub.stream.name} `)
    if (sub.joined) {
      sub.joined = false
      sub.channel.presence.leave().catch(() => { sub.uncertain = true })
    } else {
      sub.joined = true
      this.join(sub)
    }
  }

  join(sub) {
    sub.joinedAt = Date.now()
    // the official client skips a join while it still holds its own presence (Presence#join: `_info`), which a
    // leave that failed (the connection was down) leaves behind: the join's outcome is then unknown
    if (sub.channel.presence._info) sub.uncertain = true
    sub.channel.presence.join(this.id, { name: this.id }).catch(() => { sub.uncertain = true })
  }

  // the network drops (no close frame); the official client reconnects and restores its session
  drop() {
    const ws = this.cable.transport && this.cable.transport.ws
    if (this.connected && ws) { this.note('network drop'); ws.terminate() }
  }

  // the client goes away for good: abruptly (`vanish`) or with a close frame
  async quit(vanish) {
    this.dead = true
    this.note(vanish ? 'vanished' : 'quit')
    if (vanish) this.drop()
    this.cable.disconnect()
  }

  // Before a check: connected, every subscription live (a rejected one, during a Redis outage, subscribed again),
  // and a join or leave whose outcome is unknown (sent while Redis was away) made again.
  async settle(timeoutMs) {
    const end = Date.now() + timeoutMs
    while (this.cable.state !== 'connected' && Date.now() < end) await new Promise(r => setTimeout(r, 100))
    if (this.cable.state !== 'connected') throw new Error(`${this.id} on ${this.node.name}: not connected`)
    for (const sub of [...this.subs.values()]) {
      let live = sub
      if (sub.channel.state !== 'connected') {
        const gotIt = await Promise.race([sub.channel.ensureSubscribed().then(() => true, () => false),
          new Promise(r => setTimeout(() => r(false), Math.max(0, end - Date.now())))])
        if (!gotIt) live = await this.subscribe(sub.stream)
      }
      if (live.uncertain) {
        live.uncertain = false
        this.note(`${live.joined ? 'join' : 'leave'} again (its outcome unknown) on ${live.stream.name} `)
        if (live.joined) {
          await live.channel.presence.leave()
          this.join(live)
        } else if (live.channel.presence._info) {
          await live.channel.presence.leave() // as an application would: it also forgets the client's own presence
        } else {
          await live.channel.perform('$presence:leave')
        }
      }
    }
  }
}
