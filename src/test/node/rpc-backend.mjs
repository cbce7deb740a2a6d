// An AnyCable RPC-over-HTTP backend on @anycable/serverless-js (AnyCable's own library), for RpcIT.
// serverless-js 0.1.0 ships an ESM build whose imports name directories without extensions, which plain Node cannot
// load: it is bundled with esbuild first. Usage: node rpc-backend.mjs <secret>. Prints "listening <port>", then one
// line per RPC call it answered: "rpc <method> <sid> <json of the request body>".
import { build } from 'esbuild';
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const secret = process.argv[2] || '';
const out = join(mkdtempSync(join(tmpdir(), 'jcable-serverless-')), 'serverless.mjs');
await build({ entryPoints: ['node_modules/@anycable/serverless-js/dist/index.js'], bundle: true,
  platform: 'node', format: 'esm', outfile: out, logLevel: 'error' });
const { Application, Channel, handler } = await import(pathToFileURL(out).href);

class CableApplication extends Application {
  async connect(handle) {
    const user = new URL(handle.env.url).searchParams.get('user');
    if (!user) {
      handle.reject();
      return;
    }
    handle.identifiedBy({ user });
    handle.env.cstate = { ...(handle.env.cstate || {}), since: 'connect' };
  }
}

class ChatChannel extends Channel {
  async subscribed(handle, params) {
    if (!params || !params.room || params.room === 'closed') {
      handle.reject();
      return;
    }
    handle.state = { count: 0 };
    handle.streamFrom(`chat:${params.room}`);
    handle.transmit({ hello: handle.identifiers.user, room: params.room });
  }

  async echo(handle, params, data) {
    handle.state = { count: (handle.state?.count || 0) + 1 };
    handle.transmit({ echo: data.text, count: handle.state.count, user: handle.identifiers.user });
  }

  async follow(handle, params, data) {
    handle.streamFrom(`chat:${data.room}`);
    handle.transmit({ following: data.room });
  }

  async quiet(handle, params) {
    handle.stopStreamFrom(`chat:${params.room}`);
    handle.transmit({ stopped: params.room });
  }

  async slow(handle, params, data) {
    await new Promise((resolve) => setTimeout(resolve, data.ms));
    handle.transmit({ slept: data.ms });
  }
}

const app = new CableApplication();
app.registerChannel('ChatChannel', new ChatChannel());

// RPC_BENCH=1 (RpcBench): no line per call; the time each call took in here is kept, and printed on SIGTERM
const bench = process.env.RPC_BENCH === '1'
const took = []
process.on('SIGTERM', () => {
  if (bench) console.log(`backend ${JSON.stringify(took)}`)
  process.exit(0)
})

const server = http.createServer(async (req, res) => {
  const started = process.hrtime.bigint()
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks).toString('utf8');
  if (secret && req.headers.authorization !== `Bearer ${secret}`) {
    res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
    console.log(`rejected ${req.url} ${req.headers.authorization || '-'}`);
    return;
  }
  const request = new Request(`http://localhost${req.url}`, { method: 'POST', headers: req.headers, body });
  const sid = req.headers['x-anycable-meta-sid'];
  try {
    const answer = await handler(request, app);
    if (bench) took.push(Number(process.hrtime.bigint() - started) / 1000);
    else console.log(`rpc ${req.url.split('/').pop()} ${sid} ${body}`);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  } catch (e) {
    console.log(`error ${req.url} ${e.message}`);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 0, error_msg: e.message }));
  }
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
