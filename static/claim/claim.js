// A giveaway winner's claim: /claim/{token}. Shows the prize and until when it can be claimed, takes the
// delivery address (the store checkout's form: static/address.js) and claims it with POST /api/claims/{token}
// under an Idempotency-Key kept while the same claim is retried; then the order (price 0) and its page.
// Claimed already, passed to the next entry, out of time: each says so.
import {
  addressErrors, addressFields, addressValues, buyerOf, clearOnInput, fillCountries, prefillAddress,
  serverAddressErrors, setAddressError, ADDRESS_FIELDS,
} from '/static/address.js';
import { api } from '/static/api.js';
import { applyI18n, clock, errorText, formatDate, t } from '/static/i18n.js';
import { writeStore } from '/static/live.js';
import { BUYER_KEY } from '/static/shop.js';
import { randomKey, safeUrl, showIdFromPath } from '/static/ui.js';

const $ = (id) => document.getElementById(id);
const token = showIdFromPath();
const apiPath = `/api/claims/${encodeURIComponent(token)}`;
const s = { claim: null, busy: false, attempt: null, timer: null };
const GONE = new Set(['claim_expired', 'claim_passed', 'already_claimed', 'claim_not_found']);

applyI18n();
$('fields').replaceChildren(...addressFields('claim'));
fillCountries();

const when = (iso) => formatDate(iso, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit',
  minute: '2-digit' });
const msLeft = () => new Date(s.claim.expires_at).getTime() - Date.now();

/** offered (and in time), claimed, passed (to the next entry), expired (its time is up: passed soon). */
function state() {
  const status = s.claim.status;
  if (status === 'offered' && s.claim.expires_at && msLeft() <= 0) return 'expired';
  return ['offered', 'claimed', 'passed'].includes(status) ? status : 'expired';
}

function renderPrize() {
  const prize = s.claim.prize || {};
  const product = prize.product || {};
  const variant = (product.variants || []).find((v) => v.id === prize.variant_id);
  const image = safeUrl((product.images || [])[0] || product.image);
  $('prize-image').hidden = !image;
  if (image) $('prize-image').src = image;
  $('prize-image').alt = t('product.image', { title: product.title || '' });
  $('prize-brand').textContent = product.brand || '';
  $('prize-title').textContent = product.title || '';
  $('prize-variant').textContent = variant ? t('claim.variant', { size: variant.label || variant.sku || '' }) : '';
  $('greeting').textContent = s.claim.winner_name ? t('claim.greeting', { name: s.claim.winner_name }) : '';
  $('back').hidden = !s.claim.show_id;
  if (s.claim.show_id) $('back').href = `/watch/${encodeURIComponent(s.claim.show_id)}`;
  document.title = `${t('claim.title')} · ${t('app.name')}`;
}

function render() {
  const now = state();
  $('heading').textContent = t(`claim.heading.${now}`);
  $('heading').dataset.state = now;
  $('state').hidden = now === 'offered';
  $('state').textContent = now === 'offered' ? '' : t(`claim.state.${now}`);
  $('form').hidden = now !== 'offered' || !$('done').hidden;
  clearInterval(s.timer);
  if (now === 'offered') {
    tick();
    s.timer = setInterval(tick, 1000);
  } else {
    $('deadline').textContent = '';
  }
  const submit = $('submit');
  submit.disabled = s.busy;
  submit.classList.toggle('busy', s.busy);
  submit.textContent = t(s.busy ? 'claim.claiming' : 'claim.submit');
  for (const input of $('form').querySelectorAll('input, select')) input.readOnly = s.busy;
}

function tick() {
  const left = msLeft();
  if (left <= 0) return render();
  $('deadline').textContent = t(left < 3600_000 ? 'claim.deadline_soon' : 'claim.deadline',
    { date: when(s.claim.expires_at), time: clock(left) });
}

function problem(error, retry) {
  for (const id of ['loading', 'prize', 'form', 'done', 'back']) $(id).hidden = true;
  $('problem').hidden = false;
  $('problem-text').textContent = errorText(error);
  $('problem-retry').hidden = !retry;
}

async function load() {
  try {
    s.claim = await api('GET', apiPath);
  } catch (err) {
    problem(err.error, err.status === 0 || err.status >= 500);
    return;
  }
  for (const id of ['loading', 'problem']) $(id).hidden = true;
  $('prize').hidden = false;
  renderPrize();
  if (!prefillAddress() && s.claim.winner_name) $('f-name').value = s.claim.winner_name;
  render();
}

// --- the claim -----------------------------------------------------------------------------------

function formError(text) {
  $('form-error').textContent = text || '';
  $('form-error').hidden = !text;
}

function showErrors(errors) {
  let first = null;
  for (const [field, text] of Object.entries(errors)) {
    if (field === 'form') continue;
    setAddressError(field, text);
    first = first || field;
  }
  formError(errors.form || t('store.fix'));
  if (first) $(`f-${first}`).focus();
}

function claimed(order) {
  s.busy = false;
  clearInterval(s.timer);
  s.claim = { ...s.claim, status: 'claimed' };
  $('form').hidden = true;
  $('state').hidden = true;
  $('deadline').textContent = '';
  $('heading').textContent = t('claim.heading.yours');
  $('heading').dataset.state = 'yours';
  $('done').hidden = false;
  $('done-text').textContent = t('claim.done', { id: order.id });
  const link = safeUrl(order.url);
  $('order-link').hidden = !link;
  if (link) $('order-link').href = link;
}

async function claim() {
  if (s.busy) return;
  for (const field of ADDRESS_FIELDS) setAddressError(field, null);
  formError(null);
  const values = addressValues();
  const errors = addressErrors(values);
  if (Object.keys(errors).length) return showErrors(errors);
  const body = { buyer: buyerOf(values) };
  const json = JSON.stringify(body);
  // the same claim tried again keeps its key: a lost answer never claims twice
  if (!s.attempt || s.attempt.json !== json) s.attempt = { key: randomKey(), json };
  s.busy = true;
  render();
  let order;
  try {
    order = await api('POST', apiPath, { body, headers: { 'Idempotency-Key': s.attempt.key }, timeoutMs: 20000 });
  } catch (err) {
    s.busy = false;
    failed(err, values.country);
    return;
  }
  writeStore(BUYER_KEY, JSON.stringify(body.buyer));
  claimed(order);
}

function failed(err, country) {
  const error = err.error || {};
  if (err.status === 0) {
    render();
    return formError(t('claim.no_answer'));
  }
  if (err.status < 500) s.attempt = null; // refused: nothing was claimed, the next try is a new claim
  if (GONE.has(error.code)) { // claimed, passed on or out of time meanwhile: show what the claim is now
    load();
    return;
  }
  render();
  if (error.code === 'invalid_request' && Array.isArray(error.details)) {
    return showErrors(serverAddressErrors(error.details, country));
  }
  formError(errorText(error));
}

$('form').addEventListener('submit', (event) => {
  event.preventDefault();
  claim();
});
clearOnInput(() => {
  if (!$('form').querySelector('.f-error:not([hidden])')) formError(null);
});
$('problem-retry').addEventListener('click', () => {
  $('problem').hidden = true;
  $('loading').hidden = false;
  load();
});

if (token) load();
else problem({ code: 'claim_not_found' }, false);
