// Buying the pinned product: size chips, quantity, Buy, the checkout sheet (the first time only: the
// buyer is remembered, so the next purchase is one tap) and the order confirmation. The `buy` frame goes
// over the show's socket; the reply, to this socket alone, is `order.placed` or an `error`.
import { ApiError, api } from '/static/api.js';
import { errorText, locale, money, plural, t } from '/static/i18n.js';
import { readStore, writeStore } from '/static/live.js';
import { createSizeGuide } from '/static/player/sizes.js';
import { BUYER_KEY, countryName, ORDERS_KEY } from '/static/shop.js';
import { closeSheet, el, openSheet, randomKey, safeUrl } from '/static/ui.js';

/** Countries we deliver to (the server knows their postal codes); the first nine are the usual ones. */
export const COUNTRIES = ['FR', 'BE', 'CH', 'DE', 'ES', 'IT', 'NL', 'GB', 'US', 'LU', 'MC', 'AT', 'PT', 'IE', 'DK',
  'SE', 'FI', 'NO', 'PL', 'CZ', 'GR', 'CA'];
const LOW_STOCK = 5;
const MAX_PER_ORDER = 10; // the server takes 1 to 10 pieces per order
const ANSWER_MS = 15000;
const KEEP_ORDERS = 20;
const CHAT_CODES = new Set(['name_required', 'invalid_name', 'name_too_long', 'invalid_text', 'text_too_long',
  'muted', 'blocked_word', 'invalid_kind']);
const FIELDS = ['name', 'email', 'line1', 'line2', 'postal_code', 'city', 'country', 'voucher'];
const REQUIRED = ['name', 'email', 'line1', 'postal_code', 'city', 'country'];
const $ = (id) => document.getElementById(id);

/** The country the browser's language points to ("fr-BE" → BE, "de" → DE, "en" → US), else France. */
export function defaultCountry(tag = navigator.language) {
  try {
    const region = new Intl.Locale(tag || 'fr').maximize().region;
    if (COUNTRIES.includes(region)) return region;
  } catch { /* an odd tag: the shop's own country */ }
  return 'FR';
}

function loadJson(key) {
  try { return JSON.parse(readStore(key) || 'null'); } catch { return null; }
}

function loadBuyer() {
  const buyer = loadJson(BUYER_KEY);
  const a = buyer && buyer.address;
  const ok = buyer && typeof buyer.name === 'string' && typeof buyer.email === 'string' && a
    && ['line1', 'city', 'postal_code', 'country'].every((k) => typeof a[k] === 'string' && a[k]);
  return ok ? buyer : null;
}

/** The order link stays on this device, newest first. */
function rememberOrder(order) {
  const list = (Array.isArray(loadJson(ORDERS_KEY)) ? loadJson(ORDERS_KEY) : []).filter((o) => o && o.id !== order.id);
  list.unshift({ id: order.id, url: order.url, title: order.product && order.product.title,
    size: order.variant && order.variant.label, quantity: order.quantity, total: order.total,
    show_id: order.show_id, created_at: order.created_at });
  writeStore(ORDERS_KEY, JSON.stringify(list.slice(0, KEEP_ORDERS)));
}

/** invalid_request's details ([{field: "buyer.address.postal_code", message}, …]) → a message per form field. */
export function fieldErrors(details, country) {
  const out = {};
  for (const item of Array.isArray(details) ? details : []) {
    const path = String((item && item.field) || '').split('.');
    const text = String((item && item.message) || '').toLowerCase();
    const last = path[path.length - 1];
    if (path[0] === 'voucher') out.voucher = t('err.voucher_invalid');
    else if (path[0] !== 'buyer') continue;
    else if (last === 'postal_code') out.postal_code = t('checkout.postal_invalid', { country: countryName(country) });
    else if (last === 'country') {
      out.country = text.includes('deliver')
        ? t('checkout.country_unsupported', { country: countryName(country) }) : t('checkout.field_invalid');
    } else if (FIELDS.includes(last)) out[last] = last === 'email' ? t('checkout.email_invalid') : t('checkout.field_invalid');
    else if (last === 'address') out.line1 = t('checkout.field_invalid');
  }
  return out;
}

/**
 * `live.send(frame)` sends on the show's socket; `deal` is the flash deal (deal.js); `showId` the show, for the
 * voucher's quote (`POST /api/quotes`); `onOrder(order)` hears of each order placed (the order strip follows it).
 * The player calls setProduct / setStock / stock / setShow / connection as the show changes, and hands over the
 * replies: placed(data) for `order.placed`, error(err) (true when it was the purchase's) for an `error`.
 */
export function createShop({ live, deal, showId, onOrder = () => {} }) {
  const s = {
    product: null, stock: {}, selected: null, quantity: 1, limit: MAX_PER_ORDER, status: null,
    buyer: loadBuyer(), attempt: null, timer: null,
    quote: null, // {sig, data}: the voucher's quote for this purchase as it is now (sig), from POST /api/quotes
  };
  const form = $('checkout-form');
  const checkout = $('checkout-sheet');
  const placedSheet = $('placed-sheet');
  const sizes = createSizeGuide({ variants: () => variants().map((v) => ({ ...v, left: left(v) })), onPick: select });

  const variants = () => (s.product && s.product.variants) || [];
  const left = (variant) => {
    const known = s.stock[variant.id];
    return Math.max(0, typeof known === 'number' ? known : Number(variant.available) || 0);
  };
  const selectedVariant = () => variants().find((v) => v.id === s.selected) || null;
  const unitPrice = () => {
    const running = s.product && deal.active(s.product.id);
    return running ? running.price : s.product.price;
  };
  const total = () => {
    const unit = unitPrice();
    return money({ amount: unit.amount * s.quantity, currency: unit.currency });
  };
  /** What the purchase is now (product, size, quantity, deal, voucher): a quote holds for this only. */
  const quoteSig = () => JSON.stringify([s.product && s.product.id, s.selected, s.quantity,
    s.product && deal.active(s.product.id) ? deal.active(s.product.id).id : null, voucherCode()]);
  const quoted = () => (s.quote && s.quote.sig === quoteSig() ? s.quote.data : null);
  /** The checkout's total: the voucher's, once applied. */
  const checkoutTotal = () => (quoted() ? money(quoted().total) : total());
  const busy = () => Boolean(s.attempt && !s.attempt.lost);

  function maxQuantity() {
    let max = Math.min(MAX_PER_ORDER, s.limit || MAX_PER_ORDER);
    const variant = selectedVariant();
    if (variant) max = Math.min(max, left(variant));
    const running = s.product && deal.active(s.product.id);
    if (running) max = Math.min(max, running.remaining);
    return Math.max(1, max);
  }

  // --- the card ----------------------------------------------------------------------------------

  function render() {
    if (!s.product) return;
    deal.render(s.product);
    if (s.selected && !variants().some((v) => v.id === s.selected && left(v) > 0)) s.selected = null;
    renderChips();
    s.quantity = Math.min(Math.max(1, s.quantity), maxQuantity());
    const waiting = busy();
    const soldOut = variants().length > 0 && variants().every((v) => left(v) <= 0);
    $('qty').textContent = String(s.quantity);
    $('qty-less').disabled = waiting || s.quantity <= 1;
    $('qty-more').disabled = waiting || s.quantity >= maxQuantity();
    $('buy').disabled = waiting || soldOut || s.status !== 'live';
    $('buy').classList.toggle('busy', waiting);
    $('buy-label').textContent = t(waiting ? 'buy.placing' : soldOut ? 'product.sold_out' : 'product.buy');
    $('buy-total').textContent = soldOut ? '' : total();
    $('buy-as').hidden = !s.buyer;
    if (s.buyer) {
      const first = s.buyer.name.trim().split(/\s+/)[0];
      $('buy-as-text').textContent = t('buy.as', { name: first, city: s.buyer.address.city });
    }
    const submit = $('checkout-submit');
    submit.disabled = waiting;
    submit.textContent = waiting ? t('buy.placing') : t('checkout.submit', { total: checkoutTotal() });
    $('checkout-summary').textContent = summary();
    renderQuote();
  }

  function summary() {
    const variant = selectedVariant();
    return t('checkout.summary', { title: s.product.title || '', size: variant ? variant.label : '–', n: s.quantity });
  }

  function renderChips() {
    $('chips').replaceChildren(...variants().map((variant) => {
      const n = left(variant);
      const soldOut = n <= 0;
      const note = soldOut ? t('product.sold_out') : n <= LOW_STOCK ? plural('product.only_left', n) : null;
      const label = variant.label || variant.sku || '';
      return el('button', {
        type: 'button',
        class: `chip${soldOut ? ' sold-out' : ''}${!soldOut && n <= LOW_STOCK ? ' low' : ''}`,
        role: 'radio',
        'aria-checked': String(s.selected === variant.id),
        'data-testid': `size-${label}`,
        disabled: soldOut || busy(),
        dataset: { variant: variant.id },
        onclick: () => select(variant.id),
      }, el('span', { class: 'chip-label', text: label }), note ? el('small', { class: 'chip-note', text: note }) : null);
    }));
  }

  function select(variantId) {
    s.selected = variantId;
    clearError();
    render();
  }

  function showError(text) {
    $('buy-error').textContent = text;
    $('buy-error').hidden = false;
  }

  function clearError() {
    $('buy-error').hidden = true;
    $('buy-error').textContent = '';
  }

  $('qty-less').addEventListener('click', () => { s.quantity -= 1; render(); });
  $('qty-more').addEventListener('click', () => {
    s.quantity += 1;
    render();
    if (s.quantity >= maxQuantity() && maxQuantity() === s.limit) showError(plural('buy.limit', s.limit));
  });

  $('buy').addEventListener('click', () => {
    clearError();
    if (!selectedVariant()) {
      showError(t('buy.pick_size'));
      $('chips').classList.remove('nudge');
      void $('chips').offsetWidth;
      $('chips').classList.add('nudge');
      return;
    }
    if (!s.buyer) return openCheckout();
    place(s.buyer, null, false);
  });

  $('buy-change').addEventListener('click', () => openCheckout(s.buyer));

  // --- placing the order -------------------------------------------------------------------------

  /** Sends the purchase. After a lost answer the same purchase goes again with the same key, so the
   *  server hands back the order it may already have made instead of making a second one. */
  function place(buyer, voucher, fromForm) {
    const variant = selectedVariant();
    const running = deal.active(s.product.id);
    const body = { type: 'buy', product_id: s.product.id, variant_id: variant.id, quantity: s.quantity, buyer };
    if (running) body.deal_id = running.id;
    if (voucher) body.voucher = voucher;
    const sig = JSON.stringify(body);
    const again = s.attempt && s.attempt.lost && s.attempt.sig === sig;
    s.attempt = { key: again ? s.attempt.key : randomKey(), sig, buyer, fromForm, lost: false };
    clearError();
    formMessage(null);
    if (!live.send({ ...body, key: s.attempt.key })) return lose('buy.offline');
    clearTimeout(s.timer);
    s.timer = setTimeout(() => lose('buy.no_answer'), ANSWER_MS);
    render();
  }

  function lose(key) {
    if (!busy()) return;
    s.attempt.lost = true;
    clearTimeout(s.timer);
    render();
    if (!checkout.hidden) formMessage(t(key));
    else showError(t(key));
  }

  function finish() {
    const attempt = s.attempt;
    s.attempt = null;
    clearTimeout(s.timer);
    return attempt;
  }

  function placed(data) {
    const order = data && data.order;
    if (!order || typeof order.id !== 'string') return;
    const attempt = finish();
    if (attempt) {
      s.buyer = attempt.buyer;
      writeStore(BUYER_KEY, JSON.stringify(attempt.buyer));
    }
    rememberOrder(order);
    onOrder(order);
    closeSheet(checkout);
    clearError();
    render();
    showPlaced(order);
  }

  /** An `error` frame: the purchase's refusal only when it names the purchase's key. Any other (a reaction
   *  over the rate limit, a chat refusal) leaves the purchase waiting for its own answer: taking it for the
   *  purchase's made the buyer try again under a new key, and order twice. */
  function error(err) {
    if (!busy() || !err || CHAT_CODES.has(err.code) || err.key !== s.attempt.key) return false;
    const attempt = finish();
    if (err.code === 'deal_ended' || err.code === 'deal_not_found') deal.set(null);
    render();
    if (err.code === 'invalid_request' || err.code === 'buyer_required') {
      if (checkout.hidden) openCheckout(attempt.buyer);
      const country = form.elements.country.value;
      const fields = err.code === 'invalid_request' ? fieldErrors(err.details, country) : {};
      showFieldErrors(fields);
      formMessage(Object.keys(fields).length ? t('checkout.fix') : errorText(err));
      return true;
    }
    if (!checkout.hidden && err.code.startsWith('voucher_')) {
      showFieldErrors({ voucher: errorText(err) });
      formMessage(errorText(err));
      return true;
    }
    if (!checkout.hidden) formMessage(errorText(err));
    else showError(errorText(err));
    return true;
  }

  // --- the checkout sheet ------------------------------------------------------------------------

  const countrySelect = form.elements.country;
  countrySelect.replaceChildren(...COUNTRIES.map((code) => ({ code, name: countryName(code) }))
    .sort((a, b) => a.name.localeCompare(b.name, locale))
    .map(({ code, name }) => el('option', { value: code, text: name })));
  countrySelect.value = defaultCountry();

  function openCheckout(prefill) {
    if (!s.product) return;
    if (prefill) {
      const a = prefill.address || {};
      const values = { name: prefill.name, email: prefill.email, line1: a.line1, line2: a.line2, city: a.city,
        postal_code: a.postal_code, country: a.country };
      for (const [name, value] of Object.entries(values)) if (value) form.elements[name].value = value;
    }
    if (!countrySelect.value) countrySelect.value = defaultCountry();
    showFieldErrors({});
    formMessage(null);
    render();
    const empty = REQUIRED.map((name) => form.elements[name]).find((field) => !field.value.trim());
    openSheet(checkout, { focus: empty || $('checkout-submit') });
  }

  function readForm() {
    const value = (name) => form.elements[name].value.trim().replace(/\s+/g, ' ');
    return Object.fromEntries(FIELDS.map((name) => [name, value(name)]));
  }

  function validate(values) {
    const errors = {};
    for (const name of REQUIRED) if (!values[name]) errors[name] = t('checkout.required');
    if (values.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email)) errors.email = t('checkout.email_invalid');
    return errors;
  }

  function showFieldErrors(errors) {
    let first = null;
    for (const name of FIELDS) {
      const field = form.elements[name];
      const note = field.closest('.f').querySelector('.f-error');
      const text = errors[name] || '';
      note.textContent = text;
      note.hidden = !text;
      if (text) field.setAttribute('aria-invalid', 'true');
      else field.removeAttribute('aria-invalid');
      if (text && !first) first = field;
    }
    if (first) first.focus({ preventScroll: false });
  }

  function formMessage(text) {
    $('checkout-error').hidden = !text;
    $('checkout-error').textContent = text || '';
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (busy()) return;
    const values = readForm();
    const errors = validate(values);
    showFieldErrors(errors);
    if (Object.keys(errors).length) return formMessage(t('checkout.fix'));
    formMessage(null);
    const address = { line1: values.line1, city: values.city, postal_code: values.postal_code, country: values.country };
    if (values.line2) address.line2 = values.line2;
    const buyer = { name: values.name, email: values.email.toLowerCase(), address };
    if (!selectedVariant()) { // "change" with no size picked yet: keep the details for the next Buy
      s.buyer = buyer;
      writeStore(BUYER_KEY, JSON.stringify(buyer));
      closeSheet(checkout);
      render();
      showError(t('buy.pick_size'));
      return;
    }
    place(buyer, values.voucher ? values.voucher.toUpperCase() : null, true);
  });

  form.addEventListener('input', (event) => {
    if (event.target === form.elements.voucher) render(); // another code: the quote shown was the last one's
    const note = event.target.closest('.f') && event.target.closest('.f').querySelector('.f-error');
    if (note && !note.hidden) {
      note.hidden = true;
      event.target.removeAttribute('aria-invalid');
    }
  });

  $('checkout-cancel').addEventListener('click', () => closeSheet(checkout));

  // --- the voucher: its discount before ordering ---------------------------------------------------

  function voucherCode() {
    return form.elements.voucher.value.trim().toUpperCase();
  }

  function voucherNote(text) {
    const note = form.elements.voucher.closest('.f').querySelector('.f-error');
    note.textContent = text || '';
    note.hidden = !text;
    if (text) form.elements.voucher.setAttribute('aria-invalid', 'true');
    else form.elements.voucher.removeAttribute('aria-invalid');
  }

  function renderQuote() {
    const data = quoted();
    $('voucher-result').hidden = !data;
    $('voucher-result').textContent = data ? t('checkout.voucher_applied', { code: data.voucher.code,
      discount: money(data.discount), total: money(data.total) }) : '';
  }

  /** Apply: asks the server what this purchase costs with the code, and shows the new total or the refusal. */
  async function applyVoucher() {
    const code = voucherCode();
    const variant = selectedVariant();
    s.quote = null;
    voucherNote(null);
    render();
    if (!code || !variant) return voucherNote(t(code ? 'buy.pick_size' : 'err.voucher_invalid'));
    const sig = quoteSig();
    const running = deal.active(s.product.id);
    const body = { product_id: s.product.id, variant_id: variant.id, quantity: s.quantity, voucher: code };
    if (showId) body.show_id = showId;
    if (running) body.deal_id = running.id;
    const button = $('voucher-apply');
    button.disabled = true;
    button.textContent = t('checkout.applying');
    try {
      const data = await api('POST', '/api/quotes', { body });
      if (data.voucher && data.voucher.state !== 'valid') voucherNote(errorText({ code: data.voucher.state }));
      else s.quote = { sig, data };
    } catch (err) {
      voucherNote(err instanceof ApiError ? errorText(err.error) : t('err.generic'));
    } finally {
      button.disabled = false;
      button.textContent = t('checkout.apply');
      render();
    }
  }

  $('voucher-apply').addEventListener('click', applyVoucher);
  form.elements.voucher.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault(); // Enter in the code applies it; Order places the order
    applyVoucher();
  });

  // --- the confirmation --------------------------------------------------------------------------

  function showPlaced(order) {
    $('placed-line').textContent = t('placed.line', { title: (order.product && order.product.title) || '',
      size: (order.variant && order.variant.label) || '', n: order.quantity });
    $('placed-total').textContent = money(order.total);
    const expires = order.expires_at ? new Date(order.expires_at) : null;
    const time = expires && !Number.isNaN(expires.getTime())
      ? new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(expires) : '';
    $('placed-reserved').textContent = time ? t('placed.reserved', { time }) : '';
    $('placed-reserved').hidden = !time;
    const pay = safeUrl(order.payment && order.payment.url);
    $('placed-pay').hidden = !pay;
    if (pay) $('placed-pay').href = pay;
    $('placed-pay').textContent = t('placed.pay', { total: money(order.total) });
    const link = safeUrl(order.url);
    $('placed-view').hidden = !link;
    if (link) $('placed-view').href = link;
    openSheet(placedSheet, { focus: pay ? $('placed-pay') : $('placed-close') });
  }

  $('placed-close').addEventListener('click', () => closeSheet(placedSheet));
  // Pay and See my order open in a new tab: the sheet steps aside, the order strip follows the order
  for (const id of ['placed-pay', 'placed-view']) $(id).addEventListener('click', () => closeSheet(placedSheet));

  // --- what the player tells us ------------------------------------------------------------------

  return {
    render,
    setProduct(product) {
      const changed = !product || !s.product || product.id !== s.product.id;
      s.product = product || null;
      if (changed) {
        s.selected = null;
        s.quantity = 1;
        clearError();
        if (!busy()) closeSheet(checkout);
      }
      for (const variant of (product && product.variants) || []) {
        if (typeof variant.available === 'number') s.stock[variant.id] = variant.available;
      }
      sizes.setProduct(s.product);
      render();
    },
    setStock(stock) {
      s.stock = { ...(stock || {}) };
      render();
    },
    stock(data) {
      s.stock[data.variant_id] = data.available;
      if (!s.product || s.product.id !== data.product_id) return;
      deal.capStock(s.product.id, variants().reduce((sum, v) => sum + left(v), 0));
      render();
    },
    setShow({ status, buyerLimit }) {
      if (status) s.status = status;
      if (typeof buyerLimit === 'number' && buyerLimit > 0) s.limit = buyerLimit;
      if (s.status === 'ended') {
        closeSheet(checkout);
        closeSheet($('size-sheet'));
      }
      render();
    },
    connection(status) {
      if (status !== 'live') lose('buy.no_answer');
    },
    placed,
    error,
  };
}
