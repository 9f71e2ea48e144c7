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
