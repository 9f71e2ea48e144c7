// The buyer's order page: /orders/{id}?t=<token>. Status as a timeline, the item, the delivery estimate,
// the address, and while it waits for payment a "Pay now" link (after a declined payment: "Try paying
// again"), the time the piece stays reserved and "Cancel order" (with a confirmation step).
import { api } from '/static/api.js';
import { applyI18n, clock, errorText, formatDate, locale, money, t } from '/static/i18n.js';
import { el, safeUrl } from '/static/ui.js';

const $ = (id) => document.getElementById(id);
const orderId = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] || '');
const token = new URLSearchParams(location.search).get('t') || '';
const STEPS = ['placed', 'paid', 'shipped', 'delivered'];
const STAMPS = { placed: 'created_at', paid: 'paid_at', shipped: 'shipped_at', delivered: 'delivered_at',
  cancelled: 'cancelled_at', refunded: 'refunded_at' };
const POLL_MS = 10000;
const SECTIONS = ['hero', 'item', 'delivery', 'ship'];
let order = null;
let countdown = null;
let poll = null;

applyI18n();

function countryName(code) {
  try {
    return new Intl.DisplayNames([locale], { type: 'region' }).of(code) || code;
  } catch {
    return code;
  }
}

const when = (iso) => formatDate(iso, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

function renderStatus() {
  const status = order.status;
  const declined = status === 'pending' && Boolean(order.payment && order.payment.declined_at);
  const heading = $('order-status');
  heading.textContent = t(`order.status.${declined ? 'declined' : status}`);
  heading.dataset.status = status;
  heading.dataset.payment = declined ? 'declined' : '';
  $('order-number').textContent = t('order.number', { id: order.id });
  let reason = '';
  if (declined) {
    reason = t('order.reason.declined');
  } else if (status === 'cancelled') {
    reason = t(['payment_failed', 'expired', 'buyer_cancelled'].includes(order.cancel_reason)
      ? `order.reason.${order.cancel_reason}` : 'order.reason.other');
  } else if (status === 'refunded') {
    reason = t('order.reason.refunded', { total: money(order.total) });
  }
  $('order-reason').textContent = reason;
  $('order-reason').hidden = !reason;

  const stopped = status === 'cancelled' || status === 'refunded';
  const reached = STEPS.filter((step) => order[STAMPS[step]]);
  const steps = stopped ? [...reached, status] : STEPS;
  const at = stopped ? steps.length - 1 : STEPS.indexOf(status === 'pending' ? 'placed' : status);
  $('timeline').replaceChildren(...steps.map((step, i) => {
    const state = stopped && i === at ? 'stop' : i < at ? 'done' : i === at ? 'current' : 'todo';
    return el('li', { class: `tl-step ${state}`, dataset: { step }, 'aria-current': i === at ? 'step' : null },
      el('span', { class: 'tl-dot', 'aria-hidden': 'true' }),
      el('span', { class: 'tl-label', text: t(`order.step.${step}`) }),
      el('time', { class: 'tl-time', text: when(order[STAMPS[step]]) }));
  }));

  const pending = status === 'pending';
  const pay = pending ? safeUrl(order.payment && order.payment.url) : '';
  $('pay-box').hidden = !pay;
  if (pay) $('pay-now').href = pay;
  $('pay-now').textContent = t(declined ? 'order.pay_again' : 'order.pay_now');
  $('cancel-box').hidden = !pending;
  if (!pending) askCancel(false);
  clearInterval(countdown);
  if (pending && order.expires_at) {
    tickExpiry();
    countdown = setInterval(tickExpiry, 1000);
  }
}

function tickExpiry() {
  const left = new Date(order.expires_at).getTime() - Date.now();
  if (Number.isNaN(left)) return;
  if (left <= 0) {
    clearInterval(countdown);
    $('expires').textContent = t('order.expired');
    $('pay-now').hidden = true;
    setTimeout(load, 3000); // the server puts the piece back on sale: show the cancelled order
    return;
  }
  $('pay-now').hidden = false;
  $('expires').textContent = t('order.expires_in', { time: clock(left) });
}

// --- the buyer's cancel: a first tap asks, the second cancels ---------------------------------------

function askCancel(asking) {
  $('cancel').hidden = asking;
  $('cancel-ask').hidden = !asking;
  if (asking) $('cancel-keep').focus();
}

async function cancelOrder() {
  const button = $('cancel-yes');
  button.disabled = true;
  try {
    order = await api('POST', `/api/orders/${encodeURIComponent(orderId)}/cancel`,
      { headers: { 'x-order-token': token } });
    askCancel(false);
    render();
  } catch (err) {
    $('cancel-error').textContent = errorText(err.error);
    $('cancel-error').hidden = false;
    if (err.status === 409) load(); // paid or cancelled meanwhile: show what it is now
  } finally {
    button.disabled = false;
  }
}

$('cancel').addEventListener('click', () => {
  $('cancel-error').hidden = true;
  askCancel(true);
});
$('cancel-keep').addEventListener('click', () => {
  askCancel(false);
  $('cancel').focus();
});
$('cancel-yes').addEventListener('click', cancelOrder);

function renderItem() {
  const product = order.product || {};
  const image = safeUrl(product.image);
  $('item-image').hidden = !image;
  if (image) $('item-image').src = image;
  $('item-brand').textContent = product.brand || '';
  $('item-title').textContent = product.title || '';
  $('item-meta').textContent = t('order.size_qty', { size: (order.variant && order.variant.label) || '–', n: order.quantity });
  $('unit-price').textContent = order.quantity > 1
    ? `${order.quantity} × ${money(order.unit_price)}` : money(order.unit_price);
  const discount = order.discount && order.discount.amount > 0;
  $('discount-label').hidden = !discount;
  $('discount').hidden = !discount;
  if (discount) $('discount').textContent = `− ${money(order.discount)}`;
  $('total').textContent = money(order.total);
}

function renderDelivery() {
  const delivery = order.delivery || {};
  const stopped = order.status === 'cancelled' || order.status === 'refunded';
  $('delivery').hidden = stopped;
  const parcel = order.tracking;
  $('tracking').hidden = !parcel;
  if (parcel) {
    $('tracking').textContent = parcel.carrier ? t('order.tracking_by', { number: parcel.number, carrier: parcel.carrier })
      : t('order.tracking', { number: parcel.number });
  }
  if (stopped) return;
  if (order.status === 'delivered' && order.delivered_at) {
    $('delivery-window').textContent = t('order.delivered_on', { date: formatDate(order.delivered_at) });
    $('delivery-days').hidden = true;
    return;
  }
  $('delivery-window').textContent = t('order.window', {
    from: formatDate(delivery.earliest), to: formatDate(delivery.latest),
  });
  $('delivery-days').hidden = !delivery.min_days;
  $('delivery-days').textContent = t('order.days', { min: delivery.min_days, max: delivery.max_days });
}

function renderAddress() {
  const buyer = order.buyer || {};
  const a = buyer.address || {};
  $('address').replaceChildren(...[buyer.name, a.line1, a.line2, [a.postal_code, a.city].filter(Boolean).join(' '),
    a.country ? countryName(a.country) : ''].filter(Boolean).map((line) => el('span', { text: line })));
}

function render() {
  for (const id of ['loading', 'problem']) $(id).hidden = true;
  for (const id of SECTIONS) $(id).hidden = false;
  document.title = `${t('order.number', { id: order.id })} · ${t('app.name')}`;
  renderStatus();
  renderItem();
  renderDelivery();
  renderAddress();
  $('ship').hidden = !order.buyer;
  $('back').hidden = !order.show_id;
  if (order.show_id) $('back').href = `/watch/${encodeURIComponent(order.show_id)}`;
}

function problem(error) {
  for (const id of ['loading', ...SECTIONS, 'back']) $(id).hidden = true;
  $('problem').hidden = false;
  $('problem-text').textContent = errorText(error);
  $('problem-retry').hidden = !(error.code === 'network' || String(error.code).startsWith('http_5'));
}

async function load() {
  try {
    // no time limit: it waits as long as the browser does
    order = await api('GET', `/api/orders/${encodeURIComponent(orderId)}?t=${encodeURIComponent(token)}`,
      { timeoutMs: 0 });
  } catch (err) {
    if (order && err.error.code === 'network') return; // keep what we show; the next poll tries again
    problem(err.error);
    return;
  }
  render();
  clearTimeout(poll);
  if (order.status === 'pending') poll = setTimeout(load, POLL_MS);
}

$('problem-retry').addEventListener('click', () => {
  $('problem').hidden = true;
  $('loading').hidden = false;
  load();
});

if (orderId && token) load();
else problem({ code: 'order_token_required' });
