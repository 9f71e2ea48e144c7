// The delivery address form of the pages that post an order over HTTP (the pop-up store's checkout, a
// giveaway's claim): the countries and their postal codes (server/commerce/addresses.py), the buyer kept on
// this device, the browser's own checks, and the server's invalid_request details put back on their fields.
// The form's fields are `#f-<name>` with their notes `#f-<name>-error`; its sentences are the store's
// (`store.required`, …): one delivery form, one wording.
import { t } from '/static/i18n.js';
import { readStore } from '/static/live.js';
import { BUYER_KEY, countryName } from '/static/shop.js';
import { el } from '/static/ui.js';

/** The countries we deliver to and their postal codes (server/commerce/addresses.py POSTAL_CODES). */
export const POSTAL_CODES = {
  FR: /^\d{5}$/, MC: /^980\d{2}$/, BE: /^\d{4}$/, LU: /^(L-)?\d{4}$/, CH: /^\d{4}$/, DE: /^\d{5}$/,
  AT: /^\d{4}$/, NL: /^\d{4} ?[A-Z]{2}$/, ES: /^\d{5}$/, PT: /^\d{4}-\d{3}$/, IT: /^\d{5}$/,
  IE: /^[A-Z]\d[\dW] ?[A-Z\d]{4}$/, GB: /^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/, DK: /^\d{4}$/,
  SE: /^\d{3} ?\d{2}$/, FI: /^\d{5}$/, NO: /^\d{4}$/, PL: /^\d{2}-\d{3}$/, CZ: /^\d{3} ?\d{2}$/,
  GR: /^\d{3} ?\d{2}$/, US: /^\d{5}(-\d{4})?$/, CA: /^[A-Z]\d[A-Z] ?\d[A-Z]\d$/,
};
export const COUNTRIES = Object.keys(POSTAL_CODES);
export const ADDRESS_FIELDS = ['name', 'email', 'line1', 'line2', 'postal_code', 'city', 'country'];
const REQUIRED = ['name', 'email', 'line1', 'postal_code', 'city', 'country'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const $ = (id) => document.getElementById(id);

/** The normalised postal code ("75 002" → "75002"), or null when it cannot be one for the country. */
export function checkPostalCode(country, value) {
  const code = String(value || '').toUpperCase().split(/\s+/).filter(Boolean).join(' ');
  const pattern = POSTAL_CODES[country];
  if (!pattern) return /^[A-Z0-9][A-Z0-9 -]{1,9}$/.test(code) ? code : null;
  if (pattern.test(code)) return code;
  const tight = code.replace(/ /g, '');
  return pattern.test(tight) ? tight : null;
}

/** The buyer this device used last ({name, email, address}), or null. */
export function savedBuyer() {
  try {
    const buyer = JSON.parse(readStore(BUYER_KEY) || 'null');
    return buyer && typeof buyer === 'object' ? buyer : null;
  } catch {
    return null;
  }
}

// [field, autocomplete, maxlength, extra attributes]: the inputs as the store's checkout.html writes them
const INPUTS = [
  ['name', 'name', 100, {}],
  ['email', 'email', 254, { type: 'email', inputmode: 'email', autocapitalize: 'off', spellcheck: 'false' }],
  ['line1', 'address-line1', 200, {}],
  ['line2', 'address-line2', 200, {}],
  ['postal_code', 'postal-code', 12, { autocapitalize: 'characters', spellcheck: 'false' }],
  ['city', 'address-level2', 100, {}],
];

/** The form's labelled fields, for a page that has no markup of its own for them; `testPrefix` names their
 *  data-testid (`<prefix>-name`, `<prefix>-postal`, …). */
export function addressFields(testPrefix) {
  const field = ([name, autocomplete, maxlength, extra]) => el('label', { class: 'f' },
    el('span', { class: 'label', text: t(`store.${name}`) }),
    el('input', { class: 'field', id: `f-${name}`, name, autocomplete, maxlength: String(maxlength),
      'data-testid': `${testPrefix}-${name === 'postal_code' ? 'postal' : name}`,
      required: REQUIRED.includes(name), ...extra }),
    el('small', { class: 'f-error', id: `f-${name}-error`, hidden: true }));
  const [name, email, line1, line2, postal, city] = INPUTS.map(field);
  return [name, email, line1, line2, el('div', { class: 'f-row' }, postal, city),
    el('label', { class: 'f' }, el('span', { class: 'label', text: t('store.country') }),
      el('select', { class: 'field', id: 'f-country', name: 'country', autocomplete: 'country',
        'data-testid': `${testPrefix}-country` }),
      el('small', { class: 'f-error', id: 'f-country-error', hidden: true }))];
}

/** Fills the country list (France first, then by name) and picks France. */
export function fillCountries(select = $('f-country')) {
  const names = COUNTRIES.map((code) => ({ code, name: countryName(code) }));
  const first = names.filter((c) => c.code === 'FR');
  const rest = names.filter((c) => c.code !== 'FR').sort((a, b) => a.name.localeCompare(b.name));
  select.replaceChildren(...[...first, ...rest].map((c) => el('option', { value: c.code, text: c.name })));
  select.value = 'FR';
}

/** Writes the device's last buyer into the fields; true when there was one. */
export function prefillAddress(buyer = savedBuyer()) {
  if (!buyer) return false;
  const address = buyer.address && typeof buyer.address === 'object' ? buyer.address : {};
  const values = { name: buyer.name, email: buyer.email, ...address };
  for (const field of ADDRESS_FIELDS) {
    const value = values[field];
    if (typeof value !== 'string' || !value) continue;
    if (field === 'country') {
      if (COUNTRIES.includes(value.toUpperCase())) $('f-country').value = value.toUpperCase();
    } else {
      $(`f-${field}`).value = value;
    }
  }
  return true;
}

/** The fields' values, trimmed. */
export function addressValues() {
  const out = {};
  for (const field of ADDRESS_FIELDS) out[field] = String($(`f-${field}`).value || '').trim();
  return out;
}

/** The buyer the API takes ({name, email, address}) from checked values. */
export function buyerOf(values) {
  const address = { line1: values.line1, city: values.city,
    postal_code: checkPostalCode(values.country, values.postal_code), country: values.country };
  if (values.line2) address.line2 = values.line2;
  return { name: values.name, email: values.email, address };
}

/** What the browser can check by itself: {field: sentence}. */
export function addressErrors(values) {
  const errors = {};
  for (const field of REQUIRED) if (!values[field]) errors[field] = t('store.required');
  if (values.email && !EMAIL.test(values.email)) errors.email = t('store.email_invalid');
  if (values.postal_code && values.country && !checkPostalCode(values.country, values.postal_code)) {
    errors.postal_code = t('store.postal_invalid', { country: countryName(values.country) });
  }
  return errors;
}

/** invalid_request details [{field: "buyer.address.city", message}] → {field: sentence}; a detail that is not
 *  the buyer's goes to `other(path, message)` ([field, sentence] or null), else to `form`. */
export function serverAddressErrors(details, country, other = () => null) {
  const errors = {};
  for (const detail of Array.isArray(details) ? details : []) {
    const path = String(detail.field || '').split('.');
    const message = String(detail.message || '');
    const lower = message.toLowerCase();
    const last = path[path.length - 1];
    let found = null;
    if (path[0] === 'buyer' && last === 'address') {
      // the address's own checks (postal code, country) come back on the address as a whole
      if (lower.includes('postal')) found = ['postal_code', t('store.postal_invalid', { country: countryName(country) })];
      else if (lower.includes('deliver')) found = ['country', t('store.country_unsupported', { country: countryName(country) })];
      else found = ['line1', message];
    } else if (path[0] === 'buyer' && ADDRESS_FIELDS.includes(last)) {
      let text = message;
      if (last === 'email') text = t('store.email_invalid');
      else if (lower.includes('at least 1')) text = t('store.required');
      else if (last === 'postal_code') text = t('store.postal_invalid', { country: countryName(country) });
      else if (last === 'country' && lower.includes('deliver')) {
        text = t('store.country_unsupported', { country: countryName(country) });
      }
      found = [last, text];
    } else {
      found = other(path, message);
    }
    if (found && !errors[found[0]]) errors[found[0]] = found[1] || t('store.field_invalid');
    else if (!found) errors.form = message;
  }
  return errors;
}

/** Shows (or, with null, clears) a field's note. */
export function setAddressError(field, text) {
  const box = $(`f-${field}-error`);
  if (!box) return;
  box.textContent = text || '';
  box.hidden = !text;
  const input = $(`f-${field}`);
  if (input) {
    input.setAttribute('aria-invalid', String(Boolean(text)));
    if (text) input.setAttribute('aria-describedby', box.id);
    else input.removeAttribute('aria-describedby');
  }
}

/** A typed field loses its note; `onInput(field)` hears of it. */
export function clearOnInput(onInput = () => {}) {
  for (const field of ADDRESS_FIELDS) {
    $(`f-${field}`).addEventListener(field === 'country' ? 'change' : 'input', () => {
      setAddressError(field, null);
      if (field === 'country') setAddressError('postal_code', null);
      onInput(field);
    });
  }
}
