// Pusher webhooks from jcable, checked with the `pusher` server SDK.
// Usage: node pusher-hooks.mjs drive <host> <port> <app id> <app key> <secret> <channel>
//          joins two users to a presence (or private) channel, sends a client event, both leave
//        node pusher-hooks.mjs validate <posts.json> <app id> <app key> <secret> <channel>
//          validates every received POST ({headers, body}) with webhook().isValid() and prints the channel's events
import PusherJs from 'pusher-js'
import PusherServer from 'pusher'
import { readFileSync } from 'node:fs'
import assert from 'node:assert/strict'
import { run, waitFor } from './steps.mjs'

const [mode, ...args] = process.argv.slice(2)

if (mode === 'validate') {
  const [file, appId, key, secret, channel] = args
  const server = new PusherServer({ appId, key, secret })
  const posts = JSON.parse(readFileSync(file, 'utf8'))
  await run('pusher-hooks', 20000, async ok => {
    const events = []
    for (const post of posts) {
      const hook = server.webhook({ headers: post.headers, rawBody: post.body })
      assert.ok(hook.isValid(), `invalid webhook: ${JSON.stringify(post)}`)
      assert.equal(typeof hook.getTime().getTime(), 'number')
      events.push(...hook.getEvents().filter(e => e.channel === channel))
      const forged = server.webhook({ headers: post.headers, rawBody: post.body.replace('"events"', '"events" ') })
      assert.equal(forged.isValid(), false)
    }
    ok(`webhook().isValid() accepts all ${posts.length} POSTs (and refuses each one altered)`)
    for (const e of events) {
      console.log(`event ${e.name}${e.user_id ? ' ' + e.user_id : ''}${e.event ? ' ' + e.event + ' ' + e.data : ''}`)
    }
  }, () => {})
} else {
  const [host, port, appId, key, secret, channel] = args
  const Pusher = PusherJs.default || PusherJs
  const server = new PusherServer({ appId, key, secret, host, port, useTLS: false })
  const clients = []
  const client = user => {
    const pusher = new Pusher(key, {
      wsHost: host, wsPort: Number(port), forceTLS: false, enabledTransports: ['ws'], cluster: 'jcable',
      channelAuthorization: {
        customHandler: ({ socketId, channelName }, cb) => cb(null, channelName.startsWith('presence-')
          ? server.authorizeChannel(socketId, channelName, user) : server.authorizeChannel(socketId, channelName))
      }
    })
    clients.push(pusher)
    return pusher
  }
  const subscribed = channel => new Promise((resolve, reject) => {
    channel.bind('pusher:subscription_succeeded', resolve)
    channel.bind('pusher:subscription_error', reject)
  })
  await run('pusher-hooks', 20000, async ok => {
    const w1 = client({ user_id: 'w1' })
    const c1 = w1.subscribe(channel)
    await subscribed(c1)
    const removed = []
    c1.bind('pusher:member_removed', m => removed.push(m.id))
    const w2 = client({ user_id: 'w2' })
    const c2 = w2.subscribe(channel)
    await subscribed(c2)
    const heard = []
    c1.bind('client-wave', data => heard.push(data))
    c2.trigger('client-wave', { hi: 1 })
    await waitFor('the client event at w1', () => heard.length === 1)
    w2.unsubscribe(channel)
    if (channel.startsWith('presence-')) {
      await waitFor('w2 removed at w1', () => removed.length === 1)
    }
    w1.unsubscribe(channel)
    ok(`two ${channel.split('-')[0]} subscribers, one sent a client event, both left`)
  }, () => clients.forEach(c => c.disconnect()))
}
