// The studio's products (sellers, admins): my products; create and edit one with its sizes (variants), its
// size guide (a table: sizes by rows, measurements by columns) and its photos, taken or picked on the phone
// and uploaded to POST /api/media; restock a size with the figure read (`stock_changed` when it sold meanwhile).
import { ApiError } from '/static/api.js';
import { currencyDigits, errorText, money, plural, t, toMinor } from '/static/i18n.js';
import { el } from '/static/ui.js';

const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'CAD'];
const MAX_IMAGES = 10;
const MAX_VARIANTS = 50;
const MAX_SIZES = 50;
const MAX_MEASURES = 12;
const MAX_STOCK = 1000000;
const SKU_PATTERN = '[A-Za-z0-9._\\-]+';
const PRICE_PATTERN = '\\s*\\d{1,9}([.,]\\d{1,2})?\\s*';
const SHRINK_OVER = 1536 * 1024; // bytes: a larger photo is scaled down here before it goes (a phone's upload is slow)
const MAX_SIDE = 2048; // what the server keeps at most: no need to send more

const strings = {
  en: {
    'products.price_form': 'A price such as 49.90.',
    'products.sku_form': 'Letters, digits, dots, dashes and underscores.',
    'products.nav': 'Products',
    'products.about': 'Your products, their sizes, stock and photos.',
    'products.title': 'Products',
    'products.new': 'New product',
    'products.new_title': 'New product',
    'products.edit_title': 'Edit the product',
    'products.back': '← Products',
    'products.empty': 'No product yet. Create your first one: a title, a price, its sizes and a photo.',
    'products.on_sale': 'On sale',
    'products.sold_out': 'Sold out',
    'products.no_photo': 'No photo',
    'products.field.title': 'Title',
    'products.field.brand': 'Brand',
    'products.field.description': 'Description',
    'products.field.price': 'Price',
    'products.field.currency': 'Currency',
    'products.price_invalid': 'A price such as 49 or 49.90.',
    'products.photos': 'Photos',
    'products.photos_hint': 'Up to 10 photos, JPEG, PNG, WebP or GIF. The first one is shown in the shows.',
    'products.take_photo': 'Take a photo',
    'products.choose_photos': 'Choose photos',
    'products.uploading': 'Uploading…',
    'products.photo_left': 'Move this photo earlier',
    'products.photo_right': 'Move this photo later',
    'products.photo_remove': 'Remove this photo',
    'products.photos_full': 'A product has at most 10 photos.',
    'products.sizes': 'Sizes',
    'products.sizes_hint': 'One line per size: its label as buyers see it, your SKU, the pieces on sale.',
    'products.variant.label': 'Size',
    'products.variant.sku': 'SKU',
    'products.variant.stock': 'Stock',
    'products.variant.remove': 'Remove this size',
    'products.add_variant': 'Add a size',
    'products.sku_twice': 'Another size has this SKU.',
    'products.guide': 'Size guide',
    'products.guide_hint': 'Body measurements per size; buyers get a size suggested from them. Leave it empty if you have none.',
    'products.guide_unit': 'Unit',
    'products.guide_size': 'Size',
    'products.guide_measure': 'e.g. chest',
    'products.guide_add_row': 'Add a size',
    'products.guide_add_col': 'Add a measurement',
    'products.guide_remove_row': 'Remove this size',
    'products.guide_remove_col': 'Remove this measurement',
    'products.guide_empty': 'No size guide.',
    'products.save': 'Save',
    'products.create': 'Create the product',
    'products.created': 'Product created.',
    'products.saved': 'Changes saved.',
    'products.stock': 'Stock',
    'products.stock_hint': 'The pieces on sale now, not counting those in orders. If some sell while you type, you are told and shown the figure now.',
    'products.restock': 'Set',
    'products.restocked': 'Stock of {label}: {n}.',
    'products.available_one': '{n} on sale',
    'products.available_other': '{n} on sale',
    'products.stock_now': 'It is {n} now: check and set it again.',
    'products.size_add_title': 'A new size',
    'products.size_add_hint': 'Sizes stay once made (orders name them): one no longer sold keeps a stock of 0.',
    'products.size_add': 'Add',
    'products.size_added': 'Size {label} added.',
  },
  fr: {
    'products.price_form': 'Un prix comme 49,90.',
    'products.sku_form': 'Lettres, chiffres, points, tirets et soulignés.',
    'products.nav': 'Produits',
    'products.about': 'Vos produits, leurs tailles, leur stock et leurs photos.',
    'products.title': 'Produits',
    'products.new': 'Nouveau produit',
    'products.new_title': 'Nouveau produit',
    'products.edit_title': 'Modifier le produit',
    'products.back': '← Produits',
    'products.empty': 'Aucun produit pour l\'instant. Créez le premier : un titre, un prix, ses tailles et une photo.',
    'products.on_sale': 'En vente',
    'products.sold_out': 'Épuisé',
    'products.no_photo': 'Pas de photo',
    'products.field.title': 'Titre',
    'products.field.brand': 'Marque',
    'products.field.description': 'Description',
    'products.field.price': 'Prix',
    'products.field.currency': 'Devise',
    'products.price_invalid': 'Un prix comme 49 ou 49,90.',
    'products.photos': 'Photos',
    'products.photos_hint': 'Jusqu\'à 10 photos, JPEG, PNG, WebP ou GIF. La première est montrée pendant les émissions.',
    'products.take_photo': 'Prendre une photo',
    'products.choose_photos': 'Choisir des photos',
    'products.uploading': 'Envoi en cours…',
    'products.photo_left': 'Placer cette photo avant',
    'products.photo_right': 'Placer cette photo après',
    'products.photo_remove': 'Retirer cette photo',
    'products.photos_full': 'Un produit a au plus 10 photos.',
    'products.sizes': 'Tailles',
    'products.sizes_hint': 'Une ligne par taille : son nom tel que l\'acheteur le voit, votre référence (SKU), les pièces en vente.',
    'products.variant.label': 'Taille',
    'products.variant.sku': 'SKU',
    'products.variant.stock': 'Stock',
    'products.variant.remove': 'Retirer cette taille',
    'products.add_variant': 'Ajouter une taille',
    'products.sku_twice': 'Une autre taille a déjà ce SKU.',
    'products.guide': 'Guide des tailles',
    'products.guide_hint': 'Les mesures par taille ; l\'acheteur se voit proposer une taille à partir d\'elles. Laissez vide si vous n\'en avez pas.',
    'products.guide_unit': 'Unité',
    'products.guide_size': 'Taille',
    'products.guide_measure': 'ex. poitrine',
    'products.guide_add_row': 'Ajouter une taille',
    'products.guide_add_col': 'Ajouter une mesure',
    'products.guide_remove_row': 'Retirer cette taille',
    'products.guide_remove_col': 'Retirer cette mesure',
    'products.guide_empty': 'Pas de guide des tailles.',
    'products.save': 'Enregistrer',
    'products.create': 'Créer le produit',
    'products.created': 'Produit créé.',
    'products.saved': 'Modifications enregistrées.',
    'products.stock': 'Stock',
    'products.stock_hint': 'Les pièces en vente maintenant, hors commandes. Si des pièces se vendent pendant que vous tapez, on vous le dit avec le chiffre du moment.',
    'products.restock': 'Valider',
    'products.restocked': 'Stock de {label} : {n}.',
    'products.available_one': '{n} en vente',
    'products.available_other': '{n} en vente',
    'products.stock_now': 'Il est de {n} maintenant : vérifiez et validez à nouveau.',
    'products.size_add_title': 'Une nouvelle taille',
    'products.size_add_hint': 'Une taille créée reste (les commandes la citent) : celle qui n\'est plus vendue garde un stock de 0.',
    'products.size_add': 'Ajouter',
    'products.size_added': 'Taille {label} ajoutée.',
  },
};

// --- the list ---------------------------------------------------------------------------------------

function thumb(product) {
  const [first] = product.images || [];
  return first
    ? el('img', { class: 'p-thumb', src: first, alt: '', loading: 'lazy', width: 56, height: 56 })
    : el('span', { class: 'p-thumb p-thumb-none', text: t('products.no_photo') });
}

function productRow(product) {
  const soldOut = product.variants.every((v) => v.available <= 0);
  return el('li', {}, el('a', { class: 's-row p-row', href: `#/products/${encodeURIComponent(product.id)}`,
    dataset: { testid: 'product-row', id: product.id } },
  thumb(product),
  el('span', { class: 'p-main' }, el('strong', { class: 'p-title', text: product.title }),
    product.brand ? el('span', { class: 'hint p-brand', text: product.brand }) : null,
    el('span', { class: 'p-stock', dataset: { testid: 'product-stock' } }, product.variants.map((v) => el('span', {
      class: 'p-chip', text: `${v.label} · ${v.available}` })))),
  el('span', { class: 'p-side' },
    el('span', { class: 'p-price', dataset: { testid: 'product-price' }, text: money(product.price) }),
    el('span', { class: `badge ${soldOut ? 'p-badge-out' : 'p-badge-on'}`, dataset: { testid: 'product-status' },
      text: t(soldOut ? 'products.sold_out' : 'products.on_sale') }))));
}

async function renderList(view, ctx) {
  const mine = ctx.user.role === 'admin' ? '' : `?seller_id=${encodeURIComponent(ctx.user.id)}`;
  const { items } = await ctx.api('GET', `/api/products${mine}`);
  view.append(el('div', { class: 's-head' }, el('h1', { text: t('products.title') }),
    el('a', { class: 'btn btn-primary', href: '#/products/new', dataset: { testid: 'product-new' },
      text: t('products.new') })));
  view.append(items.length
    ? el('ul', { class: 's-list', dataset: { testid: 'products-list' } }, items.map(productRow))
    : el('p', { class: 's-empty', dataset: { testid: 'products-empty' }, text: t('products.empty') }));
}

// --- the form's parts -------------------------------------------------------------------------------

function field(labelKey, input, id) {
  input.id = id;
  return [el('label', { class: 'label', for: id, text: t(labelKey) }), input];
}

function iconButton(text, labelKey, onclick, testid) {
  return el('button', { type: 'button', class: 'btn btn-small btn-ghost', 'aria-label': t(labelKey),
    title: t(labelKey), dataset: { testid }, onclick, text });
}

/** A large photo scaled down in the browser, upright, before it is sent (the server decodes, strips and encodes
 *  it again whatever comes); the file itself when it is small, or when this browser cannot read it (the server
 *  then says why). Transparent kinds stay PNG. */
async function shrink(file) {
  if (file.size <= SHRINK_OVER || typeof createImageBitmap !== 'function') return file;
  try {
    const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = el('canvas', { width: Math.round(bitmap.width * scale), height: Math.round(bitmap.height * scale) });
    canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const type = /png|webp|gif/.test(file.type) ? 'image/png' : 'image/jpeg';
    const blob = await new Promise((resolve) => { canvas.toBlob(resolve, type, 0.85); });
    if (!blob || blob.size >= file.size) return file;
    return new File([blob], `${file.name.replace(/\.[^.]*$/, '')}.${type === 'image/png' ? 'png' : 'jpg'}`, { type });
  } catch {
    return file;
  }
}

/** The photos: uploaded at once, shown in their order; moved earlier or later, removed. */
function photos(ctx, initial) {
  const urls = [...initial];
  const list = el('ul', { class: 'p-photos', dataset: { testid: 'product-photos' } });
  const status = el('p', { class: 'hint', role: 'status', hidden: true, text: t('products.uploading') });
  const problem = el('p', { class: 'field-error', role: 'alert', dataset: { testid: 'upload-error' }, hidden: true });

  const draw = () => {
    list.replaceChildren(...urls.map((url, i) => el('li', { class: 'p-photo', dataset: { testid: 'product-photo' } },
      el('img', { src: url, alt: '', width: 96, height: 96 }),
      el('span', { class: 'p-photo-tools' },
        iconButton('←', 'products.photo_left', () => move(i, -1), 'photo-left'),
        iconButton('→', 'products.photo_right', () => move(i, 1), 'photo-right'),
        iconButton('✕', 'products.photo_remove', () => { urls.splice(i, 1); draw(); }, 'photo-remove')))));
    for (const input of pickers) input.disabled = urls.length >= MAX_IMAGES;
  };
  const move = (i, step) => {
    const j = i + step;
    if (j < 0 || j >= urls.length) return;
    [urls[i], urls[j]] = [urls[j], urls[i]];
    draw();
  };
  const upload = async (input) => {
    const files = [...input.files];
    input.value = '';
    problem.hidden = true;
    if (urls.length + files.length > MAX_IMAGES) {
      problem.textContent = t('products.photos_full');
      problem.hidden = false;
    }
    status.hidden = false;
    try {
      for (const file of files.slice(0, MAX_IMAGES - urls.length)) {
        const body = new FormData();
        const sent = await shrink(file);
        body.append('file', sent, sent.name);
        try {
          const answer = await ctx.api('POST', '/api/media', { body });
          urls.push(answer.url);
          draw();
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          problem.textContent = `${file.name}: ${errorText(err.error)}`;
          problem.hidden = false;
        }
      }
    } finally {
      status.hidden = true;
    }
  };
  // two ways in: the camera (on a phone, `capture` opens it), or the phone's photos and the computer's files
  const camera = el('input', { type: 'file', accept: 'image/*', capture: 'environment', class: 'p-file',
    dataset: { testid: 'photo-camera' }, onchange: (e) => upload(e.target) });
  const files = el('input', { type: 'file', accept: 'image/*', multiple: true, class: 'p-file',
    dataset: { testid: 'photo-files' }, onchange: (e) => upload(e.target) });
  const pickers = [camera, files];
  const block = el('div', { class: 'p-block', 'data-error-for': 'images' },
    el('h2', { class: 'p-block-title', text: t('products.photos') }),
    el('p', { class: 'hint', text: t('products.photos_hint') }),
    list,
    el('div', { class: 'p-pickers' },
      el('label', { class: 'btn btn-small' }, camera, el('span', { text: t('products.take_photo') })),
      el('label', { class: 'btn btn-small' }, files, el('span', { text: t('products.choose_photos') }))),
    status, problem);
  draw();
  return { block, value: () => [...urls] };
}

/** The sizes of a new product: label, SKU and stock per row; rows added and removed. */
function variantRows() {
  const body = el('div', { class: 'p-variants', dataset: { testid: 'variants' } });
  const cell = (input) => el('div', { class: 'p-cell' }, input);
  const addRow = (v = { label: '', sku: '', stock: 0 }) => {
    const row = el('div', { class: 'p-variant', dataset: { testid: 'variant-row' } },
      cell(el('input', { class: 'field', required: true, maxlength: 40, value: v.label, autocomplete: 'off',
        'aria-label': t('products.variant.label'), placeholder: t('products.variant.label'),
        dataset: { testid: 'variant-label', part: 'label' } })),
      cell(el('input', { class: 'field', required: true, maxlength: 64, pattern: SKU_PATTERN, value: v.sku,
        autocomplete: 'off', autocapitalize: 'characters', 'aria-label': t('products.variant.sku'),
        placeholder: t('products.variant.sku'), dataset: { testid: 'variant-sku', part: 'sku', patternHint: 'products.sku_form' } })),
      cell(el('input', { class: 'field', type: 'number', required: true, min: 0, max: MAX_STOCK, step: 1,
        inputmode: 'numeric', value: String(v.stock), 'aria-label': t('products.variant.stock'),
        dataset: { testid: 'variant-stock', part: 'stock' } })),
      iconButton('✕', 'products.variant.remove', () => { row.remove(); renumber(); }, 'variant-remove'));
    body.append(row);
    renumber();
  };
  // the inputs' names are the API's fields (variants.1.sku): a refusal is shown by the input it concerns
  const renumber = () => {
    const rows = [...body.children];
    rows.forEach((row, i) => {
      for (const input of row.querySelectorAll('input')) input.name = `variants.${i}.${input.dataset.part}`;
      row.querySelector('[data-testid="variant-remove"]').disabled = rows.length <= 1;
    });
    add.disabled = rows.length >= MAX_VARIANTS;
  };
  const add = el('button', { type: 'button', class: 'btn btn-small', dataset: { testid: 'variant-add' },
    text: t('products.add_variant'), onclick: () => addRow() });
  const block = el('div', { class: 'p-block', 'data-error-for': 'variants' },
    el('h2', { class: 'p-block-title', text: t('products.sizes') }),
    el('p', { class: 'hint', text: t('products.sizes_hint') }),
    el('div', { class: 'p-variant p-variant-head', 'aria-hidden': 'true' },
      ['products.variant.label', 'products.variant.sku', 'products.variant.stock'].map((k) => el('span', {
        class: 'hint', text: t(k) })), el('span')),
    body, add);
  addRow();
  const value = () => [...body.children].map((row) => {
    const part = (name) => row.querySelector(`[data-part="${name}"]`).value;
    return { label: part('label').trim(), sku: part('sku').trim(), stock: Number(part('stock')) };
  });
  return { block, value };
}

/** The size guide's table: a header row of measurement names, a row per size; rows and columns added and
 *  removed. Empty (no row): no guide. */
function sizeGuide(initial) {
  const columns = [];
  for (const row of (initial && initial.sizes) || []) {
    for (const name of Object.keys(row.measurements)) if (!columns.includes(name)) columns.push(name);
  }
  const rows = ((initial && initial.sizes) || []).map((row) => ({
    label: row.label, values: columns.map((c) => (c in row.measurements ? String(row.measurements[c]) : '')) }));
  const unit = el('select', { class: 'field p-unit', name: 'size_guide.unit', dataset: { testid: 'guide-unit' } },
    ['cm', 'in'].map((u) => el('option', { value: u, text: u, selected: (initial ? initial.unit : 'cm') === u })));
  const table = el('table', { class: 'p-guide', dataset: { testid: 'size-guide' } });
  const empty = el('p', { class: 'hint', text: t('products.guide_empty') });
  const addRow = el('button', { type: 'button', class: 'btn btn-small', dataset: { testid: 'guide-add-row' },
    text: t('products.guide_add_row'), onclick: () => {
      rows.push({ label: '', values: columns.map(() => '') });
      if (!columns.length) columns.push('');
      rows.forEach((r) => { while (r.values.length < columns.length) r.values.push(''); });
      draw();
    } });
  const addCol = el('button', { type: 'button', class: 'btn btn-small', dataset: { testid: 'guide-add-col' },
    text: t('products.guide_add_col'), onclick: () => {
      columns.push('');
      rows.forEach((r) => r.values.push(''));
      draw();
    } });

  const input = (attrs, read, write) => el('input', { class: 'field', ...attrs, value: read(),
    oninput: (e) => write(e.target.value) });
  const draw = () => {
    const head = el('tr', {}, el('th', { scope: 'col', text: t('products.guide_size') }), columns.map((name, c) => el('th', {
      scope: 'col' }, el('span', { class: 'p-guide-col' },
      input({ name: `size_guide.columns.${c}`, required: true, maxlength: 30, placeholder: t('products.guide_measure'),
        'aria-label': t('products.guide_measure'), dataset: { testid: 'guide-col' } },
      () => columns[c], (v) => { columns[c] = v; }),
      iconButton('✕', 'products.guide_remove_col', () => {
        columns.splice(c, 1);
        rows.forEach((r) => r.values.splice(c, 1));
        draw();
      }, 'guide-remove-col')))), el('th'));
    const body = rows.map((row, r) => el('tr', { dataset: { testid: 'guide-row' } },
      el('th', { scope: 'row' }, input({ name: `size_guide.sizes.${r}.label`, required: true, maxlength: 40,
        'aria-label': t('products.guide_size'), dataset: { testid: 'guide-label' } },
      () => row.label, (v) => { row.label = v; })),
      columns.map((_, c) => el('td', {}, input({ name: `size_guide.sizes.${r}.measurements.${c}`, type: 'number',
        min: 0.1, max: 999.9, step: 'any', inputmode: 'decimal', 'aria-label': columns[c] || t('products.guide_measure'),
        dataset: { testid: 'guide-cell' } }, () => row.values[c], (v) => { row.values[c] = v; }))),
      el('td', {}, iconButton('✕', 'products.guide_remove_row', () => { rows.splice(r, 1); draw(); },
        'guide-remove-row'))));
    table.replaceChildren(...(rows.length ? [el('thead', {}, head), el('tbody', {}, body)] : []));
    empty.hidden = rows.length > 0;
    addRow.disabled = rows.length >= MAX_SIZES;
    addCol.disabled = columns.length >= MAX_MEASURES || !rows.length;
  };
  const block = el('div', { class: 'p-block', 'data-error-for': 'size_guide' },
    el('h2', { class: 'p-block-title', text: t('products.guide') }),
    el('p', { class: 'hint', text: t('products.guide_hint') }),
    el('label', { class: 'label p-unit-label' }, el('span', { text: t('products.guide_unit') }), unit),
    el('div', { class: 'p-guide-wrap' }, table), empty,
    el('div', { class: 'p-pickers' }, addRow, addCol));
  draw();
  const value = () => (rows.length ? {
    unit: unit.value,
    sizes: rows.map((row) => ({ label: row.label.trim(), measurements: Object.fromEntries(columns
      .map((name, c) => [name.trim(), row.values[c]]).filter(([, v]) => v !== '').map(([n, v]) => [n, Number(v)])) })),
  } : null);
  return { block, value };
}

/** A product's stock, one small form per size: PUT the new figure with the one read as `expected`. */
function stockPanel(ctx, product) {
  const rows = product.variants.map((variant) => {
    let expected = variant.available;
    const now = el('span', { class: 'hint', dataset: { testid: 'variant-available' },
      text: plural('products.available', expected) });
    const form = el('form', { class: 'p-restock', dataset: { testid: 'restock', sku: variant.sku } },
      el('span', { class: 'p-restock-name' }, el('strong', { text: variant.label }),
        el('span', { class: 'hint', text: variant.sku }), now),
      el('div', { class: 'p-cell' }, el('input', { class: 'field', name: 'stock', type: 'number', required: true,
        min: 0, max: MAX_STOCK, step: 1, inputmode: 'numeric', value: String(expected),
        'aria-label': `${t('products.stock')} ${variant.label}`, dataset: { testid: 'restock-stock' } })),
      el('button', { type: 'submit', class: 'btn btn-small btn-primary', dataset: { testid: 'restock-save' },
        text: t('products.restock') }));
    ctx.bindForm(form, {
      submit: async (values) => {
        const stock = Number(values.stock);
        try {
          const answer = await ctx.api('PUT', `/api/products/${encodeURIComponent(product.id)}/variants/${
            encodeURIComponent(variant.id)}/stock`, { body: { stock, expected } });
          const fresh = answer.variants.find((v) => v.id === variant.id);
          expected = fresh ? fresh.available : stock;
          now.textContent = plural('products.available', expected);
          ctx.toast(t('products.restocked', { label: variant.label, n: expected }), 'success');
        } catch (err) {
          if (err instanceof ApiError && err.error.code === 'stock_changed' && err.error.details) {
            expected = Number(err.error.details.stock);
            now.textContent = plural('products.available', expected);
            throw new ApiError(err.status, { ...err.error,
              details: [{ field: 'stock', message: t('products.stock_now', { n: expected }) }] });
          }
          throw err;
        }
      },
    });
    return form;
  });
  return el('section', { class: 'panel p-stock-panel', dataset: { testid: 'stock-panel' } },
    el('h2', { class: 'p-block-title', text: t('products.stock') }),
    el('p', { class: 'hint', text: t('products.stock_hint') }), rows,
    product.variants.length < MAX_VARIANTS ? newSize(ctx, product) : null);
}

/** A size more for a product already made (sizes are never removed: orders name them; set its stock to 0). */
function newSize(ctx, product) {
  const form = el('form', { class: 'p-new-size', dataset: { testid: 'size-add-form' } },
    el('h3', { class: 'p-block-title', text: t('products.size_add_title') }),
    el('p', { class: 'hint', text: t('products.size_add_hint') }),
    el('div', { class: 'p-variant' },
      el('div', { class: 'p-cell' }, el('input', { class: 'field', name: 'label', required: true, maxlength: 40,
        autocomplete: 'off', 'aria-label': t('products.variant.label'), placeholder: t('products.variant.label'),
        dataset: { testid: 'size-add-label' } })),
      el('div', { class: 'p-cell' }, el('input', { class: 'field', name: 'sku', required: true, maxlength: 64,
        pattern: SKU_PATTERN, autocomplete: 'off', autocapitalize: 'characters', 'aria-label': t('products.variant.sku'),
        placeholder: t('products.variant.sku'), dataset: { testid: 'size-add-sku', patternHint: 'products.sku_form' } })),
      el('div', { class: 'p-cell' }, el('input', { class: 'field', name: 'stock', type: 'number', required: true,
        min: 0, max: MAX_STOCK, step: 1, inputmode: 'numeric', value: '0', 'aria-label': t('products.variant.stock'),
        dataset: { testid: 'size-add-stock' } })),
      el('button', { type: 'submit', class: 'btn btn-small', dataset: { testid: 'size-add' }, text: t('products.size_add') })));
  ctx.bindForm(form, {
    submit: async (values) => {
      try {
        await ctx.api('POST', `/api/products/${encodeURIComponent(product.id)}/variants`, {
          body: { label: values.label.trim(), sku: values.sku.trim(), stock: Number(values.stock) } });
      } catch (err) {
        throw localised(err);
      }
      ctx.toast(t('products.size_added', { label: values.label.trim() }), 'success');
      ctx.refresh();
    },
  });
  return form;
}

// --- the form ---------------------------------------------------------------------------------------

/** The API's refusal, said in the page's language where the page knows better (a SKU given twice). */
function localised(err) {
  if (err instanceof ApiError && err.error.code === 'duplicate_sku' && Array.isArray(err.error.details)) {
    return new ApiError(err.status, { ...err.error,
      details: err.error.details.map((d) => ({ field: d.field, message: t('products.sku_twice') })) });
  }
  return err;
}

function renderForm(view, ctx, product) {
  const editing = Boolean(product);
  const price = product ? product.price : { amount: null, currency: 'EUR' };
  const digits = currencyDigits(price.currency);
  const title = el('input', { class: 'field', name: 'title', required: true, maxlength: 200,
    value: product ? product.title : '', dataset: { testid: 'product-title' } });
  const brand = el('input', { class: 'field', name: 'brand', maxlength: 100, value: product ? product.brand : '',
    dataset: { testid: 'product-brand' } });
  const description = el('textarea', { class: 'field', name: 'description', maxlength: 5000, rows: 4,
    dataset: { testid: 'product-description' } });
  description.value = product ? product.description : '';
  const amount = el('input', { class: 'field', name: 'price', required: true, inputmode: 'decimal',
    pattern: PRICE_PATTERN, autocomplete: 'off', placeholder: '49.90', dataset: { testid: 'product-price', patternHint: 'products.price_form' },
    value: price.amount === null ? '' : (price.amount / 10 ** digits).toFixed(digits) });
  const currencies = CURRENCIES.includes(price.currency) ? CURRENCIES : [price.currency, ...CURRENCIES];
  const currency = el('select', { class: 'field', name: 'currency', dataset: { testid: 'product-currency' } },
    currencies.map((c) => el('option', { value: c, text: c, selected: c === price.currency })));
  const pictures = photos(ctx, product ? product.images : []);
  const variants = editing ? null : variantRows();
  const guide = sizeGuide(product ? product.size_guide : null);

  const form = el('form', { class: 's-form p-form', dataset: { testid: 'product-form' } },
    ...field('products.field.title', title, 'p-title'),
    el('div', { class: 'p-price-row' },
      el('div', { class: 's-form' }, ...field('products.field.price', amount, 'p-price')),
      el('div', { class: 's-form' }, ...field('products.field.currency', currency, 'p-currency'))),
    ...field('products.field.brand', brand, 'p-brand'),
    ...field('products.field.description', description, 'p-description'),
    pictures.block,
    variants ? variants.block : null,
    guide.block,
    el('p', { class: 'form-error', role: 'alert', hidden: true, dataset: { testid: 'form-error' } }),
    el('div', { class: 's-actions' }, el('button', { type: 'submit', class: 'btn btn-primary',
      dataset: { testid: 'product-save' }, text: t(editing ? 'products.save' : 'products.create') })));

  ctx.bindForm(form, {
    submit: async (values) => {
      const minor = toMinor(values.price, values.currency);
      if (minor === null) {
        throw new ApiError(422, { code: 'invalid_request', details: [{ field: 'price', message: t('products.price_invalid') }] });
      }
      const body = {
        title: values.title.trim(), brand: values.brand.trim(), description: values.description,
        price: { amount: minor, currency: values.currency }, images: pictures.value(), size_guide: guide.value(),
      };
      if (!editing) body.variants = variants.value();
      try {
        if (editing) {
          await ctx.api('PATCH', `/api/products/${encodeURIComponent(product.id)}`, { body });
          ctx.toast(t('products.saved'), 'success');
          ctx.refresh();
        } else {
          const created = await ctx.api('POST', '/api/products', { body });
          ctx.toast(t('products.created'), 'success');
          ctx.navigate(`#/products/${encodeURIComponent(created.id)}`);
        }
      } catch (err) {
        throw localised(err);
      }
    },
  });

  view.append(
    el('a', { class: 'p-back', href: '#/products', dataset: { testid: 'products-back' }, text: t('products.back') }),
    el('div', { class: 's-head' }, el('h1', { text: t(editing ? 'products.edit_title' : 'products.new_title') })),
    form,
  );
  if (editing) view.append(stockPanel(ctx, product));
}

export default {
  id: 'products',
  order: 20,
  roles: ['seller', 'admin'],
  nav: 'products.nav',
  strings,
  async render(view, ctx) {
    const [first] = ctx.params;
    if (!first) return renderList(view, ctx);
    if (first === 'new') return renderForm(view, ctx, null);
    return renderForm(view, ctx, await ctx.api('GET', `/api/products/${encodeURIComponent(first)}`));
  },
};
