// The printable label sheet: /stores/{id}/labels. A4 pages of 3 x 7 labels (70 x 42 mm), each with the
// brand, the product's name, its size when the label is for one size, its price and its code.
import { api } from '/static/api.js';
import { applyI18n, errorText, lang, money, plural, t } from '/static/i18n.js';
import { el, safeUrl } from '/static/ui.js';
import { idFromPath } from '/static/store/common.js';

const PER_PAGE = 21; // 3 columns x 7 rows
const $ = (id) => document.getElementById(id);
const storeId = idFromPath();

applyI18n();

function label(item, product) {
  const size = item.variant_id
    ? ((product.variants || []).find((v) => v.id === item.variant_id) || {}).label || null
    : null;
  return el('article', { class: 'tag', 'data-testid': 'label', dataset: { item: item.id } },
    el('img', {
      class: 'tag-code', src: safeUrl(item.qr_svg), width: 128, height: 128, decoding: 'sync',
      alt: t('store.labels.code', { title: product.title || '' }), 'data-testid': 'label-code',
    }),
    el('div', { class: 'tag-text' },
      el('p', { class: 'tag-brand', text: product.brand || '' }),
      el('h2', { class: 'tag-title', 'data-testid': 'label-title', text: product.title || '' }),
      size ? el('p', { class: 'tag-size', 'data-testid': 'label-size', text: t('store.labels.size', { size }) }) : null,
      el('p', { class: 'tag-price', 'data-testid': 'label-price', text: money(product.price) }),
      el('p', { class: 'tag-scan', text: t('store.labels.scan') })));
}

function sheets(labels) {
  const pages = [];
  for (let i = 0; i < labels.length; i += PER_PAGE) {
    pages.push(el('section', { class: 'sheet', 'data-testid': 'label-sheet' }, labels.slice(i, i + PER_PAGE)));
  }
  return pages;
}

function imagesReady(root) {
  return Promise.all([...root.querySelectorAll('img')].map((img) => (img.complete ? null
    : new Promise((resolve) => {
      img.addEventListener('load', resolve, { once: true });
      img.addEventListener('error', resolve, { once: true });
    }))));
}

async function load() {
  let store;
  let products;
  try {
    store = await api('GET', `/api/stores/${encodeURIComponent(storeId)}`);
    const ids = [...new Set(store.items.map((i) => i.product_id))];
    products = new Map((await Promise.all(ids.map((id) => api('GET', `/api/products/${encodeURIComponent(id)}`))))
      .map((p) => [p.id, p]));
  } catch (err) {
    const code = err.error && err.error.code;
    const key = `store.err.${code}`;
    $('state').textContent = t(key) !== key ? t(key) : errorText(err.error);
    $('home').hidden = err.status !== 404; // a store that does not exist: nothing to print, a way home
    return;
  }
  $('actions').hidden = false; // the PDF and Print belong to a store that exists
  $('store-name').textContent = store.name || '';
  document.title = `${t('store.labels.title')} · ${store.name || ''}`;
  $('pdf').href = `/api/stores/${encodeURIComponent(store.id)}/labels.pdf?lang=${lang}`; // the page's words
  const items = store.items.filter((i) => products.has(i.product_id));
  if (!items.length) {
    $('state').textContent = t('store.labels.empty');
    $('summary').textContent = '';
    return;
  }
  $('summary').textContent = plural('store.labels.count', items.length);
  $('sheets').replaceChildren(...sheets(items.map((item) => label(item, products.get(item.product_id)))));
  $('state').hidden = true;
  await imagesReady($('sheets'));
  $('print').disabled = false;
  document.body.dataset.ready = 'true';
}

$('print').addEventListener('click', () => window.print());

load();
