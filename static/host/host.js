// The host control page: /host/{show_id}. Sign in, start and end, pin, live figures, games, chat moderation.
import { ApiError, api as request } from '/static/api.js';
import { applyI18n, errorText, money, number, plural, t } from '/static/i18n.js';
import { connect } from '/static/live.js';
import { SESSION_KEY, readSession, writeSession } from '/static/session.js';
import { createGames } from '/static/host/games.js';
import { createSelling } from '/static/host/selling.js';
import { watchStream } from '/static/stream.js';
import { el, reactionIcon, safeUrl, showIdFromPath, toast } from '/static/ui.js';

const MAX_MESSAGES = 200;
const $ = (id) => document.getElementById(id);
const showId = showIdFromPath();
const base = `/api/shows/${encodeURIComponent(showId)}`;

const kept = readSession();
const state = {
  token: kept ? kept.token : null,
  role: kept ? kept.role : null,
  show: null,
  pinned: null,
  stock: {},
  kinds: ['heart', 'fire', 'clap', 'laugh', 'wow'],
  totals: {},
  muted: new Set(),
  you: null,
  live: null,
  ending: null,
  gone: false, // the show does not exist: the page says so and offers nothing else
};

applyI18n();
$('open-player').href = `/watch/${encodeURIComponent(showId)}`;
$('seller-watch').href = `/watch/${encodeURIComponent(showId)}`;
$('seller-switch').addEventListener('click', () => signOut(null, { forget: true }));
$('chat-list').dataset.empty = t('chat.empty');

// --- HTTP ----------------------------------------------------------------------------------------

/**
 * The page's calls: `api(method, path, body)` with the host's token; a 401 while signed in signs out
 * (it throws ApiError all the same). No time limit: a call waits as long as the browser does.
 */
async function api(method, path, body) {
  try {
    return await request(method, path, { body, token: state.token, timeoutMs: 0 });
  } catch (err) {
    if (err.status === 401 && state.token) signOut(errorText(err.error));
    throw err;
  }
}

/** Runs an action from a button: the button waits, a refusal is shown as a toast. */
async function act(button, action) {
  if (button) button.disabled = true;
  try {
    return await action();
  } catch (err) {
    if (err instanceof ApiError) {
      if (err.status !== 401) toast(errorText(err.error), 'error', 5000);
    } else {
      console.error(err);
      toast(t('err.generic'), 'error');
    }
    return undefined;
  } finally {
    if (button && button.isConnected) button.disabled = false;
    renderControls();
    renderProducts();
  }
}

const selling = createSelling({ api, act, base });
const games = createGames({ mount: $('games'), showId, request: api });

// The show's stream, muted, with its state: what the viewers' players get (playing, starting, unavailable).
const preview = watchStream($('preview'), {
  onState: (now) => {
    const line = $('stream-state');
    line.dataset.state = now;
    line.hidden = now === 'stopped';
    line.textContent = now === 'stopped' ? '' : t(`stream.${now}`);
  },
});

// --- sign in and out -----------------------------------------------------------------------------

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const error = $('login-error');
  error.hidden = true;
  const email = $('login-email').value.trim();
  const password = $('login-password').value;
  const button = event.submitter || $('login-form').querySelector('button');
  button.disabled = true;
  try {
    const data = await api('POST', '/api/auth/token', { email, password });
    const session = writeSession(data);
    state.token = session.token;
    state.role = session.role;
    $('login-password').value = '';
    openStudio();
  } catch (err) {
    error.textContent = err instanceof ApiError ? errorText(err.error) : t('err.generic');
    error.hidden = false;
  } finally {
    button.disabled = false;
  }
});

/** Signs out here; with `forget`, the form forgets who signed in (another account is about to). */
function signOut(message, { forget = false } = {}) {
  selling.stop();
  preview.stop();
  if (state.live) state.live.close();
  state.live = null;
  state.token = null;
  state.role = null;
  writeSession(null); // the other tabs hear of it (below)
  $('studio').hidden = true;
  $('seller-note').hidden = true;
  if (forget) $('login-form').reset();
  $('login').hidden = state.gone;
  $('signout').hidden = true;
  $('studio-link').hidden = true;
  $('conn').hidden = true;
  const error = $('login-error');
  error.hidden = !message;
  error.textContent = message || '';
  $('login-email').focus();
}

// Another tab signed out (or in as someone else): this one follows.
window.addEventListener('storage', (event) => {
  if (event.key !== SESSION_KEY && event.key !== null) return;
  const session = readSession();
  if (!session && state.token) signOut();
  else if (session && session.token !== state.token) {
    state.token = session.token;
    state.role = session.role;
    openStudio();
  }
});

// Signing out ends the account's sign-ins everywhere (the server refuses the token from now on), then here.
$('signout').addEventListener('click', () => {
  if (state.token) request('POST', '/api/auth/signout', { token: state.token, timeoutMs: 5000 }).catch(() => {});
  signOut();
});

function banner(text) {
  $('banner').hidden = !text;
  $('banner').textContent = text || '';
}

/** A show that does not exist: only that, with a link home; no sign-in, no studio. */
function showGone() {
  state.gone = true;
  selling.stop();
  preview.stop();
  if (state.live) state.live.close();
  state.live = null;
  for (const id of ['login', 'studio', 'seller-note', 'signout', 'studio-link', 'open-player', 'banner', 'conn']) $(id).hidden = true;
  $('gone').hidden = false;
}

const isGone = (err) => err instanceof ApiError && err.status === 404;

async function openStudio() {
  if (state.gone) return;
  $('login').hidden = true;
  $('signout').hidden = false;
  banner(null);
  if (state.role === 'seller') { // a seller may not run a show: say so, and what it may open instead
    $('studio').hidden = true;
    $('seller-note').hidden = false;
    if (state.live) state.live.close();
    state.live = null;
    selling.stop();
    return;
  }
  $('seller-note').hidden = true;
  $('studio-link').hidden = false; // back to the host's shows in the studio
  $('studio').hidden = false;
  state.totals = {};
  renderKinds();
  try {
    applyShow(await api('GET', base));
  } catch (err) {
    if (isGone(err)) showGone();
    else if (err instanceof ApiError && err.status !== 401) banner(errorText(err.error));
    return;
  }
  loadModeration();
  selling.start();
  if (state.live) state.live.close();
  state.live = connect({ showId, token: state.token, onSnapshot, onEvent, onError, onStatus });
}

async function loadModeration() {
  try {
    const [blocklist, mutes] = await Promise.all([api('GET', `${base}/blocklist`), api('GET', `${base}/mutes`)]);
    $('blocklist').value = (blocklist.words || []).join('\n');
    state.muted = new Set(mutes.items || []);
    renderMutes();
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) banner(t('host.not_host'));
    else if (err instanceof ApiError && err.status !== 401) banner(errorText(err.error));
  }
}

// --- the show: status, start and end -------------------------------------------------------------

function applyShow(show) {
  state.show = { ...state.show, ...show };
  if ('pinned' in show) state.pinned = show.pinned;
  for (const product of show.products || []) {
    for (const variant of product.variants || []) {
      if (!(variant.id in state.stock)) state.stock[variant.id] = variant.available;
    }
  }
  $('show-title').textContent = state.show.title || '';
  document.title = `${state.show.title || ''} · ${t('host.title')}`;
  if (typeof show.viewers === 'number') renderViewers(show.viewers);
  selling.setShow(show);
  if (state.show.status === 'ended' || $('studio').hidden) preview.stop(); // the preview is the studio's
  else preview.play(state.show.stream_url);
  renderControls();
  renderProducts();
}

function renderControls() {
  const status = state.show && state.show.status;
  const badge = $('status');
  badge.hidden = !status;
  if (status) {
    badge.textContent = t(`status.${status}`);
    badge.className = `badge ${status === 'live' ? 'badge-live' : status === 'ended' ? 'badge-ended' : ''}`;
  }
  $('start').hidden = status !== 'scheduled';
  $('end').hidden = status !== 'live';
  if (!state.ending) $('end').textContent = t('host.end');
}

$('start').addEventListener('click', (event) => act(event.currentTarget, async () => {
  applyShow(await api('POST', `${base}/start`));
}));

$('end').addEventListener('click', (event) => {
  const button = event.currentTarget;
  if (!state.ending) {
    // two taps, no native dialog: ending a show cannot be undone
    button.textContent = t('host.end_confirm');
    button.classList.add('confirming');
    state.ending = setTimeout(() => {
      state.ending = null;
      button.classList.remove('confirming');
      renderControls();
    }, 4000);
    return;
  }
  clearTimeout(state.ending);
  state.ending = null;
  button.classList.remove('confirming');
  act(button, async () => applyShow(await api('POST', `${base}/end`)));
});

// --- products ------------------------------------------------------------------------------------

function inStock(product) {
  return (product.variants || []).reduce((sum, v) => sum + Math.max(0, Number(state.stock[v.id] ?? v.available) || 0), 0);
}

function renderProducts() {
  const products = (state.show && state.show.products) || [];
  const live = state.show && state.show.status === 'live';
  const list = $('products');
  if (!products.length) {
    list.replaceChildren(el('li', { class: 'empty', text: t('host.no_products') }));
    return;
  }
  list.replaceChildren(...products.map((product) => {
    const pinned = Boolean(state.pinned && state.pinned.id === product.id);
    const src = safeUrl((product.images || [])[0]);
    const pin = el('button', {
      type: 'button',
      class: `btn btn-small ${pinned ? '' : 'btn-primary'}`,
      'data-testid': `pin-${product.id}`,
      disabled: pinned || !live,
      text: t(pinned ? 'host.pinned' : 'host.pin'),
      onclick: (event) => act(event.currentTarget, async () => {
        const data = await api('POST', `${base}/pin`, { product_id: product.id });
        applyShow({ pinned: data.pinned });
      }),
    });
    const unpin = pinned ? el('button', {
      type: 'button',
      class: 'btn btn-small btn-ghost',
      'data-testid': 'unpin',
      disabled: !live,
      text: t('host.unpin'),
      onclick: (event) => act(event.currentTarget, async () => {
        await api('DELETE', `${base}/pin`);
        applyShow({ pinned: null });
      }),
    }) : null;
    return el('li', { class: `product${pinned ? ' is-pinned' : ''}`, dataset: { id: product.id } },
      src ? el('img', { class: 'product-img', src, alt: '', width: 56, height: 56 }) : el('div', { class: 'product-img' }),
      el('div', { class: 'product-body' },
        el('p', { class: 'product-brand', text: product.brand || '' }),
        el('p', { class: 'product-title', text: product.title || '' }),
        el('p', { class: 'product-meta', text: `${money(product.price)} · ${plural('host.in_stock', inStock(product))}` })),
      el('div', { class: 'product-actions' }, pin, unpin));
  }));
}

// --- live figures --------------------------------------------------------------------------------

function renderViewers(count) {
  $('viewer-count').textContent = number(count || 0, { compact: true });
}

/** The show's totals (the snapshot's, a `reactions` event's): they only grow, so the larger count wins (a
 *  cached snapshot may be older than the events that follow it). */
function addTotals(totals) {
  for (const [kind, count] of Object.entries(totals || {})) {
    state.totals[kind] = Math.max(state.totals[kind] || 0, Number(count) || 0);
  }
  renderKinds();
}

function renderKinds() {
  $('kinds').replaceChildren(...state.kinds.map((kind) => el('li', { class: 'kind', title: t(`react.${kind}`) },
    reactionIcon(kind, 'kind-icon'),
    el('span', { class: 'visually-hidden', text: t(`react.${kind}`) }),
    el('span', { class: 'kind-count', 'data-testid': `reactions-${kind}`, text: number(state.totals[kind] || 0, { compact: true }) }))));
}

// --- chat moderation -----------------------------------------------------------------------------

function timeOf(iso) {
  const date = iso ? new Date(iso) : null;
  return date && !Number.isNaN(date.getTime())
    ? date.toLocaleTimeString(document.documentElement.lang, { hour: '2-digit', minute: '2-digit' })
    : '';
}

function messageNode(message) {
  const own = state.you && message.viewer_id === state.you.viewer_id;
  const remove = el('button', {
    type: 'button', class: 'btn btn-small btn-ghost', text: t('host.delete'), 'data-testid': 'delete',
    onclick: (event) => act(event.currentTarget, async () => {
      await api('DELETE', `${base}/chat/${encodeURIComponent(message.id)}`);
      removeMessage(message.id);
    }),
  });
  const mute = own ? null : el('button', {
    type: 'button', class: 'btn btn-small btn-ghost mute', 'data-testid': 'mute',
    onclick: (event) => act(event.currentTarget, async () => {
      const viewer = message.viewer_id;
      if (state.muted.has(viewer)) {
        await api('DELETE', `${base}/mutes/${encodeURIComponent(viewer)}`);
        state.muted.delete(viewer);
      } else {
        await api('POST', `${base}/mutes`, { viewer_id: viewer });
        state.muted.add(viewer);
      }
      renderMutes();
    }),
  });
  const node = el('li', { class: 'mod-msg', dataset: { id: message.id, viewer: message.viewer_id || '' } },
    el('div', { class: 'mod-head' },
      el('span', { class: 'mod-author', text: message.author || '' }),
      // who wrote it, beyond the name anyone may take: two "Léa"s are two tags
      message.tag ? el('span', {
        class: 'mod-viewer', 'data-testid': 'viewer-tag', text: `#${message.tag}`,
        title: t('host.viewer_tag', { tag: message.tag }),
      }) : null,
      el('span', { class: 'mod-tag', text: t('host.muted') }),
      el('time', { class: 'mod-time', text: timeOf(message.at) })),
    el('p', { class: 'mod-text', text: message.text || '' }),
    el('div', { class: 'mod-actions' }, remove, mute));
  paintMute(node);
  return node;
}

function paintMute(node) {
  const muted = state.muted.has(node.dataset.viewer);
  node.classList.toggle('is-muted', muted);
  const button = node.querySelector('.mute');
  if (button) button.textContent = t(muted ? 'host.unmute' : 'host.mute');
}

function renderMutes() {
  for (const node of $('chat-list').children) paintMute(node);
}

function addMessage(message) {
  const list = $('chat-list');
  if (!message || !message.id || list.querySelector(`[data-id="${CSS.escape(message.id)}"]`)) return;
  const stick = list.scrollHeight - list.scrollTop - list.clientHeight < 60;
  list.append(messageNode(message));
  while (list.children.length > MAX_MESSAGES) list.firstElementChild.remove();
  if (stick) list.scrollTop = list.scrollHeight;
}

function removeMessage(id) {
  const node = id && $('chat-list').querySelector(`[data-id="${CSS.escape(id)}"]`);
  if (node) node.remove();
}

$('blocklist-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const words = $('blocklist').value.split(/[\n,]/).map((w) => w.trim()).filter(Boolean);
  act(event.submitter, async () => {
    const data = await api('PUT', `${base}/blocklist`, { words });
    $('blocklist').value = (data.words || []).join('\n');
    toast(t('host.saved'), 'ok', 2000);
  });
});

// --- the live channel ----------------------------------------------------------------------------

function onSnapshot(data, meta = {}) {
  state.you = data.you || null;
  selling.setClock(meta.ts);
  games.setClock(meta.ts);
  games.load(); // each kind's running or last game: on every connection, so nothing missed while away stays
  state.stock = { ...(data.stock || {}) };
  if (Array.isArray(data.reactions) && data.reactions.join() !== state.kinds.join()) state.kinds = data.reactions;
  addTotals(data.reaction_totals);
  applyShow(data);
  const list = $('chat-list');
  list.replaceChildren(...(data.chat || []).slice(-MAX_MESSAGES).map(messageNode));
  list.scrollTop = list.scrollHeight;
  if (state.you && state.you.role !== 'host') banner(t('host.not_host'));
}

const HANDLERS = {
  'show.started': () => applyShow({ status: 'live' }),
  'show.ended': () => applyShow({ status: 'ended', pinned: null }),
  'product.pinned': (data) => applyShow({ pinned: data.product || null }),
  'product.unpinned': () => applyShow({ pinned: null }),
  viewers: (data) => renderViewers(data.count),
  reactions: (data) => {
    if (data.totals && typeof data.totals === 'object') return addTotals(data.totals);
    for (const [kind, count] of Object.entries(data.counts || {})) { // a server without totals
      state.totals[kind] = (state.totals[kind] || 0) + (Number(count) || 0);
    }
    return renderKinds();
  },
  'chat.message': addMessage,
  'chat.deleted': (data) => removeMessage(data.id),
  stock: (data) => {
    state.stock[data.variant_id] = data.available;
    renderProducts();
  },
  sale: (data) => selling.sale(data),
  'deal.started': (data) => selling.dealStarted(data),
  'deal.ended': (data) => selling.dealEnded(data),
};

function onEvent(frame) {
  const handler = HANDLERS[frame.type];
  if (handler) handler(frame.data);
  else games.event(frame); // poll.*, quiz.*, giveaway.*: the Games panel's, by the type's prefix
}

function onError(error) {
  if (['bad_token', 'token_expired', 'token_revoked'].includes(error.code)) signOut(errorText(error));
  else toast(errorText(error), 'error');
}

function onStatus(status) {
  const conn = $('conn');
  conn.hidden = status === 'live' || status === 'closed';
  conn.dataset.state = status;
  conn.textContent = t(`conn.${status}`);
}

// --- start ---------------------------------------------------------------------------------------

renderKinds();
if (state.token) {
  openStudio();
} else {
  // the show first: a show that does not exist asks no one to sign in
  api('GET', base).then((show) => {
    $('login').hidden = false;
    applyShow(show);
  }).catch((err) => {
    if (isGone(err)) return showGone();
    $('login').hidden = false;
    return banner(err instanceof ApiError ? errorText(err.error) : '');
  });
}
