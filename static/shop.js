// What the player and the pop-up store's checkout share: where the buyer and their orders are kept on
// this device, country names, and the size guide's "find my size".
import { locale, t } from '/static/i18n.js';

export const BUYER_KEY = 'vitrine.buyer'; // {name, email, address}
export const ORDERS_KEY = 'vitrine.orders'; // the order links, newest first

export function countryName(code) {
  try {
    return new Intl.DisplayNames([locale], { type: 'region' }).of(code) || code;
  } catch {
    return code;
  }
}

/**
 * A measurement's name in the page's language when we know it ("hips" → "Hanches"), else as given;
 * `prefix` is where the page's translations keep them ("measure." for the player, "store.measure." for the store).
 */
export function measureName(name, prefix = 'measure.') {
  const key = `${prefix}${String(name).toLowerCase()}`;
  const known = t(key);
  if (known !== key) return known;
  const text = String(name).replace(/[_-]+/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The size guide's measurement names, in the order they first appear. */
export function measureNames(guide) {
  const names = [];
  for (const row of (guide && guide.sizes) || []) {
    for (const name of Object.keys(row.measurements || {})) if (!names.includes(name)) names.push(name);
  }
  return names;
}

/** The smallest size whose `name` measurement is at least `value`: {row}, or {tooBig: the largest row}, or null. */
export function suggestSize(guide, name, value) {
  const rows = ((guide && guide.sizes) || []).filter((row) => typeof (row.measurements || {})[name] === 'number');
  if (!rows.length || !Number.isFinite(value)) return null;
  let best = null;
  for (const row of rows) {
    const size = row.measurements[name];
    if (size >= value && (best === null || size < best.measurements[name])) best = row;
  }
  if (best) return { row: best };
  return { tooBig: rows.reduce((a, b) => (b.measurements[name] > a.measurements[name] ? b : a)) };
}
