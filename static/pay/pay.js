// The sandbox's hosted checkout: /pay/sandbox/{ref}. Shows the amount of a TEST payment and lets the
// buyer make it succeed or fail; the server then sends itself the signed webhook a real provider would.
import { api } from '/static/api.js';
import { applyI18n, errorText, money, t } from '/static/i18n.js';
import { safeUrl } from '/static/ui.js';

const $ = (id) => document.getElementById(id);
const ref = decodeURIComponent(location.pathname.split('/').filter(Boolean)[2] || '');
const path = `/api/pay/sandbox/${encodeURIComponent(ref)}`;
let info = null;

applyI18n();

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
    info = await api('GET', path, { timeoutMs: 0 }); // no time limit: it waits as long as the browser does
  } catch (err) {
    problem(err.error);
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
    await api('POST', path, { body: { outcome }, timeoutMs: 0 });
    const next = safeUrl(info.order_url);
    if (next) {
      location.assign(next);
      return;
    }
    await load();
  } catch (err) {
    $('error').textContent = errorText(err.error);
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
