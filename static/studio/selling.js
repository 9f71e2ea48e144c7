// What the studio's selling sections (orders, vouchers, stores) share: a labelled field, a select of choices,
// an order status badge, and a query string without its empty parts.
import { t } from '/static/i18n.js';
import { el } from '/static/ui.js';

/** A label and its input (or select), tied by id; `hint` a line under it. */
export function labelled(id, labelKey, input, hint = null) {
  input.id = id;
  return el('div', { class: 'sell-field' },
    el('label', { class: 'label', for: id, text: t(labelKey) }), input,
    hint ? el('p', { class: 'hint', text: hint }) : null);
}

/** A <select class="field"> of [value, text] pairs, `value` chosen. */
export function choices(name, pairs, value = '', attrs = {}) {
  return el('select', { class: 'field', name, ...attrs },
    pairs.map(([v, text]) => el('option', { value: v, selected: v === value, text })));
}

export const STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded'];

export function statusBadge(status) {
  return el('span', { class: `badge sell-status sell-status-${status}`, dataset: { testid: 'order-status' },
    text: t(`orders.status.${status}`) });
}

/** URLSearchParams of the pairs whose value is not empty. */
export function queryOf(pairs) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(pairs)) if (value) query.set(key, value);
  return query;
}

/** A value of a <input type="datetime-local"> (the user's time) as an ISO instant; '' stays ''. */
export function isoFromLocal(value) {
  if (!value) return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

/** Appends the parts that are there (a null or false part is left out, where append would write "null"). */
export function fill(node, parts) {
  node.append(...parts.filter((part) => part !== null && part !== undefined && part !== false));
}

/** A section's render for #/<id> (the list) and #/<id>/<item> (one of them). */
export function pages(list, one) {
  return async (view, ctx) => (ctx.params[0] ? one(view, ctx, ctx.params[0]) : list(view, ctx));
}
