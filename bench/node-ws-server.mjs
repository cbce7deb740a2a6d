// A minimal Node ws broadcast server (the peer runtime of the fan-out and memory benchmarks): WebSocket clients at
// /ws are greeted with {"hello":1}; POST /broadcast sends the body as is to every open client; GET /memory collects
// garbage (when started with --expose-gc) and answers process.memoryUsage() as JSON.
// Usage: node --expose-gc node-ws-server.mjs <port>
import http from 'node:http'
import { WebSocketServer, WebSocket } from 'ws'

const port = Number(process.argv[2] || 0)
const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/memory') {
    if (global.gc) global.gc()
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(process.memoryUsage()))
    return
  }
  if (req.method !== 'POST' || req.url !== '/broadcast') {
    res.writeHead(404).end()
    return
  }
  const chunks = []
  req.on('data', c => chunks.push(c))
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8')
    for (const client of wss.clients) {
      if (client.readyState === WebSocket.OPEN) client.send(body)
    }
    res.writeHead(201).end()
  })
})
const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false })
wss.on('connection', ws => ws.send('{"hello":1}'))
server.listen(port, '127.0.0.1', () => console.log(`listening ${server.address().port}`))
// everything stops by itself: at most 30 minutes
setTimeout(() => process.exit(0), 30 * 60 * 1000).unref()
