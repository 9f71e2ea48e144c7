// The sandbox's hosted checkout: /pay/sandbox/{ref}. Shows the amount of a TEST payment and lets the
// buyer make it succeed or fail; the server then sends itself the signed webhook a real provider would.
import { applyI18n, errorText, money, t } from '/static/i18n.js';
import { safeUrl } from '/static/ui.js';

const $ = (id) => document.getElementById(id);
const ref = decodeURIComponent(location.pathname.split('/').filter(Boolean)[2] || '');
const api = `/api/pay/sandbox/${encodeURIComponent(ref)}`;
let info = null;

applyI18n();

async function call(method, body) {
  let response;
  try {
    response = await fetch(api, {
      method,
      headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw { code: 'network' };
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) throw (data && data.error) || { code: `http_${response.status}` };
  return data;
}

function show(id) {
  for (const section of ['loading', 'problem', 'pay']) $(section).hidden = section !== id;
}

function problem(error) {
  $('problem-text').textContent = errorText(error);
  $('problem-retry').hidden = error.code !== 'network' && !String(error.code).startsWith('http_5');
  show('problem');
}

function render() {
  show('pay');
  $('amount').textContent = money({ amount: info.amount, currency: info.currency });
  $('order-ref').textContent = t('pay.order', { id: info.order_id });
  const pending = info.status === 'pending';
  $('actions').hidden = !pending;
  $('done').hidden = pending;
  if (!pending) {
    $('done-text').textContent = t(`pay.done.${info.status}`);
    const link = safeUrl(info.order_url);
    $('done-link').hidden = !link;
    if (link) $('done-link').href = link;
  }
}

async function load() {
  show('loading');
  try {
    info = await call('GET');
  } catch (error) {
    problem(error);
    return;
  }
  render();
}

async function pay(outcome, button) {
  const buttons = [$('pay-ok'), $('pay-fail')];
  for (const b of buttons) b.disabled = true;
  const label = button.textContent;
  button.textContent = t('pay.working');
  $('error').hidden = true;
  try {
    await call('POST', { outcome });
    const next = safeUrl(info.order_url);
    if (next) {
      location.assign(next);
      return;
    }
    await load();
  } catch (error) {
    $('error').textContent = errorText(error);
    $('error').hidden = false;
    for (const b of buttons) b.disabled = false;
    button.textContent = label;
  }
}

$('pay-ok').addEventListener('click', (event) => pay('succeeded', event.currentTarget));
$('pay-fail').addEventListener('click', (event) => pay('failed', event.currentTarget));
$('problem-retry').addEventListener('click', load);

if (ref) load();
else problem({ code: 'payment_not_found' });
