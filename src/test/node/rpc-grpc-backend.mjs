// An AnyCable gRPC backend for RpcGrpcIT, on @grpc/grpc-js and @grpc/proto-loader with AnyCable's rpc.proto
// (anycable-rpc.proto). Its channel, RoomChannel, joins presence from the server as a Rails channel's join_presence
// does; SlowChannel answers after the number of milliseconds its params name. Prints "listening <port>", then a line
// per call: "rpc <Method> <sid> <command> <identifier>", and "inflight <n>" whenever the calls in progress change.
import grpc from '@grpc/grpc-js'
import protoLoader from '@grpc/proto-loader'

const definition = protoLoader.loadSync('anycable-rpc.proto', { keepCase: true, enums: Number, defaults: true })
const anycable = grpc.loadPackageDefinition(definition).anycable
let inflight = 0

function track(handler) {
  return async (call, callback) => {
    console.log(`inflight ${++inflight}`)
    try {
      callback(null, await handler(call.request, call.metadata.get('sid')[0]))
    } catch (e) {
      callback(e)
    } finally {
      console.log(`inflight ${--inflight}`)
    }
  }
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

const server = new grpc.Server()
server.addService(anycable.RPC.service, {
  Connect: track(async (request, sid) => {
    const user = new URL(request.env.url).searchParams.get('user')
    console.log(`rpc Connect ${sid} - ${request.env.url}`)
    if (!user) {
      return { status: 2, transmissions: ['{"type":"disconnect","reason":"unauthorized"}'], error_msg: 'no user' }
    }
    return { status: 1, identifiers: JSON.stringify({ user }),
      transmissions: [JSON.stringify({ type: 'welcome', sid })], env: { cstate: { user } } }
  }),
  Command: track(async (request, sid) => {
    const { channel, ...params } = JSON.parse(request.identifier)
    const user = JSON.parse(request.connection_identifiers).user
    console.log(`rpc Command ${sid} ${request.command} ${request.identifier} ${JSON.stringify(request.env.istate)}`)
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
    console.log(`rpc Disconnect ${sid} ${request.identifiers} ${JSON.stringify(request.subscriptions)}`)
    return { status: 1 }
  })
})
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error
  console.log(`listening ${port}`)
})
