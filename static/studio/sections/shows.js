// A host's shows (#/shows): the list grouped as live now, scheduled and ended; create (#/shows/new), edit while
// scheduled (#/shows/<id>), duplicate, go live, and the control room (/host/<id>). A show's time is typed in the
// user's own time zone (a datetime-local input) and sent in UTC.
import { ApiError } from '/static/api.js';
import { errorText, formatDate, money, plural, t } from '/static/i18n.js';
import { el } from '/static/ui.js';

const GROUPS = ['live', 'scheduled', 'ended'];
const WHEN = { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' };
/** Refusals shown by the field they concern (the 422s with details find theirs alone). */
const FIELDS = { product_not_sellable: 'product_ids', unknown_product: 'product_ids',
  stream_host_not_allowed: 'stream_url', schedule_in_past: 'scheduled_at' };

const two = (n) => String(n).padStart(2, '0');

/** An ISO instant → the value of a datetime-local input, in this browser's time zone ('' for none). */
function localInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** A datetime-local value (the user's local time) → an ISO instant in UTC; null when empty. */
function utcInstant(value) {
  return value ? new Date(value).toISOString() : null;
}

const listOf = (value) => (value === undefined ? [] : [].concat(value));

/** Every show of this host (an admin: every show), following the pages' cursors. */
async function loadShows(ctx) {
  const shows = [];
  let cursor = null;
  do {
    const query = new URLSearchParams({ limit: '100' });
    if (ctx.user.role !== 'admin') query.set('host', 'me');
    if (cursor) query.set('cursor', cursor);
    const page = await ctx.api('GET', `/api/shows?${query}`);
    shows.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && shows.length < 1000);
  return shows;
}

function whenText(show) {
  if (show.status === 'live') return t('shows.live_since', { when: formatDate(show.started_at, WHEN) });
  if (show.status === 'ended') return t('shows.ended_at', { when: formatDate(show.ended_at, WHEN) });
  return show.scheduled_at ? formatDate(show.scheduled_at, WHEN) : t('shows.no_time');
}

function showRow(show, ctx) {
  const image = show.products.find((p) => p.image);
  const actions = el('div', { class: 's-actions shows-actions' },
    el('a', { class: 'btn btn-small btn-primary', href: `/host/${encodeURIComponent(show.id)}`,
      dataset: { testid: 'show-control' }, text: t('shows.control') }));
  if (show.status === 'scheduled') {
    actions.append(
      el('a', { class: 'btn btn-small', href: `#/shows/${encodeURIComponent(show.id)}`,
        dataset: { testid: 'show-edit' }, text: t('shows.edit') }),
      el('button', { type: 'button', class: 'btn btn-small', dataset: { testid: 'show-start' },
        text: t('shows.start'), onclick: () => start(show, ctx) }));
  }
  actions.append(el('button', { type: 'button', class: 'btn btn-small btn-ghost', dataset: { testid: 'show-duplicate' },
    text: t('shows.duplicate'), onclick: () => duplicate(show, ctx) }));
  return el('li', { class: 's-row shows-row', dataset: { testid: 'show-row', show: show.id, status: show.status } },
    image ? el('img', { class: 'shows-thumb', src: image.image, alt: '', width: 48, height: 48 })
      : el('span', { class: 'shows-thumb', 'aria-hidden': 'true' }),
    el('div', { class: 'shows-main' },
      el('strong', { class: 'shows-title', dataset: { testid: 'show-title' }, text: show.title }),
      el('span', { class: 'hint', text: `${whenText(show)} · ${plural('shows.products', show.products.length)}` })),
    actions);
}

async function start(show, ctx) {
  const ok = await ctx.confirm(t('shows.start_confirm', { title: show.title }), { confirm: t('shows.start') });
  if (!ok) return;
  try {
    await ctx.api('POST', `/api/shows/${encodeURIComponent(show.id)}/start`);
    ctx.toast(t('shows.started'));
    ctx.refresh();
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    ctx.toast(errorText(err.error), 'error');
  }
}

/** A new scheduled show with the same products, stream and limit, titled "… (copy)"; its form opens to set a time. */
async function duplicate(show, ctx) {
  try {
    const full = await ctx.api('GET', `/api/shows/${encodeURIComponent(show.id)}`);
    const copy = await ctx.api('POST', '/api/shows', { body: {
      title: t('shows.copy_title', { title: show.title }).slice(0, 200),
      product_ids: full.products.map((p) => p.id),
      stream_url: full.stream_url || null,
      buyer_limit: full.buyer_limit,
    } });
    ctx.toast(t('shows.copied'));
    ctx.navigate(`#/shows/${encodeURIComponent(copy.id)}`);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    ctx.toast(errorText(err.error), 'error');
  }
}

async function renderList(view, ctx) {
  const shows = await loadShows(ctx);
  view.append(el('div', { class: 's-head' },
    el('h1', { 'data-i18n': 'shows.title' }),
    el('a', { class: 'btn btn-primary', href: '#/shows/new', dataset: { testid: 'show-new' },
      'data-i18n': 'shows.new' })));
  if (!shows.length) {
    view.append(el('p', { class: 's-empty', dataset: { testid: 'shows-empty' }, 'data-i18n': 'shows.empty' }));
    return;
  }
  for (const status of GROUPS) {
    const group = shows.filter((s) => s.status === status);
    if (!group.length) continue;
    view.append(el('section', { class: 'shows-group', dataset: { testid: `shows-${status}` } },
      el('h2', { 'data-i18n': `shows.group.${status}` }),
      el('ul', { class: 's-list' }, group.map((show) => showRow(show, ctx)))));
  }
}

function productChoice(product, chosen) {
  const image = product.images[0];
  return el('label', { class: 'shows-product', dataset: { testid: 'show-product' } },
    el('input', { type: 'checkbox', name: 'product_ids', value: product.id, checked: chosen.has(product.id) }),
    image ? el('img', { src: image, alt: '', width: 44, height: 44 }) : el('span', { class: 'shows-noimg' }),
    el('span', { class: 'shows-product-text' },
      el('strong', { text: product.title }),
      el('span', { class: 'hint', text: `${product.seller.name || product.brand} · ${money(product.price)}` })));
}

/** The create or edit form; `show` is null for a new show. */
async function renderForm(view, ctx, show) {
  const sellable = await ctx.api('GET', '/api/hosts/me/products');
  const chosen = new Set(show ? show.products.map((p) => p.id) : []);
  // a product already in the show stays offered even if its seller has since revoked this host
  const offered = [...sellable.items];
  for (const product of show ? show.products : []) {
    if (!offered.some((p) => p.id === product.id)) offered.push({ ...product, seller: { name: product.brand } });
  }
  const initialTime = localInput(show && show.scheduled_at);
  const now = localInput(new Date().toISOString());
  const form = el('form', { class: 's-form panel', dataset: { testid: 'show-form' } },
    el('label', { class: 'label', for: 'show-title', 'data-i18n': 'shows.field.title' }),
    el('input', { class: 'field', id: 'show-title', name: 'title', required: true, maxlength: '200',
      value: show ? show.title : '', dataset: { testid: 'show-title-input' } }),
    el('fieldset', { class: 'shows-products', 'data-error-for': 'product_ids' },
      el('legend', { class: 'label', 'data-i18n': 'shows.field.products' }),
      offered.length
        ? el('div', { class: 'shows-product-list' }, offered.map((p) => productChoice(p, chosen)))
        : el('p', { class: 'hint', dataset: { testid: 'shows-no-products' }, 'data-i18n': 'shows.no_products' })),
    el('div', { class: 's-grid' },
      el('div', {},
        el('label', { class: 'label', for: 'show-when', 'data-i18n': 'shows.field.when' }),
        el('input', { class: 'field', id: 'show-when', name: 'scheduled_at', type: 'datetime-local',
          // a time that has passed may stay while the rest changes: no minimum then
          min: initialTime && initialTime < now ? undefined : now, value: initialTime,
          dataset: { testid: 'show-when' } }),
        el('p', { class: 'hint', text: t('shows.when_hint', {
          zone: Intl.DateTimeFormat().resolvedOptions().timeZone || '' }) })),
      el('div', {},
        el('label', { class: 'label', for: 'show-limit', 'data-i18n': 'shows.field.limit' }),
        el('input', { class: 'field', id: 'show-limit', name: 'buyer_limit', type: 'number', required: true,
          min: '1', max: '100', step: '1', value: String(show ? show.buyer_limit : 5),
          dataset: { testid: 'show-limit' } }),
        el('p', { class: 'hint', 'data-i18n': 'shows.limit_hint' }))),
    el('label', { class: 'label', for: 'show-stream', 'data-i18n': 'shows.field.stream' }),
    el('input', { class: 'field', id: 'show-stream', name: 'stream_url', type: 'url', maxlength: '2000',
      pattern: 'https?://.+', placeholder: 'https://…/index.m3u8', value: (show && show.stream_url) || '',
      dataset: { testid: 'show-stream', patternHint: 'shows.stream_form' } }),
    el('p', { class: 'form-error', role: 'alert', hidden: true, dataset: { testid: 'form-error' } }),
    el('div', { class: 's-actions' },
      el('a', { class: 'btn btn-ghost', href: '#/shows', 'data-i18n': 'shows.cancel' }),
      el('button', { class: 'btn btn-primary', type: 'submit', dataset: { testid: 'show-save' },
        'data-i18n': show ? 'shows.save' : 'shows.create' })));
  view.append(
    el('div', { class: 's-head' }, el('h1', { 'data-i18n': show ? 'shows.edit_title' : 'shows.new_title' }),
      show ? el('a', { class: 'btn btn-small', href: `/host/${encodeURIComponent(show.id)}`,
        dataset: { testid: 'show-control' }, 'data-i18n': 'shows.control' }) : null),
    form);
  ctx.bindForm(form, {
    fields: FIELDS,
    submit: async (values) => {
      const body = {
        title: values.title.trim(),
        product_ids: listOf(values.product_ids),
        stream_url: values.stream_url.trim() || null,
        buyer_limit: Number(values.buyer_limit),
      };
      if (!show || values.scheduled_at !== initialTime) body.scheduled_at = utcInstant(values.scheduled_at);
      if (show) await ctx.api('PATCH', `/api/shows/${encodeURIComponent(show.id)}`, { body });
      else await ctx.api('POST', '/api/shows', { body });
      ctx.toast(t(show ? 'shows.saved' : 'shows.created'));
      ctx.navigate('#/shows');
    },
  });
}

/** A show that is no longer scheduled: what it was, and its control room. */
function renderPast(view, show) {
  view.append(
    el('div', { class: 's-head' }, el('h1', { text: show.title })),
    el('div', { class: 'panel shows-past', dataset: { testid: 'show-not-scheduled' } },
      el('p', { text: `${t(`shows.group.${show.status}`)} · ${whenText(show)}` }),
      el('p', { class: 'hint', 'data-i18n': 'shows.not_editable' }),
      el('div', { class: 's-actions' },
        el('a', { class: 'btn', href: '#/shows', 'data-i18n': 'shows.back' }),
        el('a', { class: 'btn btn-primary', href: `/host/${encodeURIComponent(show.id)}`,
          dataset: { testid: 'show-control' }, 'data-i18n': 'shows.control' }))));
}

export default {
  id: 'shows',
  order: 30,
  roles: ['host', 'admin'],
  nav: 'shows.nav',
  strings: {
    en: {
      'shows.stream_form': 'An address starting with https://.',
      'shows.nav': 'My shows',
      'shows.about': 'Create, schedule and run your live shows.',
      'shows.title': 'My shows',
      'shows.new': 'New show',
      'shows.empty': 'No show yet: create your first one.',
      'shows.group.live': 'Live now',
      'shows.group.scheduled': 'Scheduled',
      'shows.group.ended': 'Ended',
      'shows.live_since': 'Live since {when}',
      'shows.ended_at': 'Ended {when}',
      'shows.no_time': 'No time set',
      'shows.products_one': '{n} product',
      'shows.products_other': '{n} products',
      'shows.control': 'Control room',
      'shows.edit': 'Edit',
      'shows.start': 'Go live',
      'shows.start_confirm': 'Go live with “{title}” now? Viewers will see it at once.',
      'shows.started': 'You are live.',
      'shows.duplicate': 'Duplicate',
      'shows.copy_title': '{title} (copy)',
      'shows.copied': 'Copy made: set its time.',
      'shows.new_title': 'New show',
      'shows.edit_title': 'Edit the show',
      'shows.field.title': 'Title',
      'shows.field.products': 'Products',
      'shows.field.when': 'Date and time',
      'shows.field.limit': 'Pieces per buyer',
      'shows.field.stream': 'Stream URL',
      'shows.when_hint': 'Your time ({zone}). Leave empty to decide later.',
      'shows.limit_hint': 'The most pieces of one product a buyer may order in the show.',
      'shows.no_products': 'No seller lets you sell their products yet: ask a seller to add you as a host.',
      'shows.cancel': 'Cancel',
      'shows.create': 'Create the show',
      'shows.save': 'Save',
      'shows.created': 'Show created.',
      'shows.saved': 'Show saved.',
      'shows.not_editable': 'Only a scheduled show can be changed.',
      'shows.back': 'Back to my shows',
      'studio.invalid.schedule_in_past': 'This time has passed: pick a later one.', // the 422's detail, by its type
    },
    fr: {
      'shows.stream_form': 'Une adresse qui commence par https://.',
      'shows.nav': 'Mes émissions',
      'shows.about': 'Créez, programmez et animez vos émissions en direct.',
      'shows.title': 'Mes émissions',
      'shows.new': 'Nouvelle émission',
      'shows.empty': 'Aucune émission pour l\'instant : créez la première.',
      'shows.group.live': 'En direct',
      'shows.group.scheduled': 'Programmées',
      'shows.group.ended': 'Terminées',
      'shows.live_since': 'En direct depuis {when}',
      'shows.ended_at': 'Terminée {when}',
      'shows.no_time': 'Horaire à fixer',
      'shows.products_one': '{n} produit',
      'shows.products_other': '{n} produits',
      'shows.control': 'Régie',
      'shows.edit': 'Modifier',
      'shows.start': 'Passer en direct',
      'shows.start_confirm': 'Passer en direct avec « {title} » maintenant ? Les spectateurs la verront aussitôt.',
      'shows.started': 'Vous êtes en direct.',
      'shows.duplicate': 'Dupliquer',
      'shows.copy_title': '{title} (copie)',
      'shows.copied': 'Copie créée : fixez son horaire.',
      'shows.new_title': 'Nouvelle émission',
      'shows.edit_title': 'Modifier l\'émission',
      'shows.field.title': 'Titre',
      'shows.field.products': 'Produits',
      'shows.field.when': 'Date et heure',
      'shows.field.limit': 'Pièces par acheteur',
      'shows.field.stream': 'URL du flux vidéo',
      'shows.when_hint': 'Votre heure ({zone}). Laissez vide pour décider plus tard.',
      'shows.limit_hint': 'Le plus de pièces d\'un même produit qu\'un acheteur peut commander dans l\'émission.',
      'shows.no_products': 'Aucun vendeur ne vous laisse encore vendre ses produits : demandez à un vendeur de vous ajouter comme animateur.',
      'shows.cancel': 'Annuler',
      'shows.create': 'Créer l\'émission',
      'shows.save': 'Enregistrer',
      'shows.created': 'Émission créée.',
      'shows.saved': 'Émission enregistrée.',
      'shows.not_editable': 'Seule une émission programmée peut être modifiée.',
      'shows.back': 'Retour à mes émissions',
      'studio.invalid.schedule_in_past': 'Cet horaire est passé : choisissez-en un plus tard.',
    },
  },
  async render(view, ctx) {
    const [id] = ctx.params;
    if (!id) return renderList(view, ctx);
    if (id === 'new') return renderForm(view, ctx, null);
    const show = await ctx.api('GET', `/api/shows/${encodeURIComponent(id)}`);
    if (show.status !== 'scheduled') return renderPast(view, show);
    return renderForm(view, ctx, show);
  },
};
