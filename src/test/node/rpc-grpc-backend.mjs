// An AnyCable gRPC backend for RpcGrpcIT, on @grpc/grpc-js and @grpc/proto-loader with AnyCable's rpc.proto
// (anycable-rpc.proto). Its channel, LobbyChannel, joins presence from the server as a Rails channel's join_presence
// does; SlowChannel answers after the number of milliseconds its params name. Prints "listening <port>", then a line
// per call: "rpc <Method> <sid> <command> <identifier>", and "inflight <n>" whenever the calls in progress change.
import grpc from '@grpc/grpc-js'
import protoLoader from '@grpc/proto-loader'

const definition = protoLoader.loadSync('anycable-rpc.proto', { keepCase: true, enums: Number, defaults: true })
const anycable = grpc.loadPackageDefinition(definition).anycable
let inflight = 0
// RPC_BENCH=1 (RpcBench): no lines per call; the time each call took in here is kept, and printed on SIGTERM
const bench = process.env.RPC_BENCH === '1'
const took = []
process.on('SIGTERM', () => {
  if (bench) console.log(`backend ${JSON.stringify(took)}`)
  process.exit(0)
})
const log = bench ? () => {} : line => console.log(line)

function track(handler) {
  return async (call, callback) => {
    const started = process.hrtime.bigint()
    log(`inflight ${++inflight}`)
    try {
      const answer = await handler(call.request, call.metadata.get('sid')[0])
      if (bench) took.push(Number(process.hrtime.bigint() - started) / 1000)
      callback(null, answer)
    } catch (e) {
      callback(e)
    } finally {
      log(`inflight ${--inflight}`)
    }
  }
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

const server = new grpc.Server()
server.addService(anycable.RPC.service, {
  Connect: track(async (request, sid) => {
    const user = new URL(request.env.url).searchParams.get('user')
    log(`rpc Connect ${sid} - ${request.env.url}`)
    if (!user) {
      return { status: 2, transmissions: ['{"type":"disconnect","reason":"unauthorized"}'], error_msg: 'no user' }
    }
    return { status: 1, identifiers: JSON.stringify({ user }),
      transmissions: [JSON.stringify({ type: 'welcome', sid })], env: { cstate: { user } } }
  }),
  Command: track(async (request, sid) => {
    const { channel, ...params } = JSON.parse(request.identifier)
    const user = JSON.parse(request.connection_identifiers).user
    log(`rpc Command ${sid} ${request.command} ${request.identifier} ${JSON.stringify(request.env.istate)}`)
    const to = message => JSON.stringify({ identifier: request.identifier, message })
    const typed = type => JSON.stringify({ identifier: request.identifier, type })
    if (channel === 'SlowChannel') {
      await sleep(Number(params.ms))
      return { status: 1, streams: [`slow:${params.ms}`], transmissions: [typed('confirm_subscription')] }
    }
    if (request.command === 'subscribe') {
      if (params.room === 'closed') return { status: 2, transmissions: [typed('reject_subscription')] }
      return {
        status: 1,
        streams: [`room:${params.room}`],
        transmissions: [typed('confirm_subscription'), to({ hello: user })],
        env: { istate: { joined: user } },
        presence: { type: 'join', id: user, info: JSON.stringify({ name: user.toUpperCase() }) }
      }
    }
    if (request.command === 'message') {
      const data = JSON.parse(request.data)
      if (data.action === 'leave') return { status: 1, presence: { type: 'leave', id: user }, transmissions: [to({ left: request.env.istate.joined })] }
      return { status: 1, transmissions: [to({ echo: data.text })] }
    }
    return { status: 1 }
  }),
  Disconnect: track(async (request, sid) => {
    log(`rpc Disconnect ${sid} ${request.identifiers} ${JSON.stringify(request.subscriptions)}`)
    return { status: 1 }
  })
})
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error
  console.log(`listening ${port}`)
})
