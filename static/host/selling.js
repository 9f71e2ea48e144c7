// The host page's selling panels: the flash deal on the pinned product, and the live sales figures.
import { clock, currencyDigits, money, number, percent, plural, t, toMinor } from '/static/i18n.js';
import { toast } from '/static/ui.js';

const $ = (id) => document.getElementById(id);
const POLL_MS = 3000;
const SALE_REFRESH_MS = 400;
const TICK_MS = 250;

/**
 * `api(method, path, body)` is the page's authorized fetch (it throws ApiError), `act(button, fn)` runs
 * an action from a button and shows a refusal, `base` is "/api/shows/{id}".
 */
export function createSelling({ api, act, base }) {
  const s = {
    pinned: null, products: [], status: null, deal: null, offset: 0,
    pollTimer: null, saleTimer: null, dealTimer: null, loading: false, sales: null, on: false,
  };
  const now = () => Date.now() + s.offset;

  // --- the flash deal ----------------------------------------------------------------------------

  function running() {
    return s.deal && !s.deal.ended && s.deal.ends_at_ms > now() ? s.deal : null;
  }

  function renderDeal() {
    const deal = running();
    const pinned = s.pinned;
    const live = s.status === 'live';
    $('deal-hint').hidden = Boolean(deal || (pinned && live));
    const hint = { ended: 'host.deal_show_ended', scheduled: 'host.deal_go_live' }[s.status] || 'host.deal_pin_first';
    $('deal-hint').textContent = t(hint);
    $('deal-form').hidden = Boolean(deal || !pinned || !live);
    $('deal-running').hidden = !deal;
    clearInterval(s.dealTimer);
    s.dealTimer = null;
    if (pinned && !deal) {
      const currency = (pinned.price && pinned.price.currency) || 'EUR';
      $('deal-product').textContent = pinned.title || '';
      $('deal-usual').textContent = t('host.deal_usual', { price: money(pinned.price) });
      $('deal-price-label').textContent = t('host.deal_price', { currency });
      const digits = currencyDigits(currency);
      const suggestion = Math.floor((pinned.price.amount * 0.8) / 10 ** digits);
      $('deal-price').placeholder = digits ? `${suggestion}.${'0'.repeat(digits)}` : String(suggestion);
    }
    if (!deal) return;
    const product = s.products.find((p) => p.id === deal.product_id) || pinned;
    $('deal-run-title').textContent = (product && product.title) || '';
    $('deal-run-price').textContent = money(deal.price);
    $('deal-run-was').textContent = product ? money(product.price) : '';
    $('deal-run-sold').textContent = plural('host.deal_sold', deal.sold, { sold: number(deal.sold), quantity: number(deal.quantity) });
    tick();
    s.dealTimer = setInterval(tick, TICK_MS);
  }

  function tick() {
    const deal = running();
    if (!deal) {
      renderDeal();
      return;
    }
    $('deal-run-clock').textContent = clock(deal.ends_at_ms - now());
  }

  function setDeal(deal) {
    s.deal = deal && !deal.ended ? { ...deal } : null;
    renderDeal();
  }

  $('deal-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const pinned = s.pinned;
    if (!pinned) return;
    const currency = (pinned.price && pinned.price.currency) || 'EUR';
    const amount = toMinor($('deal-price').value, currency);
    const quantity = Number($('deal-quantity').value);
    const duration = Number($('deal-duration').value);
    const error = $('deal-error');
    error.hidden = true;
    if (amount === null || amount <= 0) {
      error.textContent = t('host.deal_price_invalid');
      error.hidden = false;
      $('deal-price').focus();
      return;
    }
    act(event.submitter || $('deal-start'), async () => {
      const deal = await api('POST', `${base}/deals`, {
        product_id: pinned.id, price: { amount, currency },
        quantity: Math.round(quantity) || 0, // the server says which of these is not right
        duration_s: Math.round(duration) || 0,
      });
      setDeal(deal);
    });
  });

  $('deal-end').addEventListener('click', (event) => {
    const deal = s.deal;
    if (!deal) return;
    act(event.currentTarget, async () => {
      await api('POST', `${base}/deals/${encodeURIComponent(deal.id)}/end`);
      if (s.deal && s.deal.id === deal.id) setDeal(null);
    });
  });

  // --- live sales --------------------------------------------------------------------------------

  function renderSales() {
    const data = s.sales;
    if (!data) return;
    $('sales-orders').textContent = number(data.orders || 0);
    $('sales-units').textContent = number(data.units || 0);
    const revenue = Array.isArray(data.revenue) ? data.revenue : [];
    const currency = (s.products[0] && s.products[0].price && s.products[0].price.currency) || 'EUR';
    $('sales-revenue').textContent = revenue.length
      ? revenue.map(money).join(' + ') : money({ amount: 0, currency });
    $('sales-conversion').textContent = percent(data.conversion);
  }

  async function refresh() {
    if (!s.on || s.loading) return;
    s.loading = true;
    try {
      s.sales = await api('GET', `${base}/sales`);
      renderSales();
    } catch (err) {
      if (err && (err.status === 403 || err.status === 404)) stop(); // not this show's host: nothing to show
    } finally {
      s.loading = false;
    }
  }

  function start() {
    s.on = true;
    clearInterval(s.pollTimer);
    s.pollTimer = setInterval(() => {
      if (document.visibilityState !== 'hidden') refresh();
    }, POLL_MS);
    refresh();
  }

  function stop() {
    s.on = false;
    clearInterval(s.pollTimer);
    clearTimeout(s.saleTimer);
    s.pollTimer = null;
  }

  return {
    start,
    stop,
    /** The show as the page knows it: status, products, pinned product. */
    setShow(show) {
      if (!show) return;
      if (show.status) s.status = show.status;
      if (Array.isArray(show.products)) s.products = show.products;
      if ('pinned' in show) s.pinned = show.pinned || null;
      if ('deal' in show) s.deal = show.deal && !show.deal.ended ? { ...show.deal } : null;
      renderDeal();
    },
    setClock(serverMs) {
      if (typeof serverMs === 'number') s.offset = serverMs - Date.now();
    },
    dealStarted: (data) => setDeal(data.deal),
    dealEnded(data) {
      if (!s.deal || s.deal.id !== data.id) return;
      if (data.reason === 'sold_out') toast(t('deal.sold_out'), 'ok');
      if (data.reason === 'unpinned') toast(t('host.deal_unpinned'), 'ok', 5000);
      setDeal(null);
    },
    sale(data) {
      if (s.deal && s.deal.product_id === data.product_id) {
        s.deal.sold = Math.min(s.deal.quantity, s.deal.sold + (Number(data.quantity) || 0));
        renderDeal();
      }
      clearTimeout(s.saleTimer);
      s.saleTimer = setTimeout(refresh, SALE_REFRESH_MS);
    },
  };
}
