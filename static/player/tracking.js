// The order strip: the player follows the viewer's latest order of this show while the stream plays on.
// Paying and the order page open in a new tab; the strip reads the order (GET with its link's token) every
// few seconds and says where it is: waiting for payment (Pay), declined (Try again), paid, cancelled,
// refunded. It stops asking once the order is settled, and after a reload it picks up a recent order again.
import { api } from '/static/api.js';
import { t } from '/static/i18n.js';
import { readStore, writeStore } from '/static/live.js';
import { ORDERS_KEY } from '/static/shop.js';
import { el, safeUrl } from '/static/ui.js';

const POLL_MS = 4000;
const RECENT_MS = 60 * 60 * 1000; // an order placed within the hour is followed again after a reload
const SETTLED = new Set(['paid', 'shipped', 'delivered', 'cancelled', 'refunded']);
const HIDDEN_KEY = 'vitrine.strip.hidden'; // the order the viewer hid the strip of

/** The token of an order link (/orders/{id}?t=…), or ''. */
function tokenOf(url) {
  try {
    return new URL(url, location.origin).searchParams.get('t') || '';
  } catch {
    return '';
  }
}

/** The newest order of this show kept on this device, when it is recent and its strip was not hidden. */
function recentOrder(showId) {
  let list;
  try { list = JSON.parse(readStore(ORDERS_KEY) || '[]'); } catch { list = []; }
  const newest = (Array.isArray(list) ? list : []).find((o) => o && o.show_id === showId);
  if (!newest || typeof newest.id !== 'string' || readStore(HIDDEN_KEY) === newest.id) return null;
  const age = Date.now() - Date.parse(newest.created_at);
  return age >= 0 && age < RECENT_MS ? newest : null;
}

/** `mount` is the element the strip goes before. Returns follow(order) for a newly placed order. */
export function createTracking({ showId, mount }) {
  const stateText = el('span', { class: 'strip-state', 'data-testid': 'order-strip-state' });
  const action = el('a', { class: 'btn btn-small btn-primary strip-action', 'data-testid': 'order-strip-action',
    target: '_blank', rel: 'noopener', hidden: true });
  // "Your order" is the link to the order's page: one line on a phone has no room for a "See order" besides
  const view = el('a', { class: 'strip-view', 'data-testid': 'order-strip-view', target: '_blank', rel: 'noopener',
    title: t('strip.view'), text: t('strip.label') });
  const hide = el('button', { type: 'button', class: 'strip-hide', 'data-testid': 'order-strip-hide',
    'aria-label': t('strip.hide'), title: t('strip.hide'), text: '×' });
  const strip = el('div', { class: 'order-strip', id: 'order-strip', 'data-testid': 'order-strip', role: 'status',
    'aria-live': 'polite', hidden: true },
  el('span', { class: 'strip-text' }, view, ' ', stateText), action, hide);
  mount.before(strip);

  let current = null; // {id, token}
  let timer = null;

  function render(order) {
    const declined = order.status === 'pending' && Boolean(order.payment && order.payment.declined_at);
    const state = declined ? 'declined' : order.status;
    strip.dataset.state = state;
    stateText.textContent = t(`strip.${state}`);
    stateText.title = stateText.textContent; // the whole of it when the line cuts it short
    const pay = order.status === 'pending' ? safeUrl(order.payment && order.payment.url) : '';
    action.hidden = !pay;
    if (pay) {
      action.href = pay;
      action.textContent = t(declined ? 'strip.try_again' : 'strip.pay');
    }
    strip.hidden = false;
  }

  async function poll() {
    clearTimeout(timer);
    const following = current;
    if (!following) return;
    let order;
    try {
      order = await api('GET', `/api/orders/${encodeURIComponent(following.id)}`,
        { headers: { 'x-order-token': following.token }, timeoutMs: 10000 });
    } catch (err) {
      if (following !== current) return;
      if (err.status >= 400 && err.status < 500) { // a link this server does not know: nothing to follow
        current = null;
        strip.hidden = true;
        return;
      }
      timer = setTimeout(poll, POLL_MS); // offline or a restart: ask again
      return;
    }
    if (following !== current) return;
    render(order);
    if (!SETTLED.has(order.status)) timer = setTimeout(poll, POLL_MS);
  }

  /** Follows an order ({id, url, and what the server said of it when it has it}). */
  function follow(order) {
    const token = order && typeof order.id === 'string' ? tokenOf(order.url) : '';
    if (!token) return;
    current = { id: order.id, token };
    const link = safeUrl(order.url);
    if (link) view.href = link;
    else view.removeAttribute('href'); // the words stay, as words
    if (order.status) render(order);
    if (order.status && SETTLED.has(order.status)) return;
    if (order.status) timer = setTimeout(poll, POLL_MS);
    else poll();
  }

  hide.addEventListener('click', () => {
    if (current) writeStore(HIDDEN_KEY, current.id);
    current = null;
    clearTimeout(timer);
    strip.hidden = true;
  });
  // back from the payment tab: say at once what happened there
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && current && !SETTLED.has(strip.dataset.state)) poll();
  });

  const recent = recentOrder(showId);
  if (recent) follow({ id: recent.id, url: recent.url });
  return { follow };
}
