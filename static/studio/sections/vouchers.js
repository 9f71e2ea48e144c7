// The seller's vouchers: #/vouchers creates one (a code, a percentage or an amount off, its limits) and lists
// them with their uses; a voucher's "Uses" opens the orders that used it.
import { ApiError } from '/static/api.js';
import { errorText, formatDate, money, plural, t, toMinor } from '/static/i18n.js';
import { choices, fill, isoFromLocal, labelled, statusBadge } from '/static/studio/selling.js';
import { el } from '/static/ui.js';

const WHEN = { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' };

function worth(voucher) {
  return voucher.kind === 'percent' ? t('vouchers.percent_off', { n: voucher.value })
    : t('vouchers.amount_off', { amount: money({ amount: voucher.value, currency: voucher.currency }) });
}

function limits(voucher) {
  const parts = [voucher.max_uses ? t('vouchers.used_of', { used: voucher.used, max: voucher.max_uses })
    : plural('vouchers.used', voucher.used)];
  if (voucher.max_per_buyer) parts.push(plural('vouchers.per_buyer', voucher.max_per_buyer));
  if (voucher.expires_at) parts.push(t('vouchers.until', { date: formatDate(voucher.expires_at, WHEN) }));
  return parts.join(' · ');
}

function row(voucher, ctx) {
  const uses = el('ul', { class: 's-list sell-uses', dataset: { testid: 'voucher-uses' }, hidden: true });
  const toggle = el('button', { class: 'btn btn-small', type: 'button', dataset: { testid: 'voucher-uses-open' },
    text: t('vouchers.uses') });
  toggle.addEventListener('click', async () => {
    if (!uses.hidden) {
      uses.hidden = true;
      return;
    }
    toggle.disabled = true;
    try {
      const answer = await ctx.api('GET', `/api/vouchers/${encodeURIComponent(voucher.code)}/uses`);
      uses.replaceChildren(...(answer.items.length ? answer.items.map((use) => el('li', {},
        el('a', { class: 's-row', href: `#/orders/${encodeURIComponent(use.order_id)}`, dataset: { testid: 'voucher-use' } },
          el('span', { text: formatDate(use.created_at, WHEN) }), el('strong', { text: use.order_id }),
          el('span', { text: t('vouchers.use_discount', { amount: money(use.discount) }) }),
          statusBadge(use.status))))
        : [el('li', { class: 's-empty', text: t('vouchers.no_uses') })]));
      uses.hidden = false;
    } catch (err) {
      ctx.toast(errorText(err instanceof ApiError ? err.error : null), 'error');
    } finally {
      toggle.disabled = false;
    }
  });
  return el('li', { class: 'sell-voucher', dataset: { testid: 'voucher-row', code: voucher.code } },
    el('div', { class: 's-row' },
      el('strong', { class: 'sell-code', text: voucher.code }),
      el('span', { text: worth(voucher) }),
      el('span', { class: 'hint', dataset: { testid: 'voucher-used' }, text: limits(voucher) }),
      toggle),
    uses);
}

function createForm(ctx, shows) {
  const value = el('input', { class: 'field', name: 'value', required: true, inputmode: 'decimal', maxlength: 12,
    dataset: { testid: 'voucher-value' } });
  const currency = el('input', { class: 'field', name: 'currency', value: 'EUR', required: true,
    pattern: '[A-Za-z]{3}', maxlength: 3, dataset: { testid: 'voucher-currency' } });
  const kind = choices('kind', [['percent', t('vouchers.kind.percent')], ['fixed', t('vouchers.kind.fixed')]], 'percent',
    { dataset: { testid: 'voucher-kind' } });
  const currencyField = labelled('voucher-currency', 'vouchers.currency', currency);
  const follow = () => {
    const percent = kind.value === 'percent';
    currencyField.hidden = percent;
    currency.disabled = percent;
    value.pattern = percent ? '(100|[1-9][0-9]?)' : '[0-9]+([.,][0-9]{1,3})?';
  };
  kind.addEventListener('change', follow);
  follow();
  const form = el('form', { class: 's-form panel sell-voucher-form', dataset: { testid: 'voucher-form' } },
    el('h2', { text: t('vouchers.new') }),
    el('div', { class: 's-grid' },
      labelled('voucher-code', 'vouchers.code', el('input', { class: 'field', name: 'code', required: true,
        pattern: '[A-Za-z0-9_\\-]{3,32}', maxlength: 32, autocapitalize: 'characters', autocomplete: 'off',
        dataset: { testid: 'voucher-code', patternHint: 'vouchers.code_form' } }), t('vouchers.code_hint')),
      labelled('voucher-kind', 'vouchers.kind', kind),
      labelled('voucher-value', 'vouchers.value', value),
      currencyField,
      labelled('voucher-max-uses', 'vouchers.max_uses', el('input', { class: 'field', name: 'max_uses', type: 'number',
        min: 1, max: 2147483647, step: 1, dataset: { testid: 'voucher-max-uses' } })),
      labelled('voucher-max-per-buyer', 'vouchers.max_per_buyer', el('input', { class: 'field', name: 'max_per_buyer',
        type: 'number', min: 1, max: 2147483647, step: 1, dataset: { testid: 'voucher-max-per-buyer' } })),
      labelled('voucher-show', 'vouchers.show', choices('show_id',
        [['', t('vouchers.any_show')], ...shows.map((s) => [s.id, s.title])], '', { dataset: { testid: 'voucher-show' } })),
      labelled('voucher-expires', 'vouchers.expires_at', el('input', { class: 'field', name: 'expires_at',
        type: 'datetime-local', dataset: { testid: 'voucher-expires' } }))),
    el('div', { class: 's-actions' }, el('button', { class: 'btn btn-primary', type: 'submit',
      dataset: { testid: 'voucher-create' }, text: t('vouchers.create') })));
  ctx.bindForm(form, {
    fields: { voucher_code_taken: 'code', show_not_found: 'show_id' },
    submit: async (values) => {
      const fixed = values.kind === 'fixed';
      const code = values.currency ? values.currency.toUpperCase() : 'EUR';
      const amount = fixed ? toMinor(values.value, code) : Number(values.value);
      const body = {
        code: values.code.trim(), kind: values.kind, value: amount ?? -1,
        currency: fixed ? code : null,
        max_uses: values.max_uses ? Number(values.max_uses) : null,
        max_per_buyer: values.max_per_buyer ? Number(values.max_per_buyer) : null,
        show_id: values.show_id || null,
        expires_at: isoFromLocal(values.expires_at) || null,
      };
      const created = await ctx.api('POST', '/api/vouchers', { body });
      ctx.toast(t('vouchers.created', { code: created.code }), 'info');
      ctx.refresh();
    },
  });
  return form;
}

export default {
  id: 'vouchers',
  order: 40,
  roles: ['seller', 'admin'],
  nav: 'vouchers.nav',
  strings: {
    en: {
      'vouchers.code_form': '3 to 32 letters, digits, dashes or underscores.',
      'vouchers.nav': 'Vouchers',
      'vouchers.about': 'Codes for a percentage or an amount off, and who used them.',
      'vouchers.title': 'Vouchers',
      'vouchers.new': 'New voucher',
      'vouchers.code': 'Code',
      'vouchers.code_hint': '3 to 32 letters, digits, - or _. Buyers may type it in any case.',
      'vouchers.kind': 'Discount',
      'vouchers.kind.percent': 'A percentage off',
      'vouchers.kind.fixed': 'An amount off',
      'vouchers.value': 'Percent (1–100) or amount',
      'vouchers.currency': 'Currency',
      'vouchers.max_uses': 'Uses in all (optional)',
      'vouchers.max_per_buyer': 'Uses per buyer (optional)',
      'vouchers.show': 'Valid in',
      'vouchers.any_show': 'All my shows',
      'vouchers.expires_at': 'Expires (optional)',
      'vouchers.create': 'Create voucher',
      'vouchers.created': 'Voucher {code} created.',
      'vouchers.none': 'No vouchers yet.',
      'vouchers.percent_off': '{n} % off',
      'vouchers.amount_off': '{amount} off',
      'vouchers.used_one': 'used once',
      'vouchers.used_other': 'used {n} times',
      'vouchers.used_of': 'used {used} of {max}',
      'vouchers.per_buyer_one': 'once per buyer',
      'vouchers.per_buyer_other': '{n} per buyer',
      'vouchers.until': 'until {date}',
      'vouchers.uses': 'Uses',
      'vouchers.no_uses': 'No order has used it yet.',
      'vouchers.use_discount': '−{amount}',
    },
    fr: {
      'vouchers.code_form': 'De 3 à 32 lettres, chiffres, tirets ou soulignés.',
      'vouchers.nav': 'Codes promo',
      'vouchers.about': 'Des codes pour un pourcentage ou un montant de remise, et qui les a utilisés.',
      'vouchers.title': 'Codes promo',
      'vouchers.new': 'Nouveau code promo',
      'vouchers.code': 'Code',
      'vouchers.code_hint': '3 à 32 lettres, chiffres, - ou _. Les acheteurs peuvent le taper en minuscules.',
      'vouchers.kind': 'Remise',
      'vouchers.kind.percent': 'Un pourcentage',
      'vouchers.kind.fixed': 'Un montant',
      'vouchers.value': 'Pourcentage (1–100) ou montant',
      'vouchers.currency': 'Devise',
      'vouchers.max_uses': 'Utilisations en tout (facultatif)',
      'vouchers.max_per_buyer': 'Utilisations par acheteur (facultatif)',
      'vouchers.show': 'Valable dans',
      'vouchers.any_show': 'Toutes mes émissions',
      'vouchers.expires_at': 'Expire le (facultatif)',
      'vouchers.create': 'Créer le code',
      'vouchers.created': 'Code {code} créé.',
      'vouchers.none': 'Pas encore de code promo.',
      'vouchers.percent_off': '{n} % de remise',
      'vouchers.amount_off': '{amount} de remise',
      'vouchers.used_one': 'utilisé {n} fois',
      'vouchers.used_other': 'utilisé {n} fois',
      'vouchers.used_of': 'utilisé {used} fois sur {max}',
      'vouchers.per_buyer_one': '{n} fois par acheteur',
      'vouchers.per_buyer_other': '{n} fois par acheteur',
      'vouchers.until': 'jusqu\'au {date}',
      'vouchers.uses': 'Utilisations',
      'vouchers.no_uses': 'Aucune commande ne l\'a encore utilisé.',
      'vouchers.use_discount': '−{amount}',
    },
  },
  async render(view, ctx) {
    const [vouchers, shows] = await Promise.all([ctx.api('GET', '/api/vouchers'), ctx.api('GET', '/api/sellers/me/shows')]);
    fill(view, [
      el('div', { class: 's-head' }, el('h1', { text: t('vouchers.title') })),
      createForm(ctx, shows.items),
      vouchers.items.length
        ? el('ul', { class: 's-list sell-vouchers', dataset: { testid: 'vouchers-list' } }, vouchers.items.map((v) => row(v, ctx)))
        : el('p', { class: 's-empty', dataset: { testid: 'vouchers-empty' }, text: t('vouchers.none') }),
    ]);
  },
};
