// What the pop-up store pages share: ids from the path, the delivery promise (the same zones and business
// days as server/addresses.py), dates, percentages and a retry-safe random key.
import { locale } from '/static/i18n.js';
import { countryName, measureName as measureNameAt, measureNames, suggestSize } from '/static/shop.js';
import { randomKey as uuid } from '/static/ui.js';

export { countryName, measureNames, suggestSize, uuid };

/** A measurement's name in the store's language when we know it ("hips" → "Hanches"), else as given. */
export function measureName(name) {
  return measureNameAt(name, 'store.measure.');
}

/** The path segment after the first one: /shop/{token}, /stores/{id}/screen … */
export function idFromPath(pathname = location.pathname) {
  const parts = pathname.split('/').filter(Boolean);
  return parts.length >= 2 ? decodeURIComponent(parts[1]) : '';
}

// --- delivery: server/addresses.py ---------------------------------------------------------------

/** The countries we deliver to and their postal codes (server/addresses.py POSTAL_CODES). */
export const POSTAL_CODES = {
  FR: /^\d{5}$/, MC: /^980\d{2}$/, BE: /^\d{4}$/, LU: /^(L-)?\d{4}$/, CH: /^\d{4}$/, DE: /^\d{5}$/,
  AT: /^\d{4}$/, NL: /^\d{4} ?[A-Z]{2}$/, ES: /^\d{5}$/, PT: /^\d{4}-\d{3}$/, IT: /^\d{5}$/,
  IE: /^[A-Z]\d[\dW] ?[A-Z\d]{4}$/, GB: /^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/, DK: /^\d{4}$/,
  SE: /^\d{3} ?\d{2}$/, FI: /^\d{5}$/, NO: /^\d{4}$/, PL: /^\d{2}-\d{3}$/, CZ: /^\d{3} ?\d{2}$/,
  GR: /^\d{3} ?\d{2}$/, US: /^\d{5}(-\d{4})?$/, CA: /^[A-Z]\d[A-Z] ?\d[A-Z]\d$/,
};
export const COUNTRIES = Object.keys(POSTAL_CODES);
const DOMESTIC = ['FR', 'MC'];
/** The pop-up stores' own country: what their screens promise a shopper who scans there. */
export const HOME_COUNTRY = DOMESTIC[0];
const NEAR = ['BE', 'LU', 'CH', 'DE', 'AT', 'NL', 'ES', 'PT', 'IT', 'IE', 'DK', 'SE', 'FI', 'NO', 'PL', 'CZ', 'GR',
  'GB'];

/** Business days to the buyer's door: FR/MC 3–4, the EU and near 3–5, elsewhere 5–10. */
export function promiseFor(country) {
  if (DOMESTIC.includes(country)) return { min: 3, max: 4 };
  if (NEAR.includes(country)) return { min: 3, max: 5 };
  return { min: 5, max: 10 };
}

/** `days` business days (Monday to Friday) after `start`, as a date at noon UTC. */
export function addBusinessDays(start, days) {
  const current = new Date(Date.UTC(start.getFullYear(), start.getMonth(), start.getDate(), 12));
  let left = days;
  while (left > 0) {
    current.setUTCDate(current.getUTCDate() + 1);
    const day = current.getUTCDay();
    if (day !== 0 && day !== 6) left -= 1;
  }
  return current;
}

/** {min, max, from, to}: the promise for a country and its dates, counted from `today`. */
export function deliveryWindow(country, today = new Date()) {
  const { min, max } = promiseFor(country);
  return { min, max, from: addBusinessDays(today, min), to: addBusinessDays(today, max) };
}

/** The normalised postal code ("75 002" → "75002"), or null when it cannot be one for the country. */
export function checkPostalCode(country, value) {
  const code = String(value || '').toUpperCase().split(/\s+/).filter(Boolean).join(' ');
  const pattern = POSTAL_CODES[country];
  if (!pattern) return /^[A-Z0-9][A-Z0-9 -]{1,9}$/.test(code) ? code : null;
  if (pattern.test(code)) return code;
  const tight = code.replace(/ /g, '');
  return pattern.test(tight) ? tight : null;
}

// --- formatting ----------------------------------------------------------------------------------

export function day(date) {
  try {
    return new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' })
      .format(date);
  } catch {
    return date.toISOString().slice(0, 10);
  }
}

export function time(date = new Date()) {
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(date);
}

/** 0.0421 → "4.2 %"; null → "–". */
export function percent(ratio) {
  if (typeof ratio !== 'number' || !Number.isFinite(ratio)) return '–';
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(ratio);
}
