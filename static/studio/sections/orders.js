// The seller's orders: #/orders?status=&show_id=&store_id=&from=&to= (the filters live in the fragment, so a
// reload or Back keeps them), pages on demand, the CSV export of what is filtered; #/orders/<id>: one order
// with the moves its status allows (ship with a tracking number, deliver, cancel, refund), each confirmed.
import { ApiError } from '/static/api.js';
import { errorText, formatDate, money, t } from '/static/i18n.js';
import { STATUSES, choices, fill, labelled, pages, queryOf, statusBadge } from '/static/studio/selling.js';
import { el } from '/static/ui.js';

const FILTERS = ['status', 'show_id', 'store_id', 'from', 'to'];
const WHEN = { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' };
let lastFilters = ''; // the list's query, for the order page's way back

function filtersOf(query) {
  return queryOf(Object.fromEntries(FILTERS.map((name) => [name, query.get(name) || ''])));
}

/** Any status, each status, and the link's own several (`paid,shipped`, which the API takes) when it has them. */
function statusChoices(current) {
  const pairs = [['', t('orders.filter.any_status')], ...STATUSES.map((s) => [s, t(`orders.status.${s}`)])];
  if (current && !STATUSES.includes(current)) {
    pairs.push([current, current.split(',').map((s) => t(`orders.status.${s.trim()}`)).join(' + ')]);
  }
  return pairs;
}

function items(order) {
  return `${order.product.title} · ${order.variant.label} × ${order.quantity}`;
}

function payment(order) {
  if (order.status === 'refunded') return t('orders.pay.refunded');
  if (order.paid_at) return t('orders.pay.paid', { date: formatDate(order.paid_at, WHEN) });
  if (order.status === 'pending') return t(order.payment.declined_at ? 'orders.pay.declined' : 'orders.pay.waiting');
  return t('orders.pay.none');
}

function row(order) {
  return el('li', {}, el('a', { class: 's-row sell-order', href: `#/orders/${encodeURIComponent(order.id)}`,
    dataset: { testid: 'order-row', id: order.id, status: order.status } },
  el('span', { class: 'sell-when', text: formatDate(order.created_at, WHEN) }),
  el('strong', { class: 'sell-buyer', text: order.buyer.name }),
  el('span', { class: 'sell-items', text: items(order) }),
  el('span', { class: 'sell-total', text: money(order.total) }),
  statusBadge(order.status),
  el('span', { class: 'hint sell-pay', text: payment(order) })));
}

async function renderList(view, ctx) {
  const filters = filtersOf(ctx.query);
  lastFilters = filters.toString();
  const [page, shows, stores] = await Promise.all([
    ctx.api('GET', `/api/orders?${filters}`),
    ctx.api('GET', '/api/sellers/me/shows'),
    ctx.api('GET', '/api/stores'),
  ]);
  const go = (changes) => {
    const next = filtersOf(new URLSearchParams({ ...Object.fromEntries(filters), ...changes }));
    ctx.navigate(`#/orders${next.toString() ? `?${next}` : ''}`);
  };
  const bar = el('form', { class: 's-toolbar sell-filters', dataset: { testid: 'orders-filters' },
    onsubmit: (event) => event.preventDefault() },
  labelled('orders-status', 'orders.filter.status', choices('status', statusChoices(filters.get('status') || ''),
    filters.get('status') || '', { dataset: { testid: 'filter-status' } })),
  labelled('orders-show', 'orders.filter.show', choices('show_id',
    [['', t('orders.filter.any_show')], ...shows.items.map((s) => [s.id, s.title])],
    filters.get('show_id') || '', { dataset: { testid: 'filter-show' } })),
  labelled('orders-store', 'orders.filter.store', choices('store_id',
    [['', t('orders.filter.any_store')], ...stores.items.map((s) => [s.id, s.name])],
    filters.get('store_id') || '', { dataset: { testid: 'filter-store' } })),
  labelled('orders-from', 'orders.filter.from', el('input', { class: 'field', type: 'date', name: 'from',
    value: filters.get('from') || '', dataset: { testid: 'filter-from' } })),
  labelled('orders-to', 'orders.filter.to', el('input', { class: 'field', type: 'date', name: 'to',
    value: filters.get('to') || '', dataset: { testid: 'filter-to' } })));
  bar.addEventListener('change', (event) => go({ [event.target.name]: event.target.value }));

  const list = el('ul', { class: 's-list', dataset: { testid: 'orders-list' } }, page.items.map(row));
  const more = el('button', { class: 'btn sell-more', type: 'button', dataset: { testid: 'orders-more' },
    text: t('orders.more'), hidden: !page.next_cursor });
  let cursor = page.next_cursor;
  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      const next = await ctx.api('GET', `/api/orders?${queryOf({ ...Object.fromEntries(filters), cursor })}`);
      list.append(...next.items.map(row));
      cursor = next.next_cursor;
      more.hidden = !cursor;
    } catch (err) {
      ctx.toast(errorText(err instanceof ApiError ? err.error : null), 'error');
    } finally {
      more.disabled = false;
    }
  });
  const exporting = el('button', { class: 'btn', type: 'button', dataset: { testid: 'orders-export' },
    text: t('orders.export') });
  exporting.addEventListener('click', async () => {
    exporting.disabled = true;
    try {
      await ctx.download(`/api/orders.csv${filters.toString() ? `?${filters}` : ''}`, 'orders.csv');
    } catch (err) {
      ctx.toast(errorText(err instanceof ApiError ? err.error : null), 'error');
    } finally {
      exporting.disabled = false;
    }
  });
  fill(view, [
    el('div', { class: 's-head' }, el('h1', { text: t('orders.title') }), exporting),
    bar,
    filters.toString() ? el('p', { class: 'sell-clear' }, el('a', { href: '#/orders', dataset: { testid: 'filters-clear' },
      text: t('orders.filter.clear') })) : null,
    page.items.length ? list : el('p', { class: 's-empty', dataset: { testid: 'orders-empty' },
      text: t(filters.toString() ? 'orders.none_filtered' : 'orders.none') }),
    el('div', { class: 's-actions sell-more-row' }, more),
  ]);
}

// --- one order ---------------------------------------------------------------------------------------------

function line(labelKey, value, testid) {
  return value ? el('div', { class: 'sell-line' }, el('dt', { text: t(labelKey) }),
    el('dd', { dataset: testid ? { testid } : {}, text: value })) : null;
}

function address(order) {
  const a = order.buyer.address || {};
  return [a.line1, a.line2, [a.postal_code, a.city].filter(Boolean).join(' '), a.country].filter(Boolean).join('\n');
}

async function renderOrder(view, ctx, orderId) {
  const order = await ctx.api('GET', `/api/orders/${encodeURIComponent(orderId)}`);
  const amount = money(order.total);
  const names = { id: order.id, amount, buyer: order.buyer.name };
  const problem = el('p', { class: 'form-error', role: 'alert', dataset: { testid: 'order-error' }, hidden: true });

  async function move(kind, body) {
    problem.hidden = true;
    try {
      await ctx.api('POST', `/api/orders/${encodeURIComponent(order.id)}/${kind}`, body ? { body } : {});
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      problem.textContent = errorText(err.error);
      problem.hidden = false;
      return;
    }
    ctx.toast(t(`orders.done.${kind}`, names), 'info');
    ctx.refresh();
  }

  const button = (kind, style) => el('button', { class: `btn ${style}`, type: 'button', dataset: { testid: `order-${kind}` },
    text: t(`orders.action.${kind}`), onclick: async () => {
      const ok = await ctx.confirm(t(`orders.confirm.${kind}`, names),
        { confirm: t(`orders.action.${kind}`), danger: kind === 'refund' || kind === 'cancel' });
      if (ok) await move(kind);
    } });

  const actions = [];
  let shipForm = null;
  if (order.status === 'paid') {
    shipForm = el('form', { class: 's-form panel sell-ship', dataset: { testid: 'ship-form' }, novalidate: true },
      el('h2', { text: t('orders.ship_title') }),
      labelled('ship-tracking', 'orders.tracking_number', el('input', { class: 'field', name: 'tracking_number',
        required: true, maxlength: 64, autocomplete: 'off', dataset: { testid: 'ship-tracking' } })),
      labelled('ship-carrier', 'orders.carrier', el('input', { class: 'field', name: 'carrier', maxlength: 64,
        autocomplete: 'off', dataset: { testid: 'ship-carrier' } })),
      el('div', { class: 's-actions' }, el('button', { class: 'btn btn-primary', type: 'submit',
        dataset: { testid: 'order-ship' }, text: t('orders.action.ship') })));
    ctx.bindForm(shipForm, {
      submit: async (values) => {
        const tracking = values.tracking_number.trim();
        const ok = await ctx.confirm(t('orders.confirm.ship', { ...names, tracking }), { confirm: t('orders.action.ship') });
        if (!ok) return;
        await ctx.api('POST', `/api/orders/${encodeURIComponent(order.id)}/ship`,
          { body: { tracking_number: tracking, carrier: values.carrier.trim() || null } });
        ctx.toast(t('orders.done.ship', names), 'info');
        ctx.refresh();
      },
    });
  }
  if (order.status === 'shipped') actions.push(button('deliver', 'btn-primary'));
  if (order.status === 'pending') actions.push(button('cancel', 'btn-danger'));
  if (['paid', 'shipped', 'delivered'].includes(order.status)) actions.push(button('refund', 'btn-danger'));

  const tracking = order.tracking
    ? [order.tracking.carrier, order.tracking.number].filter(Boolean).join(' · ') : '';
  fill(view, [
    el('p', { class: 'sell-back' }, el('a', { href: `#/orders${lastFilters ? `?${lastFilters}` : ''}`,
      dataset: { testid: 'orders-back' }, text: t('orders.back') })),
    el('div', { class: 's-head' }, el('h1', { text: t('orders.order_title', { id: order.id }) }), statusBadge(order.status)),
    el('div', { class: 's-grid' },
      el('section', { class: 'panel' }, el('h2', { text: t('orders.items') }), el('dl', { class: 'sell-lines' },
        line('orders.product', `${order.product.title}${order.product.brand ? ` (${order.product.brand})` : ''}`),
        line('orders.size', order.variant.label),
        line('orders.quantity', String(order.quantity)),
        line('orders.unit_price', money(order.unit_price)),
        order.discount.amount ? line('orders.discount', `− ${money(order.discount)}`) : null,
        line('orders.total', amount, 'order-total'))),
      el('section', { class: 'panel' }, el('h2', { text: t('orders.buyer') }), el('dl', { class: 'sell-lines' },
        line('orders.name', order.buyer.name),
        line('orders.email', order.buyer.email),
        line('orders.address', address(order), 'order-address'))),
      el('section', { class: 'panel' }, el('h2', { text: t('orders.payment') }), el('dl', { class: 'sell-lines' },
        line('orders.placed', formatDate(order.created_at, WHEN)),
        line('orders.provider', order.payment.provider),
        line('orders.payment_state', payment(order), 'order-payment'),
        line('orders.refunded_at', formatDate(order.refunded_at, WHEN)),
        line('orders.cancelled_at', formatDate(order.cancelled_at, WHEN)))),
      el('section', { class: 'panel' }, el('h2', { text: t('orders.shipping') }), el('dl', { class: 'sell-lines' },
        line('orders.tracking', tracking, 'order-tracking'),
        line('orders.shipped_at', formatDate(order.shipped_at, WHEN)),
        line('orders.delivered_at', formatDate(order.delivered_at, WHEN))),
      tracking || order.shipped_at ? null : el('p', { class: 'hint', text: t('orders.not_shipped') }))),
    shipForm,
    actions.length ? el('div', { class: 's-actions sell-moves' }, actions) : null,
    problem,
  ]);
}

export default {
  id: 'orders',
  order: 30,
  roles: ['seller', 'admin'],
  nav: 'orders.nav',
  strings: {
    en: {
      'orders.nav': 'Orders',
      'orders.about': 'Follow, ship and refund your orders; export them as CSV.',
      'orders.title': 'Orders',
      'orders.export': 'Export CSV',
      'orders.more': 'Show more',
      'orders.none': 'No orders yet.',
      'orders.none_filtered': 'No orders match these filters.',
      'orders.filter.status': 'Status',
      'orders.filter.any_status': 'Any status',
      'orders.filter.show': 'Show',
      'orders.filter.any_show': 'Any show',
      'orders.filter.store': 'Store',
      'orders.filter.any_store': 'Any store',
      'orders.filter.from': 'From',
      'orders.filter.to': 'To',
      'orders.filter.clear': 'Clear the filters',
      'orders.status.pending': 'Awaiting payment',
      'orders.status.paid': 'Paid',
      'orders.status.shipped': 'Shipped',
      'orders.status.delivered': 'Delivered',
      'orders.status.cancelled': 'Cancelled',
      'orders.status.refunded': 'Refunded',
      'orders.pay.paid': 'Paid {date}',
      'orders.pay.waiting': 'Not paid yet',
      'orders.pay.declined': 'Payment declined',
      'orders.pay.refunded': 'Refunded',
      'orders.pay.none': 'Not paid',
      'orders.back': '← All orders',
      'orders.order_title': 'Order {id}',
      'orders.items': 'Item',
      'orders.product': 'Product',
      'orders.size': 'Size',
      'orders.quantity': 'Quantity',
      'orders.unit_price': 'Unit price',
      'orders.discount': 'Discount',
      'orders.total': 'Total',
      'orders.buyer': 'Buyer',
      'orders.name': 'Name',
      'orders.email': 'Email',
      'orders.address': 'Address',
      'orders.payment': 'Payment',
      'orders.placed': 'Placed',
      'orders.provider': 'Provider',
      'orders.payment_state': 'Payment',
      'orders.refunded_at': 'Refunded',
      'orders.cancelled_at': 'Cancelled',
      'orders.shipping': 'Shipping',
      'orders.tracking': 'Tracking',
      'orders.shipped_at': 'Shipped',
      'orders.delivered_at': 'Delivered',
      'orders.not_shipped': 'Not shipped yet.',
      'orders.ship_title': 'Ship this order',
      'orders.tracking_number': 'Tracking number',
      'orders.carrier': 'Carrier (optional)',
      'orders.action.ship': 'Ship',
      'orders.action.deliver': 'Mark delivered',
      'orders.action.cancel': 'Cancel order',
      'orders.action.refund': 'Refund',
      'orders.confirm.ship': 'Ship order {id} ({amount}) to {buyer} with tracking number {tracking}?',
      'orders.confirm.deliver': 'Mark order {id} ({amount}) as delivered?',
      'orders.confirm.cancel': 'Cancel order {id} ({amount})? Its pieces go back on sale.',
      'orders.confirm.refund': 'Refund {amount} to {buyer} for order {id}? Its pieces go back on sale.',
      'orders.done.ship': 'Order {id} shipped.',
      'orders.done.deliver': 'Order {id} delivered.',
      'orders.done.cancel': 'Order {id} cancelled.',
      'orders.done.refund': 'Order {id} refunded: {amount}.',
    },
    fr: {
      'orders.nav': 'Commandes',
      'orders.about': 'Suivez, expédiez et remboursez vos commandes ; exportez-les en CSV.',
      'orders.title': 'Commandes',
      'orders.export': 'Exporter en CSV',
      'orders.more': 'Afficher plus',
      'orders.none': 'Pas encore de commande.',
      'orders.none_filtered': 'Aucune commande ne correspond à ces filtres.',
      'orders.filter.status': 'État',
      'orders.filter.any_status': 'Tous les états',
      'orders.filter.show': 'Émission',
      'orders.filter.any_show': 'Toutes les émissions',
      'orders.filter.store': 'Boutique',
      'orders.filter.any_store': 'Toutes les boutiques',
      'orders.filter.from': 'Du',
      'orders.filter.to': 'Au',
      'orders.filter.clear': 'Effacer les filtres',
      'orders.status.pending': 'En attente de paiement',
      'orders.status.paid': 'Payée',
      'orders.status.shipped': 'Expédiée',
      'orders.status.delivered': 'Livrée',
      'orders.status.cancelled': 'Annulée',
      'orders.status.refunded': 'Remboursée',
      'orders.pay.paid': 'Payée le {date}',
      'orders.pay.waiting': 'Pas encore payée',
      'orders.pay.declined': 'Paiement refusé',
      'orders.pay.refunded': 'Remboursée',
      'orders.pay.none': 'Non payée',
      'orders.back': '← Toutes les commandes',
      'orders.order_title': 'Commande {id}',
      'orders.items': 'Article',
      'orders.product': 'Produit',
      'orders.size': 'Taille',
      'orders.quantity': 'Quantité',
      'orders.unit_price': 'Prix unitaire',
      'orders.discount': 'Remise',
      'orders.total': 'Total',
      'orders.buyer': 'Acheteur',
      'orders.name': 'Nom',
      'orders.email': 'E-mail',
      'orders.address': 'Adresse',
      'orders.payment': 'Paiement',
      'orders.placed': 'Passée le',
      'orders.provider': 'Prestataire',
      'orders.payment_state': 'Paiement',
      'orders.refunded_at': 'Remboursée le',
      'orders.cancelled_at': 'Annulée le',
      'orders.shipping': 'Expédition',
      'orders.tracking': 'Suivi',
      'orders.shipped_at': 'Expédiée le',
      'orders.delivered_at': 'Livrée le',
      'orders.not_shipped': 'Pas encore expédiée.',
      'orders.ship_title': 'Expédier cette commande',
      'orders.tracking_number': 'Numéro de suivi',
      'orders.carrier': 'Transporteur (facultatif)',
      'orders.action.ship': 'Expédier',
      'orders.action.deliver': 'Marquer livrée',
      'orders.action.cancel': 'Annuler la commande',
      'orders.action.refund': 'Rembourser',
      'orders.confirm.ship': 'Expédier la commande {id} ({amount}) à {buyer} avec le numéro de suivi {tracking} ?',
      'orders.confirm.deliver': 'Marquer la commande {id} ({amount}) comme livrée ?',
      'orders.confirm.cancel': 'Annuler la commande {id} ({amount}) ? Ses pièces sont remises en vente.',
      'orders.confirm.refund': 'Rembourser {amount} à {buyer} pour la commande {id} ? Ses pièces sont remises en vente.',
      'orders.done.ship': 'Commande {id} expédiée.',
      'orders.done.deliver': 'Commande {id} livrée.',
      'orders.done.cancel': 'Commande {id} annulée.',
      'orders.done.refund': 'Commande {id} remboursée : {amount}.',
    },
  },
  render: pages(renderList, renderOrder),
};
