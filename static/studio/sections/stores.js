// The seller's pop-up stores: #/stores creates one and lists them; #/stores/<id> is a store's page: its items
// (add one of the seller's products, or one size of it; take one off, confirmed), and its labels, screen (with
// its link to copy) and stats pages.
import { ApiError } from '/static/api.js';
import { errorText, formatDate, plural, t } from '/static/i18n.js';
import { choices, fill, labelled, pages } from '/static/studio/selling.js';
import { el } from '/static/ui.js';

function storeRow(store) {
  const dates = [store.opens_on, store.closes_on].filter(Boolean).map((d) => formatDate(d, { day: 'numeric', month: 'short' }));
  return el('li', {}, el('a', { class: 's-row', href: `#/stores/${encodeURIComponent(store.id)}`,
    dataset: { testid: 'store-row', id: store.id } },
  el('strong', { text: store.name }),
  store.address ? el('span', { class: 'hint', text: store.address }) : null,
  dates.length ? el('span', { text: dates.join(' – ') }) : null,
  el('span', { class: 'badge', text: plural('stores.items_count', store.item_count) })));
}

function createForm(ctx) {
  const form = el('form', { class: 's-form panel', dataset: { testid: 'store-form' } },
    el('h2', { text: t('stores.new') }),
    labelled('store-name', 'stores.name', el('input', { class: 'field', name: 'name', required: true, maxlength: 120,
      dataset: { testid: 'store-name' } })),
    labelled('store-address', 'stores.address', el('input', { class: 'field', name: 'address', maxlength: 300,
      autocomplete: 'street-address', dataset: { testid: 'store-address' } })),
    el('div', { class: 's-grid' },
      labelled('store-opens', 'stores.opens_on', el('input', { class: 'field', name: 'opens_on', type: 'date',
        dataset: { testid: 'store-opens' } })),
      labelled('store-closes', 'stores.closes_on', el('input', { class: 'field', name: 'closes_on', type: 'date',
        dataset: { testid: 'store-closes' } }))),
    el('div', { class: 's-actions' }, el('button', { class: 'btn btn-primary', type: 'submit',
      dataset: { testid: 'store-create' }, text: t('stores.create') })));
  ctx.bindForm(form, {
    submit: async (values) => {
      const store = await ctx.api('POST', '/api/stores', { body: {
        name: values.name.trim(), address: values.address.trim(),
        opens_on: values.opens_on || null, closes_on: values.closes_on || null } });
      ctx.toast(t('stores.created', { name: store.name }), 'info');
      ctx.navigate(`#/stores/${encodeURIComponent(store.id)}`);
    },
  });
  return form;
}

async function renderList(view, ctx) {
  const stores = await ctx.api('GET', '/api/stores');
  fill(view, [
    el('div', { class: 's-head' }, el('h1', { text: t('stores.title') })),
    createForm(ctx),
    stores.items.length
      ? el('ul', { class: 's-list', dataset: { testid: 'stores-list' } }, stores.items.map(storeRow))
      : el('p', { class: 's-empty', dataset: { testid: 'stores-empty' }, text: t('stores.none') }),
  ]);
}

// --- one store ---------------------------------------------------------------------------------------------

function describe(item, products) {
  const product = products.get(item.product_id);
  if (!product) return { title: item.product_id, size: '' };
  const variant = product.variants.find((v) => v.id === item.variant_id);
  return { title: product.title, size: variant ? variant.label : t('stores.all_sizes') };
}

async function copy(text, ctx) {
  try {
    await navigator.clipboard.writeText(text);
    ctx.toast(t('stores.copied'), 'info');
  } catch {
    ctx.toast(t('stores.copy_failed'), 'error'); // the link stays on screen to copy by hand
  }
}

async function renderStore(view, ctx, storeId) {
  const path = `/api/stores/${encodeURIComponent(storeId)}`;
  const [store, products] = await Promise.all([
    ctx.api('GET', path),
    ctx.api('GET', `/api/products?seller_id=${encodeURIComponent(ctx.user.id)}`),
  ]);
  const byId = new Map(products.items.map((p) => [p.id, p]));
  const base = `/stores/${encodeURIComponent(store.id)}`;
  const screenUrl = new URL(`${base}/screen`, location.origin).href;

  const offered = [];
  for (const product of products.items) {
    offered.push([product.id, t('stores.product_all', { title: product.title })]);
    for (const variant of product.variants) {
      offered.push([`${product.id}:${variant.id}`, t('stores.product_size', { title: product.title, size: variant.label })]);
    }
  }
  const addForm = el('form', { class: 's-form panel', dataset: { testid: 'item-form' } },
    el('h2', { text: t('stores.add_title') }),
    labelled('item-product', 'stores.product', choices('product', [['', t('stores.pick')], ...offered], '',
      { required: true, dataset: { testid: 'item-product' } })),
    el('div', { class: 's-actions' }, el('button', { class: 'btn btn-primary', type: 'submit',
      dataset: { testid: 'item-add' }, text: t('stores.add') })));
  ctx.bindForm(addForm, {
    fields: { product_not_found: 'product', variant_not_found: 'product', not_product_seller: 'product',
      store_full: 'product' },
    submit: async (values) => {
      const [productId, variantId] = values.product.split(':');
      await ctx.api('POST', `${path}/items`, { body: { product_id: productId, variant_id: variantId || null } });
      ctx.toast(t('stores.added'), 'info');
      ctx.refresh();
    },
  });

  const problem = el('p', { class: 'form-error', role: 'alert', dataset: { testid: 'store-error' }, hidden: true });
  const itemRow = (item) => {
    const { title, size } = describe(item, byId);
    const revoke = el('button', { class: 'btn btn-small btn-danger', type: 'button', dataset: { testid: 'item-revoke' },
      text: t('stores.revoke') });
    revoke.addEventListener('click', async () => {
      const ok = await ctx.confirm(t('stores.confirm_revoke', { title, size, store: store.name }),
        { confirm: t('stores.revoke'), danger: true });
      if (!ok) return;
      try {
        await ctx.api('DELETE', `${path}/items/${encodeURIComponent(item.id)}`);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        problem.textContent = errorText(err.error);
        problem.hidden = false;
        return;
      }
      ctx.toast(t('stores.revoked', { title }), 'info');
      ctx.refresh();
    });
    return el('li', { class: 's-row', dataset: { testid: 'item-row', id: item.id } },
      el('img', { class: 'sell-qr', src: item.qr_svg, alt: '', width: 56, height: 56 }),
      el('strong', { text: title }), el('span', { text: size }), revoke);
  };

  const screenLink = el('input', { class: 'field sell-link', readOnly: true, value: screenUrl,
    dataset: { testid: 'screen-url' }, 'aria-label': t('stores.screen_link') });
  fill(view, [
    el('p', { class: 'sell-back' }, el('a', { href: '#/stores', text: t('stores.back') })),
    el('div', { class: 's-head' }, el('h1', { text: store.name })),
    store.address ? el('p', { class: 'hint', text: store.address }) : null,
    el('nav', { class: 's-actions sell-store-links', 'aria-label': t('stores.pages') },
      el('a', { class: 'btn', href: `${base}/labels`, target: '_blank', rel: 'noopener', dataset: { testid: 'store-labels' },
        text: t('stores.labels') }),
      el('a', { class: 'btn', href: `${base}/screen`, target: '_blank', rel: 'noopener', dataset: { testid: 'store-screen' },
        text: t('stores.screen') }),
      el('a', { class: 'btn', href: `${base}/stats`, target: '_blank', rel: 'noopener', dataset: { testid: 'store-stats' },
        text: t('stores.stats') })),
    el('div', { class: 'panel sell-copy' },
      labelled('store-screen-url', 'stores.screen_link', screenLink, t('stores.screen_hint')),
      el('div', { class: 's-actions' }, el('button', { class: 'btn btn-small', type: 'button', dataset: { testid: 'screen-copy' },
        text: t('stores.copy'), onclick: () => copy(screenUrl, ctx) }))),
    addForm,
    el('h2', { text: plural('stores.items_count', store.items.length) }),
    store.items.length
      ? el('ul', { class: 's-list', dataset: { testid: 'items-list' } }, store.items.map(itemRow))
      : el('p', { class: 's-empty', dataset: { testid: 'items-empty' }, text: t('stores.no_items') }),
    problem,
  ]);
}

export default {
  id: 'stores',
  order: 45,
  roles: ['seller', 'admin'],
  nav: 'stores.nav',
  strings: {
    en: {
      'stores.nav': 'Stores',
      'stores.about': 'Pop-up stores: the products on their shelves, labels to print, the screen.',
      'stores.title': 'Pop-up stores',
      'stores.new': 'New store',
      'stores.name': 'Name',
      'stores.address': 'Address (optional)',
      'stores.opens_on': 'Opens (optional)',
      'stores.closes_on': 'Closes (optional)',
      'stores.create': 'Create store',
      'stores.created': 'Store {name} created.',
      'stores.none': 'No stores yet.',
      'stores.items_count_one': '{n} item on sale',
      'stores.items_count_other': '{n} items on sale',
      'stores.back': '← All stores',
      'stores.pages': 'The store\'s pages',
      'stores.labels': 'Print labels',
      'stores.screen': 'Open the screen',
      'stores.stats': 'Stats',
      'stores.screen_link': 'The screen\'s link',
      'stores.screen_hint': 'Open it on the store\'s big screen: it plays the show with a code to buy.',
      'stores.copy': 'Copy the link',
      'stores.copied': 'Link copied.',
      'stores.copy_failed': 'Could not copy: select the link and copy it.',
      'stores.add_title': 'Put a product on the shelves',
      'stores.product': 'Product',
      'stores.pick': 'Pick a product…',
      'stores.product_all': '{title} — every size',
      'stores.product_size': '{title} — size {size}',
      'stores.all_sizes': 'Every size',
      'stores.add': 'Add',
      'stores.added': 'Item added: its code is ready to print.',
      'stores.no_items': 'Nothing on the shelves yet.',
      'stores.revoke': 'Take off sale',
      'stores.confirm_revoke': 'Take {title} ({size}) off sale in {store}? Its printed code stops working.',
      'stores.revoked': '{title} is off sale.',
    },
    fr: {
      'stores.nav': 'Boutiques',
      'stores.about': 'Boutiques éphémères : les produits en rayon, les étiquettes à imprimer, l\'écran.',
      'stores.title': 'Boutiques éphémères',
      'stores.new': 'Nouvelle boutique',
      'stores.name': 'Nom',
      'stores.address': 'Adresse (facultatif)',
      'stores.opens_on': 'Ouverture (facultatif)',
      'stores.closes_on': 'Fermeture (facultatif)',
      'stores.create': 'Créer la boutique',
      'stores.created': 'Boutique {name} créée.',
      'stores.none': 'Pas encore de boutique.',
      'stores.items_count_one': '{n} article en vente',
      'stores.items_count_other': '{n} articles en vente',
      'stores.back': '← Toutes les boutiques',
      'stores.pages': 'Les pages de la boutique',
      'stores.labels': 'Imprimer les étiquettes',
      'stores.screen': 'Ouvrir l\'écran',
      'stores.stats': 'Statistiques',
      'stores.screen_link': 'Le lien de l\'écran',
      'stores.screen_hint': 'Ouvrez-le sur le grand écran de la boutique : il diffuse l\'émission avec un code pour acheter.',
      'stores.copy': 'Copier le lien',
      'stores.copied': 'Lien copié.',
      'stores.copy_failed': 'Copie impossible : sélectionnez le lien et copiez-le.',
      'stores.add_title': 'Mettre un produit en rayon',
      'stores.product': 'Produit',
      'stores.pick': 'Choisissez un produit…',
      'stores.product_all': '{title} — toutes les tailles',
      'stores.product_size': '{title} — taille {size}',
      'stores.all_sizes': 'Toutes les tailles',
      'stores.add': 'Ajouter',
      'stores.added': 'Article ajouté : son code est prêt à imprimer.',
      'stores.no_items': 'Rien en rayon pour l\'instant.',
      'stores.revoke': 'Retirer de la vente',
      'stores.confirm_revoke': 'Retirer {title} ({size}) de la vente dans {store} ? Son code imprimé ne marchera plus.',
      'stores.revoked': '{title} est retiré de la vente.',
    },
  },
  render: pages(renderList, renderStore),
};
