// The viewer player: /watch/{show_id}. Video, pinned product, reactions and chat, all live.
import { applyI18n, errorText, number, t } from '/static/i18n.js';
import { connect, readStore, writeStore } from '/static/live.js';
import { createShop } from '/static/player/checkout.js';
import { createDeal, saleTicker } from '/static/player/deal.js';
import { createGames } from '/static/player/games.js';
import { createTracking } from '/static/player/tracking.js';
import { watchStream } from '/static/stream.js';
import { el, reactionIcon, safeUrl, showIdFromPath, toast } from '/static/ui.js';

const NAME_KEY = 'vitrine.name';
const MAX_FLOATS = 48;
const MAX_MESSAGES = 100;
const $ = (id) => document.getElementById(id);

const app = $('app');
const video = $('video');
const chatList = $('chat-list');
const chatInput = $('chat-input');
const state = {
  showId: showIdFromPath(),
  show: null,
  status: null,
  pinned: null,
  you: null,
  kinds: [],
  own: {}, // reactions we sent that the next `reactions` count already includes
  name: readStore(NAME_KEY),
  pendingText: null,
};

applyI18n();
chatList.dataset.empty = t('chat.empty');

// --- the show ------------------------------------------------------------------------------------

function initial(name) {
  const letter = (name || '').trim().charAt(0);
  return letter ? letter.toUpperCase() : '★';
}

function renderShow() {
  const show = state.show;
  $('show-title').textContent = show.title || '';
  $('host-name').textContent = (show.host && show.host.name) || '';
  $('avatar').textContent = initial(show.host && show.host.name);
  $('poster-avatar').textContent = initial(show.host && show.host.name);
  document.title = show.title ? `${show.title} · ${t('app.name')}` : t('app.name');
  renderViewers(show.viewers);
  renderStatus(show.status);
}

function renderStatus(status) {
  state.status = status;
  app.dataset.status = status;
  const badge = $('status');
  badge.hidden = false;
  badge.textContent = t(`status.${status}`);
  badge.className = `badge ${status === 'live' ? 'badge-live' : status === 'ended' ? 'badge-ended' : ''}`;
  if (status === 'live') stream.play(state.show && state.show.stream_url);
  else stream.stop();
  renderPoster();
  chatInput.disabled = status === 'ended';
}

/** What the stage says while no video plays: the show's status, or, live, the stream's true state. */
function renderPoster() {
  if (app.dataset.conn === 'gone') return; // "this show does not exist" stays
  const unavailable = stream.state === 'unavailable' || stream.state === 'none';
  const text = state.status === 'live' ? (unavailable ? 'stage.unavailable' : 'stage.starting')
    : { scheduled: 'stage.scheduled', ended: 'stage.ended' }[state.status];
  $('poster-text').textContent = t(text || 'stage.starting');
}

function renderViewers(count) {
  $('viewer-count').textContent = number(count || 0, { compact: true });
}

// --- video ---------------------------------------------------------------------------------------

// A stream that fails (404, unreachable, unplayable, stalled) says so and is tried again; the rest of the
// page (pins, buying, chat) goes on meanwhile.
const stream = watchStream(video, {
  onState: (now) => {
    app.classList.toggle('playing', now === 'playing');
    app.dataset.stream = now;
    renderPoster();
  },
});

function renderSound() {
  $('sound').textContent = t(video.muted ? 'sound.on' : 'sound.off');
}

$('sound').addEventListener('click', () => {
  video.muted = !video.muted;
  renderSound();
});

// --- the pinned product --------------------------------------------------------------------------

function renderPinned() {
  const product = state.pinned;
  $('card').hidden = !product;
  $('sheet-empty').hidden = Boolean(product) || state.status === 'ended';
  app.classList.toggle('has-product', Boolean(product));
  shop.setProduct(product);
  if (!product) return;
  const image = $('card-image');
  const src = safeUrl((product.images || [])[0]);
  image.hidden = !src;
  if (src) image.src = src;
  image.alt = t('product.image', { title: product.title || '' });
  $('card-brand').textContent = product.brand || '';
  $('pinned-title').textContent = product.title || '';
  const card = $('card');
  card.classList.remove('pop');
  void card.offsetWidth; // restart the entrance animation
  card.classList.add('pop');
}

// --- chat ----------------------------------------------------------------------------------------

function messageNode(message) {
  const mine = state.you && message.viewer_id === state.you.viewer_id;
  return el('li', { class: `msg${mine ? ' mine' : ''}`, dataset: { id: message.id } },
    el('span', { class: 'msg-author', text: message.author || '' }),
    el('span', { class: 'msg-text', text: message.text || '' }));
}

function nearBottom() {
  return chatList.scrollHeight - chatList.scrollTop - chatList.clientHeight < 48;
}

function scrollChat() {
  chatList.scrollTop = chatList.scrollHeight;
}

function renderChat(messages) {
  chatList.replaceChildren(...messages.slice(-MAX_MESSAGES).map(messageNode));
  scrollChat();
}

function addMessage(message) {
  if (!message || !message.id || chatList.querySelector(`[data-id="${CSS.escape(message.id)}"]`)) return;
  if (state.you && message.viewer_id === state.you.viewer_id) lastChat = null; // ours went through
  const stick = nearBottom();
  chatList.append(messageNode(message));
  while (chatList.children.length > MAX_MESSAGES) chatList.firstElementChild.remove();
  if (stick || (state.you && message.viewer_id === state.you.viewer_id)) scrollChat();
}

function removeMessage(id) {
  const node = id && chatList.querySelector(`[data-id="${CSS.escape(id)}"]`);
  if (node) node.remove();
}

// The answers that refuse a chat message: its text goes back in the field, to be fixed or sent later; those
// about the name also ask for it again.
const NAME_REFUSALS = ['name_required', 'invalid_name', 'name_too_long'];
const CHAT_REFUSALS = [...NAME_REFUSALS, 'muted', 'blocked_word', 'rate_limited', 'show_ended', 'invalid_text',
  'text_too_long'];
let lastChat = null; // {text, at}: the message sent last, until its answer could come back

function sendChat(text) {
  if (live.send({ type: 'chat', text, name: state.name })) {
    chatInput.value = '';
    lastChat = { text, at: Date.now() };
    return true;
  }
  toast(t('chat.offline'), 'error');
  return false;
}

function askName() {
  $('name-sheet').hidden = false;
  const input = $('chat-name');
  input.value = state.name || '';
  input.focus();
}

function closeName() {
  $('name-sheet').hidden = true;
}

$('chat-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = chatInput.value.trim();
  if (!text) return;
  if (!state.name) {
    state.pendingText = text;
    askName();
    return;
  }
  sendChat(text);
});

$('name-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const name = $('chat-name').value.trim();
  if (!name) return;
  state.name = name;
  writeStore(NAME_KEY, name);
  closeName();
  const pending = state.pendingText;
  state.pendingText = null;
  if (pending) sendChat(pending);
  chatInput.focus();
});

$('name-cancel').addEventListener('click', () => {
  state.pendingText = null;
  closeName();
});

$('name-sheet').addEventListener('keydown', (event) => {
  if (event.key === 'Escape') closeName();
});

// --- reactions -----------------------------------------------------------------------------------

function buildRail(kinds) {
  if (kinds.join() === state.kinds.join()) return;
  state.kinds = kinds;
  $('rail').replaceChildren(...kinds.map((kind) => el('button', {
    type: 'button',
    class: 'react',
    'data-testid': `react-${kind}`,
    'aria-label': t('react.label', { kind: t(`react.${kind}`) }),
    title: t(`react.${kind}`),
    onclick: (event) => react(kind, event.currentTarget),
  }, reactionIcon(kind, 'react-icon'))));
}

function react(kind, button) {
  if (!live.send({ type: 'react', kind })) return;
  state.own[kind] = (state.own[kind] || 0) + 1;
  button.classList.remove('bump');
  void button.offsetWidth;
  button.classList.add('bump');
  const box = button.getBoundingClientRect();
  float(kind, box.left + box.width / 2, box.top);
}

function float(kind, x, y) {
  const layer = $('floats');
  if (layer.childElementCount >= MAX_FLOATS) return;
  const node = reactionIcon(kind, 'float');
  node.style.left = `${Math.round(x)}px`;
  node.style.top = `${Math.round(y)}px`;
  node.style.setProperty('--drift', `${Math.round((Math.random() * 2 - 1) * 46)}px`);
  node.style.setProperty('--rise', `${Math.round(200 + Math.random() * 160)}px`);
  node.style.setProperty('--dur', `${(1.6 + Math.random() * 0.9).toFixed(2)}s`);
  node.style.setProperty('--size', `${Math.round(22 + Math.random() * 12)}px`);
  node.addEventListener('animationend', () => node.remove());
  layer.append(node);
}

function showReactions(counts) {
  const rail = $('rail').getBoundingClientRect();
  for (const [kind, count] of Object.entries(counts || {})) {
    const mine = state.own[kind] || 0;
    state.own[kind] = Math.max(0, mine - count);
    const others = Math.min(8, Math.max(0, count - mine));
    for (let i = 0; i < others; i += 1) {
      setTimeout(() => float(kind, rail.left + rail.width / 2 + (Math.random() * 2 - 1) * 14,
        rail.top + Math.random() * 30), i * 120 + Math.random() * 80);
    }
  }
}

// --- the live channel ----------------------------------------------------------------------------

function onSnapshot(data, meta = {}) {
  state.show = data;
  state.you = data.you || null;
  state.pinned = data.pinned || null;
  buildRail(Array.isArray(data.reactions) ? data.reactions : []);
  renderShow();
  deal.setClock(meta.ts);
  shop.setStock(data.stock);
  shop.setShow({ status: data.status, buyerLimit: data.buyer_limit });
  renderPinned();
  deal.set(data.deal || null);
  renderChat(Array.isArray(data.chat) ? data.chat : []);
  games.snapshot(data, meta);
}

const HANDLERS = {
  'show.started': () => {
    renderStatus('live');
    shop.setShow({ status: 'live' });
  },
  'show.ended': () => {
    state.pinned = null;
    renderStatus('ended');
    shop.setShow({ status: 'ended' });
    deal.set(null);
    renderPinned();
  },
  'product.pinned': (data) => {
    state.pinned = data.product || null;
    renderPinned();
  },
  'product.unpinned': () => {
    state.pinned = null;
    renderPinned();
  },
  reactions: (data) => showReactions(data.counts),
  viewers: (data) => renderViewers(data.count),
  'chat.message': addMessage,
  'chat.deleted': (data) => removeMessage(data.id),
  stock: (data) => shop.stock(data),
  sale: (data) => {
    deal.sale(data);
    saleTicker(data);
  },
  'deal.started': (data) => deal.set(data.deal),
  'deal.ended': (data) => deal.ended(data),
  'order.placed': (data) => shop.placed(data),
};

function onEvent(frame) {
  const handler = HANDLERS[frame.type];
  if (handler) handler(frame.data);
  else games.event(frame); // poll.*, quiz.*, giveaway.*: the games tray's, by the type's prefix
}

function onError(error) {
  if (error.code === 'show_not_found') return; // the socket closes with 4404 next: the poster says it
  if (games.error(error)) return; // the answer to a game's frame (its key is the game's id): shown on its card
  if (shop.error(error)) return; // the answer to a purchase: shown by the Buy button or in the form
  toast(errorText(error), 'error');
  if (lastChat && CHAT_REFUSALS.includes(error.code) && Date.now() - lastChat.at < 15000) {
    if (!chatInput.value) chatInput.value = lastChat.text; // unless a new one is being typed
    lastChat = null;
  }
  if (NAME_REFUSALS.includes(error.code)) {
    state.name = null;
    writeStore(NAME_KEY, null);
    askName();
  }
}

function onStatus(status) {
  const conn = $('conn');
  app.dataset.conn = status;
  conn.hidden = status === 'live' || status === 'gone';
  conn.dataset.state = status;
  conn.textContent = t(`conn.${status}`);
  shop.connection(status);
  if (status === 'gone') {
    stream.stop();
    $('poster-text').textContent = t('stage.gone');
  }
}

renderSound();
const deal = createDeal({ onChange: () => shop.render() });
const tracking = createTracking({ showId: state.showId, mount: $('sheet') });
const shop = createShop({ live: { send: (frame) => live.send(frame) }, deal, showId: state.showId,
  onOrder: tracking.follow });
const games = createGames({ mount: $('games'), send: (frame) => live.send(frame), showId: state.showId });
const live = state.showId
  ? connect({ showId: state.showId, onSnapshot, onEvent, onError, onStatus })
  : { send: () => false };
if (!state.showId) onStatus('gone');
