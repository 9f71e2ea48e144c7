// The flash deal on the pinned product (price, pieces left, countdown) and the sales ticker.
import { clock, money, plural, t } from '/static/i18n.js';
import { el } from '/static/ui.js';

const $ = (id) => document.getElementById(id);
const TICK_MS = 250;
const TICKER_MS = 3200;
const TICKER_MAX = 3;

/**
 * The running deal as the server announced it, kept up to date best-effort by `sale` and `stock`
 * events and dropped on `deal.ended` or when its time is up here. `onChange()` is called whenever
 * what the card shows (price, pieces, whether there is a deal) changes.
 */
export function createDeal({ onChange }) {
  let deal = null;
  let offset = 0; // the server's clock minus ours, from the snapshot
  let timer = null;

  const now = () => Date.now() + offset;
  const msLeft = () => (deal ? Number(deal.ends_at_ms) - now() : 0);

  function stop() {
    clearInterval(timer);
    timer = null;
  }

  function drop() {
    deal = null;
    stop();
    onChange();
  }

  function tick() {
    if (!deal) return stop();
    if (msLeft() <= 0) return drop(); // the server's deal.ended follows; it refuses the deal price already
    const node = $('deal-clock');
    if (node) node.textContent = t('deal.ends_in', { time: clock(msLeft()) });
  }

  return {
    /** The server time of the snapshot frame: countdowns follow the server, not a phone's wrong clock. */
    setClock(serverMs) {
      if (typeof serverMs === 'number') offset = serverMs - Date.now();
    },

    set(next) {
      stop();
      deal = next && typeof next === 'object' && !next.ended && typeof next.ends_at_ms === 'number'
        ? { ...next, remaining: Math.max(0, Number(next.remaining) || 0) } : null;
      if (deal && msLeft() > 0) timer = setInterval(tick, TICK_MS);
      else deal = null;
      onChange();
    },

    ended(data) {
      if (!deal || deal.id !== data.id) return;
      drop();
      if (data.reason === 'sold_out') ticker(t('deal.sold_out'));
    },

    /** A sale of the deal's product: most of them are deal pieces while it runs. */
    sale(data) {
      if (!deal || deal.product_id !== data.product_id) return;
      deal.remaining = Math.max(0, deal.remaining - (Number(data.quantity) || 0));
      onChange();
    },

    /** There cannot be more deal pieces left than the product has in stock. */
    capStock(productId, inStock) {
      if (!deal || deal.product_id !== productId || inStock >= deal.remaining) return;
      deal.remaining = Math.max(0, inStock);
      onChange();
    },

    /** The deal a purchase of this product gets now, or null. */
    active(productId) {
      return deal && deal.product_id === productId && deal.remaining > 0 && msLeft() > 0 ? deal : null;
    },

    /** The price line and the deal bar of the card. */
    render(product) {
      const live = product ? this.active(product.id) : null;
      $('card').classList.toggle('has-deal', Boolean(live));
      $('deal').hidden = !live;
      $('card-was').hidden = !live;
      if (!product) return;
      $('card-price').textContent = money(live ? live.price : product.price);
      if (!live) return;
      $('card-was').textContent = money(product.price);
      $('card-was').setAttribute('aria-label', t('deal.was', { price: money(product.price) }));
      $('deal-left').textContent = plural('deal.left', live.remaining);
      tick();
    },
  };
}

/** A short line that rises over the video and fades: "2 sold". */
export function ticker(text) {
  const box = $('ticker');
  if (!box) return;
  const bag = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  bag.setAttribute('viewBox', '0 0 24 24');
  bag.setAttribute('width', '14');
  bag.setAttribute('height', '14');
  bag.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('fill', 'currentColor');
  path.setAttribute('d', 'M7 7V6a5 5 0 0 1 10 0v1h3l-1 14H5L4 7h3Zm2 0h6V6a3 3 0 0 0-6 0v1Z');
  bag.append(path);
  const node = el('p', { class: 'tick' }, bag, el('span', { text }));
  box.append(node);
  while (box.children.length > TICKER_MAX) box.firstElementChild.remove();
  setTimeout(() => node.classList.add('out'), TICKER_MS - 600);
  setTimeout(() => node.remove(), TICKER_MS);
}

export function saleTicker(data) {
  const n = Number(data && data.quantity) || 1;
  ticker(plural('sale.ticker', n));
}
