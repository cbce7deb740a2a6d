// The demo page: a room's online list (presence) and its messages, on the official @anycable/web client.
// The room is a Java channel (dev.jcable.demo.RoomChannel, see docs/channels.md): the page subscribes to
// RoomChannel with its room, the connection URL says who this is (?uid=…&name=…), the channel joins presence for it
// on the server, and channel.perform('speak', { text }) has the channel broadcast the message from Java.
// Everything other people typed is put into the page with textContent, never as HTML.
import { createCable } from './vendor/anycable.js'

const $ = id => document.getElementById(id)
const ROOM = /^[A-Za-z0-9_-]{1,40}$/
const MAX_TEXT = 500

// One id per browser, kept in localStorage: every tab of this browser joins with it, so that they show as one
// person (the server keeps one presence record per id and stream).
function browserId() {
  let id = localStorage.getItem('jcable-demo-id')
  if (!id) {
    id = crypto.randomUUID()
    localStorage.setItem('jcable-demo-id', id)
  }
  return id
}

const me = { id: browserId(), name: localStorage.getItem('jcable-demo-name') || '' }
let cable = null
let room = null // { name, channel, members: Map<id, info> }

// who this connection is: the demo has no login, the channel takes uid and name from the connection URL
function cableUrl(name) {
  const url = new URL('cable', document.baseURI)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  url.searchParams.set('uid', me.id)
  url.searchParams.set('name', name)
  return url.href
}

function setStatus(state, text) {
  $('status').dataset.state = state
  $('status').textContent = text
}

// ---- online list ------------------------------------------------------------------------------------

function nameOf(info) {
  return info && typeof info.name === 'string' && info.name ? info.name : 'someone'
}

function renderOnline() {
  const list = $('online')
  const people = [...room.members].sort(([, a], [, b]) => nameOf(a).localeCompare(nameOf(b)))
  list.replaceChildren(...people.map(([id, info]) => {
    const item = document.createElement('li')
    item.className = 'person'
    item.dataset.id = id
    const dot = document.createElement('span')
    dot.className = 'dot'
    dot.setAttribute('aria-hidden', 'true')
    const name = document.createElement('span')
    name.className = 'name'
    name.textContent = nameOf(info)
    item.append(dot, name)
    if (id === me.id) {
      const you = document.createElement('span')
      you.className = 'you'
      you.textContent = '(you)'
      item.append(' ', you)
    }
    return item
  }))
  $('online-count').textContent = String(people.length)
}

async function refreshOnline(channel) {
  const state = await channel.presence.info()
  if (!room || room.channel !== channel) return
  room.members = new Map(Object.entries(state || {}))
  renderOnline()
}

// ---- messages ---------------------------------------------------------------------------------------

function addLine(className, parts) {
  const list = $('messages')
  const item = document.createElement('li')
  item.className = className
  item.append(...parts)
  list.append(item)
  while (list.children.length > 200) list.firstElementChild.remove()
  list.scrollTop = list.scrollHeight
}

function span(className, text) {
  const element = document.createElement('span')
  element.className = className
  element.textContent = text
  return element
}

function time(at) {
  const element = document.createElement('time')
  const date = new Date(typeof at === 'number' ? at : Date.now())
  element.dateTime = date.toISOString()
  element.textContent = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
  return element
}

function showMessage(message) {
  if (!message) return
  if (typeof message.presence_ttl_ms === 'number') return showTtl(message.presence_ttl_ms)
  if (typeof message.error === 'string') return void ($('send-error').textContent = message.message || message.error)
  if (typeof message.text !== 'string') return
  addLine('message', [time(message.at), span('author', nameOf(message)), span('text', message.text)])
}

function showTtl(ttl) {
  const seconds = Math.round(ttl / 100) / 10
  $('ttl-hint').textContent = `Someone who closes their last tab leaves ${seconds}\u00a0s later (presence_ttl); `
    + 'a reload within that time keeps them here.'
}

function showPresence(event) {
  if (event.type === 'join') {
    room.members.set(event.id, event.info)
    addLine('event', [time(), span('text', `${nameOf(event.info)} joined`)])
  } else if (event.type === 'leave') {
    const info = room.members.get(event.id)
    room.members.delete(event.id)
    addLine('event', [time(), span('text', `${nameOf(info)} left`)])
  } else {
    return
  }
  renderOnline()
}

// ---- joining and leaving ----------------------------------------------------------------------------

async function join(roomName, name) {
  $('join-error').textContent = ''
  if (cable && me.name !== name) { cable.disconnect(); cable = null } // the name is the connection's
  cable ||= createCable(cableUrl(name), { protocol: 'actioncable-v1-ext-json', logLevel: 'warn' })
  cable.connect().catch(() => {}) // a reload rejoins well within presence_ttl

  me.name = name
  localStorage.setItem('jcable-demo-name', name)
  const url = new URL(location.href)
  url.searchParams.set('room', roomName)
  history.replaceState(null, '', url)

  const channel = cable.subscribeTo('RoomChannel', { room: roomName })
  room = { name: roomName, channel, members: new Map() }

  $('room-name').textContent = roomName
  $('messages').replaceChildren()
  $('join').hidden = true
  $('room-view').hidden = false
  setStatus('connecting', 'Connecting…')
  document.title = `${roomName}: jcable demo`

  channel.on('message', showMessage)
  channel.on('presence', event => { if (room && room.channel === channel) showPresence(event) })
  channel.on('connect', ({ reconnect }) => {
    setStatus('online', 'Online')
    // after a reconnect the client re-joins on its own; take the list afresh (who left meanwhile)
    if (reconnect) refreshOnline(channel).catch(() => {})
  })
  channel.on('disconnect', () => setStatus('offline', 'Reconnecting…'))

  await channel.ensureSubscribed() // RoomChannel joined us to the room's presence on the server
  setStatus('online', 'Online')
  await refreshOnline(channel)
  document.body.dataset.joined = 'true'
  $('text').focus()
}

async function leave() {
  if (!room) return
  const { channel } = room
  room = null
  channel.disconnect() // unsubscribing leaves the room's presence
  const url = new URL(location.href)
  url.searchParams.delete('room')
  history.replaceState(null, '', url)
  delete document.body.dataset.joined
  $('room-view').hidden = true
  $('join').hidden = false
  document.title = "jcable demo: who's online"
  $('room').focus()
}

async function send(text) {
  $('send-error').textContent = ''
  await room.channel.perform('speak', { text }) // a refused text comes back as {error, message}
}

// ---- wiring -----------------------------------------------------------------------------------------

$('name').value = me.name
const wanted = new URL(location.href).searchParams.get('room')
if (wanted && ROOM.test(wanted)) $('room').value = wanted

$('join').addEventListener('submit', event => {
  event.preventDefault()
  const name = $('name').value.trim()
  const roomName = $('room').value.trim()
  if (!name) return void ($('join-error').textContent = 'Please give a name.')
  if (!ROOM.test(roomName)) {
    return void ($('join-error').textContent = 'A room name is 1 to 40 letters, digits, _ or -.')
  }
  join(roomName, name).catch(error => {
    if (room) room.channel.disconnect()
    room = null
    $('join-error').textContent = `Could not join: ${error.message}`
    $('room-view').hidden = true
    $('join').hidden = false
  })
})

$('leave').addEventListener('click', () => { leave() })

$('send').addEventListener('submit', event => {
  event.preventDefault()
  const input = $('text')
  const text = input.value.trim()
  if (!text || !room) return
  input.disabled = true
  send(text)
    .then(() => { input.value = ''; updateCount() })
    .catch(error => { $('send-error').textContent = error.message })
    .finally(() => { input.disabled = false; input.focus() })
})

function updateCount() {
  const length = [...$('text').value].length
  $('text-count').textContent = `${length} / ${MAX_TEXT}`
  $('text-count').classList.toggle('over', length > MAX_TEXT)
}
$('text').addEventListener('input', updateCount)

// back in a room after a reload: join at once, so that the others see no leave and join
if (wanted && ROOM.test(wanted) && me.name) {
  $('join').requestSubmit()
} else {
  $('join').hidden = false
  $('name').focus()
}
