// The store's big screen: /stores/{id}/screen. Plays the show the store follows and shows its pinned
// product with a large code to buy it (the store's own item for that product, else the show); the code
// follows the host's pins live. While a game runs in the show (a poll, a quiz, a giveaway), the game takes the
// stage and the code opens it on a shopper's phone (static/store/screen-games.js). Without a show: a calm
// screen with the store's name.
import { api } from '/static/api.js';
import { applyI18n, money, number, plural, t } from '/static/i18n.js';
import { connect } from '/static/live.js';
import { safeUrl } from '/static/ui.js';
import { createScreenGames, isGameFrame } from '/static/store/screen-games.js';
import { watchStream } from '/static/stream.js';
import { HOME_COUNTRY, idFromPath, promiseFor } from '/static/store/common.js';

const RETRY_MS = 5000;
const STORE_EVERY_MS = 60000; // the store's show or shelves may change during the day
const $ = (id) => document.getElementById(id);
const app = $('app');
const video = $('video');

const storeId = idFromPath();
const s = { store: null, show: null, status: null, pinned: null, live: null, showId: null, soldTimer: null };

const HOME_PROMISE = promiseFor(HOME_COUNTRY); // the same business days as the phone's checkout says for it

const games = createScreenGames({
  root: $('game'),
  productOf: (id) => ((s.show && s.show.products) || []).find((p) => p.id === id) || null,
  onChange: () => render(),
});

applyI18n();
$('idle-text').textContent = t('store.screen.idle', HOME_PROMISE);

// --- the store -----------------------------------------------------------------------------------

async function loadStore() {
  let store;
  try {
    store = await api('GET', `/api/stores/${encodeURIComponent(storeId)}`);
  } catch (err) {
    if (!s.store) {
      if (err.status === 404) {
        problem(t('store.err.store_not_found'));
        return;
      }
      setTimeout(loadStore, RETRY_MS); // a screen waits for its server, it does not give up
    }
    return;
  }
  $('problem').hidden = true;
  s.store = store;
  $('store-name').textContent = store.name || '';
  $('idle-name').textContent = store.name || '';
  $('idle-address').textContent = store.address || '';
  $('store-address').textContent = store.address || '';
  document.title = `${store.name || ''} · ${t('store.screen.title')}`;
  follow(store.show_id || null);
  render();
}

function problem(text) {
  $('problem-text').textContent = text;
  $('problem').hidden = false;
  app.dataset.state = 'problem';
}

/** Connects to the store's show (or leaves it), once per show. */
function follow(showId) {
  if (showId === s.showId) return;
  if (s.live) s.live.close();
  s.live = null;
  s.showId = showId;
  s.show = null;
  s.status = null;
  s.pinned = null;
  games.clear();
  stopStream();
  if (showId) s.live = connect({ showId, role: 'screen', onSnapshot, onEvent, onStatus });
}

/** The store's item for a product, when it has one: then the code leads straight to its checkout. */
const itemFor = (productId) => ((s.store && s.store.items) || []).find((i) => i.product_id === productId) || null;

// --- drawing -------------------------------------------------------------------------------------

function render() {
  if (!s.store) return;
  // an ended (or deleted) show leaves the calm screen, as no show does
  const hasShow = Boolean(s.showId) && s.status !== 'gone' && s.status !== 'ended';
  app.dataset.state = hasShow ? 'show' : 'idle';
  $('idle').hidden = hasShow;
  const game = hasShow ? games.shown() : null;
  const pinned = hasShow && s.status === 'live' && !game ? s.pinned : null;
  app.dataset.pinned = String(Boolean(pinned));
  app.dataset.game = game ? game.kind : '';
  renderStage();
  renderPinned(pinned);
  renderCode(hasShow, pinned, game);
}

function renderStage() {
  const show = s.show;
  $('show-title').textContent = (show && show.title) || '';
  $('show-host').textContent = (show && show.host && show.host.name) || '';
  const status = s.status;
  const badge = $('status');
  const label = { live: 'store.screen.live', scheduled: 'store.screen.soon', ended: 'store.screen.ended' }[status];
  badge.hidden = !label;
  if (label) badge.textContent = t(label);
  badge.className = `badge ${status === 'live' ? 'badge-live' : status === 'ended' ? 'badge-ended' : ''}`;
  const poster = {
    live: 'store.screen.starting', scheduled: 'store.screen.waiting', ended: 'store.screen.over',
    gone: 'store.screen.gone',
  }[status];
  $('poster-text').textContent = poster ? t(poster) : '';
  $('viewers').hidden = status !== 'live';
  if (status === 'live') playStream(show && show.stream_url);
  else stopStream();
}

function renderPinned(product) {
  $('pinned').hidden = !product;
  if (!product) return;
  const src = safeUrl((product.images || [])[0]);
  const image = $('pinned-image');
  image.hidden = !src;
  if (src && image.getAttribute('src') !== src) image.src = src;
  $('pinned-brand').textContent = product.brand || '';
  $('pinned-title').textContent = product.title || '';
  $('pinned-price').textContent = money(product.price);
}

/** The big code: the shown game (it opens that game on the phone), else the pinned product, else the show. */
function renderCode(hasShow, pinned, game) {
  $('qr-block').hidden = !hasShow;
  if (!hasShow) return;
  let query = '';
  if (game) query = `?game_id=${encodeURIComponent(game.id)}`;
  else if (pinned) query = `?product_id=${encodeURIComponent(pinned.id)}`;
  const src = `/api/stores/${encodeURIComponent(storeId)}/screen-qr.svg${query}`;
  const qr = $('qr');
  if (qr.getAttribute('src') !== src) qr.src = src;
  qr.alt = (game && t(`store.screen.game.${game.kind}`)) || (pinned ? pinned.title || '' : (s.show && s.show.title) || '');
  let caption = 'store.screen.scan_show';
  if (game) caption = game.status === 'running' ? `store.screen.game.scan_${game.kind}` : 'store.screen.game.scan_next';
  else if (pinned) caption = itemFor(pinned.id) ? 'store.screen.scan_buy' : 'store.screen.scan_show_buy';
  $('qr-caption').textContent = t(caption, HOME_PROMISE);
}

// --- video ---------------------------------------------------------------------------------------
// The player's stream watcher (static/stream.js): a stream that fails or stalls says so on the poster and
// is tried again with backoff, while the code and the pinned product keep selling.

const POSTER_FOR_STREAM = {
  starting: 'store.screen.starting', unavailable: 'store.screen.unavailable', none: 'store.screen.unavailable',
};

const stream = watchStream(video, {
  onState(state) {
    app.classList.toggle('playing', state === 'playing');
    app.dataset.stream = state;
    if (s.status === 'live' && POSTER_FOR_STREAM[state]) $('poster-text').textContent = t(POSTER_FOR_STREAM[state]);
  },
});

function playStream(url) {
  stream.play(url);
  const poster = POSTER_FOR_STREAM[stream.state];
  if (poster) $('poster-text').textContent = t(poster);
}

function stopStream() {
  stream.stop();
}

// --- the live channel ----------------------------------------------------------------------------

function onSnapshot(data, meta = {}) {
  s.show = data;
  s.status = data.status || null;
  s.pinned = data.pinned || null;
  $('viewer-count').textContent = number(data.viewers || 0, { compact: true });
  games.snapshot(data, meta.ts); // renders through onChange when the shown game changes
  render();
}

function soldFlash(data) {
  if (!s.pinned || data.product_id !== s.pinned.id) return;
  const n = Number(data.quantity) || 1;
  $('sold').textContent = plural('store.screen.sold', n);
  $('sold').hidden = false;
  clearTimeout(s.soldTimer);
  s.soldTimer = setTimeout(() => { $('sold').hidden = true; }, 4000);
}

const HANDLERS = {
  'product.pinned': (data) => { s.pinned = data.product || null; },
  'product.unpinned': () => { s.pinned = null; },
  'show.started': () => { s.status = 'live'; },
  'show.ended': () => {
    s.status = 'ended';
    s.pinned = null;
  },
  viewers: (data) => { $('viewer-count').textContent = number(data.count || 0, { compact: true }); },
  sale: soldFlash,
};

function onEvent(frame) {
  if (isGameFrame(frame.type)) return games.event(frame); // the game redraws itself, and the code if it changed
  const handler = HANDLERS[frame.type];
  if (!handler) return;
  handler(frame.data);
  if (frame.type !== 'viewers' && frame.type !== 'sale') render();
}

function onStatus(status) {
  const conn = $('conn');
  conn.hidden = status === 'live' || status === 'connecting' || status === 'gone' || status === 'closed';
  conn.textContent = t('store.screen.reconnecting');
  if (status === 'gone') {
    s.status = 'gone';
    render();
  }
}

// --- a screen that stays on ----------------------------------------------------------------------

let cursorTimer = null;
document.addEventListener('pointermove', () => {
  document.body.classList.remove('no-cursor');
  clearTimeout(cursorTimer);
  cursorTimer = setTimeout(() => document.body.classList.add('no-cursor'), 3000);
});

async function keepAwake() {
  try {
    if ('wakeLock' in navigator && document.visibilityState === 'visible') await navigator.wakeLock.request('screen');
  } catch { /* not allowed here (plain http, or a browser without it): the screen's own settings decide */ }
}

document.addEventListener('visibilitychange', keepAwake);
keepAwake();

if (storeId) {
  loadStore();
  setInterval(loadStore, STORE_EVERY_MS);
} else {
  problem(t('store.err.store_not_found'));
}
