// Server-sent events in headless Chromium: the browser's own EventSource on /events (same origin as the page).
// Usage: node sse-browser.mjs <http base url> <broadcast key> <chromium executable>
// Prints one "ok - …" line per step; exits non-zero on the first failed step.
import { chromium } from 'playwright-core'
import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import { run } from './steps.mjs'

const [base, broadcastKey, chromiumPath] = process.argv.slice(2)
const stream = `sse-browser-${crypto.randomBytes(4).toString('hex')}`
const TIMEOUT_MS = 15000

async function broadcast(data) {
  const response = await fetch(new URL('_broadcast', base), { method: 'POST',
    headers: { Authorization: `Bearer ${broadcastKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ stream, data: JSON.stringify(data) }) })
  assert.ok(response.ok, `broadcast: ${response.status}`)
}

const browser = await chromium.launch({
  executablePath: chromiumPath || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    // the cross-origin steps' page is made up in the browser, at no address: Local Network Access would refuse it any
    // request to the server on loopback before CORS is even asked (a public page reading a public server is not)
    '--disable-features=LocalNetworkAccessChecks']
})

await run('sse-browser', 90000, async ok => {
  const page = await browser.newPage()
  await page.goto(new URL('api/health', base).toString()) // any page of the origin: EventSource stays same-origin
  await page.evaluate(name => {
    window.seen = []
    const source = new EventSource(`/events?stream=${encodeURIComponent(name)}`)
    window.source = source
    const record = type => event => window.seen.push({ type, data: event.data, id: event.lastEventId })
    source.onmessage = record('message')
    for (const type of ['welcome', 'confirm_subscription']) source.addEventListener(type, record(type))
  }, stream)
  await page.waitForFunction(() => window.seen.length >= 2, null, { timeout: TIMEOUT_MS })
  assert.deepEqual(await page.evaluate(() => window.seen.map(e => e.type)), ['welcome', 'confirm_subscription'])
  assert.equal(await page.evaluate(() => window.source.readyState), 1)
  ok('EventSource opens: welcome, then confirm_subscription')

  await broadcast({ text: 'hi' })
  await page.waitForFunction(() => window.seen.some(e => e.type === 'message'), null, { timeout: TIMEOUT_MS })
  const message = await page.evaluate(() => window.seen.find(e => e.type === 'message'))
  assert.deepEqual(JSON.parse(message.data), { text: 'hi' })
  assert.match(message.id, new RegExp(`^1/${stream}/[^/]+$`))
  ok(`onmessage gets the broadcast with lastEventId ${message.id}`)

  const refused = await page.evaluate(() => new Promise(resolve => {
    const source = new EventSource('/events?signed_stream=forged--0000')
    source.onerror = () => resolve(source.readyState)
  }))
  assert.equal(refused, 2, 'a 401 closes the EventSource for good (CLOSED), no reconnect')
  ok('a refused subscription (401) fails the EventSource: CLOSED, not reconnecting')
  await page.evaluate(() => window.source.close())

  // another origin (SseIT lists allowed.localhost in allowed_origins): its page is made up in the browser (route), so
  // that the EventSource is cross-origin (Origin: http://allowed.localhost) to the server under test
  const crossOrigin = async origin => {
    const other = await browser.newPage()
    await other.route(`${origin}/**`, route => route.fulfill({ status: 200, contentType: 'text/html',
      body: '<!doctype html><title>another origin</title>' }))
    await other.goto(`${origin}/`)
    const result = await other.evaluate(url => new Promise(resolve => {
      const source = new EventSource(url)
      const seen = []
      source.addEventListener('welcome', () => seen.push('welcome'))
      source.addEventListener('confirm_subscription', () => {
        seen.push('confirm_subscription')
        source.close()
        resolve({ seen, state: source.readyState })
      })
      source.onerror = () => {
        const state = source.readyState
        source.close()
        resolve({ seen, state })
      }
    }), new URL(`events?stream=${encodeURIComponent(stream)}`, base).toString())
    await other.close()
    return result
  }
  const allowed = await crossOrigin('http://allowed.localhost')
  assert.deepEqual(allowed, { seen: ['welcome', 'confirm_subscription'], state: 2 })
  ok('a page of an origin allowed_origins lists reads the stream cross-origin (CORS)')
  const evil = await crossOrigin('http://evil.localhost')
  assert.deepEqual(evil, { seen: [], state: 2 }, 'refused (403): the EventSource fails for good, nothing seen')
  ok('a page of another origin is refused: its EventSource fails (CLOSED) and sees nothing')
  await browser.close()
}, () => { browser.close() })
