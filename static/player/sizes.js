// The size guide of the pinned product: a table of body measurements and "Find my size".
import { locale, t } from '/static/i18n.js';
import { measureName, measureNames, suggestSize } from '/static/shop.js';
import { closeSheet, el, openSheet } from '/static/ui.js';

const $ = (id) => document.getElementById(id);

/**
 * `variants()` gives the pinned product's variants with their live stock ({id, label, left}),
 * `onPick(variantId)` selects a size on the card.
 */
export function createSizeGuide({ variants, onPick }) {
  let guide = null;
  const sheet = $('size-sheet');
  const decimal = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });

  function setProduct(product) {
    const next = product && product.size_guide && Array.isArray(product.size_guide.sizes)
      && product.size_guide.sizes.length ? product.size_guide : null;
    guide = next;
    $('size-guide-open').hidden = !guide;
    if (!guide) closeSheet(sheet);
  }

  function renderTable() {
    const names = measureNames(guide);
    const unit = guide.unit === 'in' ? 'in' : 'cm';
    $('size-unit').textContent = t('size.unit', { unit });
    $('size-table').replaceChildren(
      el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: t('size.size') }),
        names.map((name) => el('th', { scope: 'col', text: measureName(name) })))),
      el('tbody', {}, guide.sizes.map((row) => el('tr', { dataset: { size: row.label } },
        el('th', { scope: 'row', text: row.label }),
        names.map((name) => el('td', {
          text: typeof row.measurements[name] === 'number' ? decimal.format(row.measurements[name]) : '–',
        }))))));
    const select = $('size-measure');
    const previous = select.value;
    select.replaceChildren(...names.map((name) => el('option', { value: name, text: measureName(name) })));
    if (names.includes(previous)) select.value = previous;
    $('size-value-label').textContent = t('size.value', { unit });
    $('size-result').replaceChildren();
  }

  function open() {
    if (!guide) return;
    renderTable();
    openSheet(sheet, { focus: $('size-close') });
  }

  function find() {
    const name = $('size-measure').value;
    const value = Number(String($('size-value').value).trim().replace(',', '.'));
    const result = $('size-result');
    if (!String($('size-value').value).trim() || !Number.isFinite(value) || value <= 0) {
      result.replaceChildren(el('span', { class: 'finder-hint', text: t('size.enter') }));
      return;
    }
    const found = suggestSize(guide, name, value);
    for (const row of $('size-table').querySelectorAll('tbody tr')) row.classList.remove('is-suggested');
    if (!found) {
      result.replaceChildren();
      return;
    }
    if (found.tooBig) {
      result.replaceChildren(el('span', { text: t('size.too_big', { size: found.tooBig.label }) }));
      return;
    }
    const label = found.row.label;
    const row = $('size-table').querySelector(`tbody tr[data-size="${CSS.escape(label)}"]`);
    if (row) row.classList.add('is-suggested');
    const variant = variants().find((v) => v.label === label);
    if (variant && variant.left <= 0) {
      result.replaceChildren(el('span', { text: t('size.sold_out', { size: label }) }));
      return;
    }
    result.replaceChildren(
      el('strong', { 'data-testid': 'size-suggestion', text: t('size.suggest', { size: label }) }),
      variant ? el('button', {
        type: 'button', class: 'btn btn-small btn-primary', 'data-testid': 'size-choose',
        text: t('size.choose', { size: label }),
        onclick: () => {
          onPick(variant.id);
          closeSheet(sheet);
        },
      }) : null);
  }

  $('size-guide-open').addEventListener('click', open);
  $('size-close').addEventListener('click', () => closeSheet(sheet));
  $('size-finder').addEventListener('submit', (event) => {
    event.preventDefault();
    find();
  });

  return { setProduct, open };
}
