// The phone checkout of a scanned label: /shop/{token}. Shows the item (photos, sizes, size guide, the
// delivery promise for the chosen country), takes the delivery address and places the order with an
// Idempotency-Key that is kept while the same order is retried; then on to the payment page.
import {
  ADDRESS_FIELDS, addressErrors, addressValues, buyerOf, clearOnInput, fillCountries, prefillAddress,
  serverAddressErrors, setAddressError,
} from '/static/address.js';
import { api } from '/static/api.js';
import { applyI18n, errorText, locale, money, plural, t } from '/static/i18n.js';
import { readStore, writeStore } from '/static/live.js';
import { BUYER_KEY, ORDERS_KEY } from '/static/shop.js';
import { el, safeUrl } from '/static/ui.js';
import {
  countryName, day, deliveryWindow, idFromPath, measureName, measureNames, suggestSize, uuid,
} from '/static/store/common.js';

const KEEP_ORDERS = 20;
const LOW_STOCK = 5;
const MAX_PER_ORDER = 10; // the server takes 1 to 10 pieces per order
const $ = (id) => document.getElementById(id);

const token = idFromPath();
const s = { view: null, selected: null, quantity: 1, busy: false, attempt: null };

applyI18n();

/** Our sentence for an error code, else the shared one, else the server's. */
function problemText(error) {
  const code = error && error.code;
  const key = `store.err.${code}`;
  const ours = t(key);
  if (code && ours !== key) return ours;
  return errorText(error);
}

// --- loading -------------------------------------------------------------------------------------

function show(section) {
  for (const id of ['loading', 'problem', 'product']) $(id).hidden = id !== section;
  $('buy-bar').hidden = section !== 'product';
}

async function load({ quiet = false } = {}) {
  if (!quiet) show('loading');
  try {
    s.view = await api('GET', `/api/q/${encodeURIComponent(token)}`);
  } catch (err) {
    if (quiet) return;
    $('problem-text').textContent = problemText(err.error);
    $('problem-retry').hidden = !(err.status === 0 || err.status >= 500);
    show('problem');
    return;
  }
  if (!quiet) {
    renderProduct();
    prefill();
    show('product');
  }
  renderSizes();
  render();
}

$('problem-retry').addEventListener('click', () => load());

// --- the product ---------------------------------------------------------------------------------

const product = () => s.view.product;
const fixedId = () => s.view.item.variant_id || null;
/** The sizes on offer: only the label's own when it carries one. */
const variants = () => (product().variants || []).filter((v) => !fixedId() || v.id === fixedId());
const left = (v) => Math.max(0, Number(v.available) || 0);
const selectedVariant = () => variants().find((v) => v.id === s.selected) || null;

function renderProduct() {
  const p = product();
  const store = s.view.store || {};
  $('store-name').textContent = store.name || '';
  $('store-address').textContent = store.address || '';
  $('store-address').hidden = !store.address;
  $('brand').textContent = p.brand || '';
  $('title').textContent = p.title || '';
  $('price').textContent = money(p.price);
  $('description').textContent = p.description || '';
  $('description').hidden = !p.description;
  document.title = `${p.title || ''} · ${store.name || t('app.name')}`;
  renderGallery(p);
  renderGuide(p.size_guide);
  const only = fixedId() ? variants()[0] : (variants().length === 1 ? variants()[0] : null);
  if (only && left(only) > 0) s.selected = only.id;
}

function renderGallery(p) {
  const images = (p.images || []).map(safeUrl).filter(Boolean);
  const track = $('gallery');
  const dots = $('dots');
  if (!images.length) {
    track.replaceChildren(el('div', { class: 'slide slide-empty', 'aria-hidden': 'true' },
      el('span', { text: (p.brand || p.title || '?').trim().charAt(0).toUpperCase() })));
    dots.replaceChildren();
    return;
  }
  track.replaceChildren(...images.map((src, i) => el('figure', { class: 'slide' },
    el('img', {
      src, draggable: 'false', loading: i ? 'lazy' : 'eager', decoding: 'async',
      alt: t('store.photo', { n: i + 1, count: images.length, title: p.title || '' }),
    }))));
  dots.hidden = images.length < 2;
  dots.replaceChildren(...images.map((_, i) => el('button', {
    type: 'button', class: 'dot', 'aria-label': t('store.photo_go', { n: i + 1 }),
    'aria-current': i === 0 ? 'true' : 'false',
    onclick: () => track.scrollTo({ left: i * track.clientWidth, behavior: 'smooth' }),
  })));
}

$('gallery').addEventListener('scroll', () => {
  const track = $('gallery');
  const index = Math.round(track.scrollLeft / Math.max(1, track.clientWidth));
  [...$('dots').children].forEach((dot, i) => dot.setAttribute('aria-current', String(i === index)));
}, { passive: true });

function renderSizes() {
  const list = variants();
  if (s.selected && !list.some((v) => v.id === s.selected && left(v) > 0)) s.selected = null;
  $('chips').replaceChildren(...list.map((v) => {
    const n = left(v);
    const soldOut = n <= 0;
    const note = soldOut ? t('store.sold_out') : n <= LOW_STOCK ? plural('store.only_left', n) : null;
    const label = v.label || v.sku || '';
    return el('button', {
      type: 'button',
      class: `chip${soldOut ? ' sold-out' : ''}${!soldOut && n <= LOW_STOCK ? ' low' : ''}`,
      role: 'radio',
      'aria-checked': String(s.selected === v.id),
      'data-testid': `size-${label}`,
      disabled: soldOut || s.busy,
      dataset: { variant: v.id },
      onclick: () => select(v.id),
    }, el('span', { class: 'chip-label', text: label }), note ? el('small', { class: 'chip-note', text: note }) : null);
  }));
}

function select(variantId) {
  s.selected = variantId;
  setFieldError('size', null);
  renderSizes();
  render();
}

function sizeNote() {
  const list = variants();
  if (list.length && list.every((v) => left(v) <= 0)) return t('store.all_sold_out');
  const fixed = fixedId() && list[0];
  return fixed ? t('store.size_fixed', { size: fixed.label }) : ''; // "Only N left" is on the size itself
}

// --- the size guide ------------------------------------------------------------------------------

function guideOf(p) {
  const guide = p && p.size_guide;
  return guide && Array.isArray(guide.sizes) && guide.sizes.length ? guide : null;
}

function renderGuide(raw) {
  const guide = guideOf({ size_guide: raw });
  $('guide').hidden = !guide;
  if (!guide) return;
  const names = measureNames(guide);
  const unit = guide.unit === 'in' ? 'in' : 'cm';
  const decimal = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  $('guide-unit').textContent = t('store.guide_unit', { unit });
  $('guide-table').replaceChildren(
    el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: t('store.size') }),
      names.map((name) => el('th', { scope: 'col', text: measureName(name) })))),
    el('tbody', {}, guide.sizes.map((row) => el('tr', { dataset: { size: row.label } },
      el('th', { scope: 'row', text: row.label }),
      names.map((name) => el('td', {
        text: typeof (row.measurements || {})[name] === 'number' ? decimal.format(row.measurements[name]) : '–',
      }))))));
  $('finder-measure').replaceChildren(...names.map((name) => el('option', { value: name, text: measureName(name) })));
  $('finder-unit').textContent = t('store.yours', { unit });
}

$('finder').addEventListener('submit', (event) => {
  event.preventDefault();
  const guide = guideOf(product());
  const result = $('finder-result');
  const raw = String($('finder-value').value).trim().replace(',', '.');
  const value = Number(raw);
  for (const row of $('guide-table').querySelectorAll('tbody tr')) row.classList.remove('is-suggested');
  if (!raw || !Number.isFinite(value) || value <= 0) {
    result.replaceChildren(el('span', { class: 'finder-hint', text: t('store.enter_number') }));
    return;
  }
  const found = suggestSize(guide, $('finder-measure').value, value);
  if (!found) {
    result.replaceChildren();
    return;
  }
  if (found.tooBig) {
    result.replaceChildren(el('span', { text: t('store.too_big', { size: found.tooBig.label }) }));
    return;
  }
  const label = found.row.label;
  const row = [...$('guide-table').querySelectorAll('tbody tr')].find((tr) => tr.dataset.size === label);
  if (row) row.classList.add('is-suggested');
  const fixed = fixedId() && variants()[0];
  if (fixed && fixed.label !== label) {
    result.replaceChildren(el('span', { text: t('store.suggest_other', { size: label, fixed: fixed.label }) }));
    return;
  }
  const variant = variants().find((v) => v.label === label);
  if (variant && left(variant) <= 0) {
    result.replaceChildren(el('span', { text: t('store.suggest_sold_out', { size: label }) }));
    return;
  }
  result.replaceChildren(
    el('strong', { 'data-testid': 'finder-suggestion', text: t('store.suggest', { size: label }) }),
    variant && s.selected !== variant.id ? el('button', {
      type: 'button', class: 'btn btn-small btn-primary', 'data-testid': 'finder-choose',
      text: t('store.choose', { size: label }),
      onclick: () => {
        select(variant.id);
        $('size-heading').scrollIntoView({ behavior: 'smooth', block: 'start' });
      },
    }) : null);
});

// --- delivery and the form -----------------------------------------------------------------------

function renderPromise() {
  const country = $('f-country').value || 'FR';
  const w = deliveryWindow(country);
  $('promise').textContent = t('store.promise', { min: w.min, max: w.max });
  $('promise-window').textContent = t('store.window', { country: countryName(country), from: day(w.from),
    to: day(w.to) });
}

function prefill() {
  if (prefillAddress()) renderPromise();
}

function setFieldError(field, text) {
  if (field === 'size') {
    $('size-card').classList.toggle('invalid', Boolean(text));
    $('size-note').textContent = text || sizeNote();
    $('size-note').classList.toggle('is-error', Boolean(text));
    return;
  }
  setAddressError(field, text);
}

function clearErrors() {
  for (const field of [...ADDRESS_FIELDS, 'quantity', 'size']) setFieldError(field, null);
  $('form-error').hidden = true;
  $('form-error').textContent = '';
}

function formError(text) {
  $('form-error').textContent = text;
  $('form-error').hidden = !text;
}

/** The fields the browser can check by itself; {field: sentence}. */
function localErrors(values) {
  const errors = addressErrors(values);
  if (!selectedVariant()) errors.size = t('store.pick_size');
  return errors;
}

/** invalid_request details → {field: sentence}: the address's, the quantity's and the size's. */
function serverErrors(details, country) {
  return serverAddressErrors(details, country, (path, message) => {
    const last = path[path.length - 1];
    if (last === 'quantity') return ['quantity', message];
    if (last === 'variant_id') return ['size', t('store.pick_size')];
    return null;
  });
}

function showErrors(errors) {
  let first = null;
  for (const [field, text] of Object.entries(errors)) {
    if (field === 'form') continue;
    setFieldError(field, text);
    if (!first) first = field;
  }
  formError(errors.form || t('store.fix'));
  const target = first === 'size' ? $('size-card') : $(`f-${first}`);
  if (target) {
    target.scrollIntoView({ behavior: 'smooth', block: 'center' });
    if (target.focus && first !== 'size') target.focus({ preventScroll: true });
  }
}

// --- quantity and the button ---------------------------------------------------------------------

function maxQuantity() {
  const v = selectedVariant();
  return Math.max(1, Math.min(MAX_PER_ORDER, v ? left(v) : MAX_PER_ORDER));
}

function render() {
  const p = product();
  const list = variants();
  const soldOut = list.length > 0 && list.every((v) => left(v) <= 0);
  s.quantity = Math.min(Math.max(1, s.quantity), maxQuantity());
  $('qty').textContent = String(s.quantity);
  $('qty-less').disabled = s.busy || s.quantity <= 1;
  $('qty-more').disabled = s.busy || s.quantity >= maxQuantity();
  if (!$('size-card').classList.contains('invalid')) $('size-note').textContent = sizeNote();
  const total = money({ amount: p.price.amount * s.quantity, currency: p.price.currency });
  const button = $('submit');
  button.disabled = s.busy || soldOut || !list.length;
  button.classList.toggle('busy', s.busy);
  button.textContent = s.busy ? t('store.placing') : soldOut ? t('store.sold_out') : t('store.submit', { total });
  for (const input of $('form').querySelectorAll('input, select')) input.readOnly = s.busy;
}

$('qty-less').addEventListener('click', () => { s.quantity -= 1; render(); });
$('qty-more').addEventListener('click', () => { s.quantity += 1; render(); });
$('f-country').addEventListener('change', renderPromise);
clearOnInput(() => {
  if (!$('form').querySelector('.f-error:not([hidden])')) formError('');
});

// --- ordering ------------------------------------------------------------------------------------

function rememberOrder(order) {
  let list;
  try { list = JSON.parse(readStore(ORDERS_KEY) || '[]'); } catch { list = []; }
  list = (Array.isArray(list) ? list : []).filter((o) => o && o.id !== order.id);
  list.unshift({ id: order.id, url: order.url, title: order.product && order.product.title,
    size: order.variant && order.variant.label, quantity: order.quantity, total: order.total,
    show_id: order.show_id, store_item_id: order.store_item_id, created_at: order.created_at });
  writeStore(ORDERS_KEY, JSON.stringify(list.slice(0, KEEP_ORDERS)));
}

async function placeOrder() {
  if (s.busy) return;
  clearErrors();
  const values = addressValues();
  const errors = localErrors(values);
  if (Object.keys(errors).length) {
    showErrors(errors);
    return;
  }
  const buyer = buyerOf(values);
  const body = { product_id: product().id, variant_id: s.selected, quantity: s.quantity,
    store_item_id: s.view.item.id, buyer };
  const json = JSON.stringify(body);
  // the same order tried again keeps its key, so a lost answer never makes a second order
  if (!s.attempt || s.attempt.json !== json) s.attempt = { key: uuid(), json };
  s.busy = true;
  renderSizes();
  render();
  let order;
  try {
    order = await api('POST', '/api/orders', { body, headers: { 'Idempotency-Key': s.attempt.key }, timeoutMs: 20000 });
  } catch (err) {
    s.busy = false;
    failed(err, values.country);
    renderSizes();
    render();
    return;
  }
  writeStore(BUYER_KEY, JSON.stringify(buyer));
  rememberOrder(order);
  const next = safeUrl(order.payment && order.payment.url) || safeUrl(order.url);
  if (next) {
    location.assign(next);
  } else {
    s.busy = false;
    render();
  }
}

function failed(err, country) {
  const error = err.error || {};
  if (err.status === 0) {
    formError(t('store.no_answer'));
    return;
  }
  if (err.status < 500) s.attempt = null; // refused: nothing was ordered, the next try is a new order
  if (error.code === 'invalid_request' && Array.isArray(error.details)) {
    showErrors(serverErrors(error.details, country));
    return;
  }
  formError(problemText(error));
  if (['sold_out', 'variant_not_found', 'store_item_not_found', 'product_not_found'].includes(error.code)) {
    load({ quiet: true }); // the sizes still on sale
  }
}

$('form').addEventListener('submit', (event) => {
  event.preventDefault();
  placeOrder();
});

fillCountries();
renderPromise();
if (token) {
  load();
} else {
  $('problem-text').textContent = t('store.err.qr_not_found');
  $('problem-retry').hidden = true;
  show('problem');
}
