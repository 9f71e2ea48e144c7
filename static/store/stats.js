// The seller's page of a store: /stores/{id}/stats. Sign in, then scans, orders, conversion, revenue, the
// devices that scanned and the same per item, refreshed every 10 seconds.
import { api } from '/static/api.js';
import { applyI18n, errorText, money, number, t } from '/static/i18n.js';
import { readStore, writeStore } from '/static/live.js';
import { el, safeUrl } from '/static/ui.js';
import { idFromPath, percent, time } from '/static/store/common.js';

const TOKEN_KEY = 'vitrine.seller.token';
const REFRESH_MS = 10000;
const DEVICES = ['mobile', 'tablet', 'desktop', 'unknown'];
const $ = (id) => document.getElementById(id);

const storeId = idFromPath();
const s = { token: readStore(TOKEN_KEY, 'sessionStorage'), store: null, products: new Map(), timer: null,
  lastOk: null, loading: false };

applyI18n();
$('to-screen').href = `/stores/${encodeURIComponent(storeId)}/screen`;
$('to-labels').href = `/stores/${encodeURIComponent(storeId)}/labels`;

function sentence(error) {
  const code = error && error.code;
  const key = `store.err.${code}`;
  return code && t(key) !== key ? t(key) : errorText(error);
}

// --- signing in ----------------------------------------------------------------------------------

function showLogin(message = '') {
  clearInterval(s.timer);
  s.timer = null;
  $('login').hidden = false;
  $('board').hidden = true;
  $('signout').hidden = true;
  $('login-error').textContent = message;
  $('login-error').hidden = !message;
}

function signOut(message = '') {
  s.token = null;
  writeStore(TOKEN_KEY, null, 'sessionStorage');
  $('problem').hidden = true;
  showLogin(message);
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const email = $('login-email').value.trim();
  const password = $('login-password').value;
  if (!email || !password) {
    $('login-error').textContent = t('store.required');
    $('login-error').hidden = false;
    return;
  }
  $('login-submit').disabled = true;
  try {
    const data = await api('POST', '/api/auth/token', { body: { email, password } });
    s.token = data.access_token;
    writeStore(TOKEN_KEY, s.token, 'sessionStorage');
    $('login-password').value = '';
    $('login').hidden = true;
    start();
  } catch (err) {
    $('login-error').textContent = sentence(err.error);
    $('login-error').hidden = false;
  } finally {
    $('login-submit').disabled = false;
  }
});

$('signout').addEventListener('click', () => signOut());

// --- the figures ---------------------------------------------------------------------------------

async function loadStore() {
  try {
    s.store = await api('GET', `/api/stores/${encodeURIComponent(storeId)}`);
  } catch (err) {
    if (err.status === 404) {
      $('problem').textContent = sentence(err.error);
      $('problem').hidden = false;
    }
    return;
  }
  $('store-name').textContent = s.store.name || '';
  $('store-address').textContent = s.store.address || '';
  document.title = `${s.store.name || ''} · ${t('store.stats.title')}`;
}

/** The products behind the items, fetched once each (their names and pictures). */
async function loadProducts(ids) {
  const missing = [...new Set(ids)].filter((id) => !s.products.has(id));
  await Promise.all(missing.map(async (id) => {
    try {
      s.products.set(id, await api('GET', `/api/products/${encodeURIComponent(id)}`));
    } catch { /* shown by its id until the next refresh */ }
  }));
}

async function refresh() {
  if (!s.token || s.loading) return;
  s.loading = true;
  try {
    const stats = await api('GET', `/api/stores/${encodeURIComponent(storeId)}/stats`, { token: s.token });
    await loadProducts(stats.items.map((i) => i.product_id));
    s.lastOk = new Date();
    $('problem').hidden = true;
    render(stats);
  } catch (err) {
    if (err.status === 401) {
      signOut(sentence(err.error));
    } else if (err.status === 403) {
      // another account (a host, another seller): say so in the page's language, and let them sign in again
      signOut(t('store.err.not_store_seller'));
    } else if (err.status === 404) {
      clearInterval(s.timer);
      s.timer = null;
      $('board').hidden = true;
      $('problem').textContent = sentence(err.error);
      $('problem').hidden = false;
    } else if (s.lastOk) {
      $('updated').textContent = t('store.stats.stale', { time: time(s.lastOk) });
      $('updated').classList.add('stale');
    } else {
      $('problem').textContent = sentence(err.error);
      $('problem').hidden = false;
    }
  } finally {
    s.loading = false;
  }
}

function render(stats) {
  $('board').hidden = false;
  $('signout').hidden = false;
  $('kpi-scans').textContent = number(stats.scans);
  $('kpi-orders').textContent = number(stats.orders);
  $('kpi-conversion').textContent = percent(stats.conversion);
  $('kpi-revenue').textContent = money(stats.revenue);
  renderDevices(stats.devices || {});
  $('items').replaceChildren(...stats.items.map(itemRow));
  $('updated').textContent = t('store.stats.updated', { time: time(s.lastOk) });
  $('updated').classList.remove('stale');
}

function renderDevices(devices) {
  const total = DEVICES.reduce((sum, kind) => sum + (Number(devices[kind]) || 0), 0);
  $('devices-bar').replaceChildren(...DEVICES.filter((kind) => devices[kind] > 0).map((kind) => {
    const bar = el('span', { class: `device-${kind}` });
    bar.style.flexGrow = String(Number(devices[kind])); // through CSSOM: the CSP refuses style attributes
    return bar;
  }));
  if (!total) {
    $('devices').replaceChildren(el('li', { class: 'muted', text: t('store.stats.no_scans') }));
    return;
  }
  $('devices').replaceChildren(...DEVICES.map((kind) => {
    const n = Number(devices[kind]) || 0;
    return el('li', { 'data-testid': `device-${kind}` },
      el('i', { class: `device-${kind}`, 'aria-hidden': 'true' }),
      el('span', { text: t(`store.device.${kind}`) }),
      el('b', { text: number(n) }),
      el('em', { text: percent(n / total) }));
  }));
}

function itemRow(item) {
  const product = s.products.get(item.product_id);
  const storeItem = ((s.store && s.store.items) || []).find((i) => i.id === item.id);
  const variantId = storeItem && storeItem.variant_id;
  const size = product && variantId ? ((product.variants || []).find((v) => v.id === variantId) || {}).label : null;
  const src = product ? safeUrl((product.images || [])[0]) : '';
  return el('tr', { 'data-testid': `stats-item-${item.id}` },
    el('td', {}, el('div', { class: 'item-cell' },
      src ? el('img', { src, alt: '', width: 40, height: 40 }) : el('span', { class: 'item-thumb' }),
      el('div', {},
        el('strong', { text: product ? product.title : item.product_id }),
        el('small', { text: [product && product.brand, size && t('store.labels.size', { size })].filter(Boolean)
          .join(' · ') })))),
    el('td', { 'data-testid': 'item-scans', 'data-label': t('store.stats.scans'), text: number(item.scans) }),
    el('td', { 'data-testid': 'item-orders', 'data-label': t('store.stats.orders'), text: number(item.orders) }),
    el('td', { 'data-label': t('store.stats.conversion'), text: percent(item.conversion) }),
    el('td', { 'data-label': t('store.stats.revenue'), text: money(item.revenue) }));
}

function start() {
  $('login').hidden = true;
  refresh();
  clearInterval(s.timer);
  s.timer = setInterval(() => {
    if (document.visibilityState === 'visible') refresh();
  }, REFRESH_MS);
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && s.timer) refresh();
});

loadStore();
if (s.token) start();
else showLogin();
