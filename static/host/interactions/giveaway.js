// The host's giveaway: the start form (a size of one of the show's products as the prize, 1 to 50 winners, how
// long, how long a viewer must have watched), with the last 5 started as templates; the live view (the prize, the
// countdown, the count of entries, "Draw now" confirmed in the page: it ends the giveaway early); after the draw,
// the winners' names and the link to the draw's proof.
import { ApiError } from '/static/api.js';
import { plural, t } from '/static/i18n.js';
import { createEnding, layout, startGame } from '/static/host/interactions/controls.js';
import { readTemplates } from '/static/host/templates.js';
import { el } from '/static/ui.js';

const KIND = 'giveaway';
const DEFAULTS = { winners: 1, duration_s: 120, min_watch_s: 0 };
const LIMITS = { winners: [1, 50], duration_s: [10, 3600], min_watch_s: [0, 3600] };
const validTemplate = (body) => Boolean(body.prize && body.prize.product_id && body.prize.variant_id);

function create(ctx) {
  const base = `/api/shows/${encodeURIComponent(ctx.showId)}/giveaways`;
  const id = (name) => `giveaway-${name}`;
  const s = { game: null, products: [] };

  // --- the start form ----------------------------------------------------------------------------

  const templates = el('div', { class: 'game-templates', 'data-testid': id('templates') });
  const product = el('select', { class: 'field', 'data-testid': id('product'), onchange: () => fillVariants() });
  const variant = el('select', { class: 'field', 'data-testid': id('variant') });
  const number = (name) => el('input', { class: 'field', type: 'number', inputmode: 'numeric', step: 1,
    min: LIMITS[name][0], max: LIMITS[name][1], value: DEFAULTS[name], required: true,
    'data-testid': id(name.replace('_s', '').replace('_', '-')) });
  const inputs = { winners: number('winners'), duration_s: number('duration_s'), min_watch_s: number('min_watch_s') };
  const formError = el('p', { class: 'form-error', role: 'alert', hidden: true, 'data-testid': id('error') });
  const submit = el('button', { type: 'submit', class: 'btn btn-primary btn-block', 'data-testid': id('start'),
    text: t('giveaway.host_start') });
  const labelled = (key, input, hint) => el('label', { class: 'f' }, el('span', { class: 'label', text: t(key) }), input,
    hint ? el('small', { class: 'hint', text: t(hint) }) : null);
  const form = el('form', { class: 'game-form giveaway-host-form', novalidate: true, onsubmit: start },
    templates,
    labelled('giveaway.host_product', product),
    labelled('giveaway.host_variant', variant),
    el('div', { class: 'giveaway-host-row' },
      labelled('giveaway.host_winners', inputs.winners),
      labelled('giveaway.host_duration', inputs.duration_s)),
    labelled('giveaway.host_watch', inputs.min_watch_s, 'giveaway.host_watch_hint'),
    el('p', { class: 'hint', text: t('giveaway.host_stock') }),
    formError, submit);

  function fillProducts() {
    const chosen = product.value;
    product.replaceChildren(...s.products.map((p) => el('option', { value: p.id, text: p.title || p.id })));
    if (s.products.some((p) => p.id === chosen)) product.value = chosen;
    fillVariants();
  }

  function fillVariants(chosen = variant.value) {
    const p = s.products.find((item) => item.id === product.value);
    const variants = (p && p.variants) || [];
    variant.replaceChildren(...variants.map((v) => el('option', { value: v.id, disabled: Number(v.available) <= 0,
      text: t('giveaway.host_variant_left', { size: v.label || v.sku || v.id, n: Number(v.available) || 0 }) })));
    const open = variants.find((v) => v.id === chosen && Number(v.available) > 0)
      || variants.find((v) => Number(v.available) > 0);
    if (open) variant.value = open.id;
  }

  /** The show's products and their stock, for the prize's two lists. */
  async function loadProducts() {
    try {
      const show = await ctx.request('GET', `/api/shows/${encodeURIComponent(ctx.showId)}`);
      s.products = Array.isArray(show && show.products) ? show.products : [];
    } catch (err) {
      console.error('vitrine: the show\'s products could not be loaded', err);
      return;
    }
    fillProducts();
    renderTemplates();
    submit.disabled = !s.products.length;
    if (!s.products.length) refuse(t('giveaway.host_no_products'));
  }

  function fill(body) {
    product.value = body.prize.product_id;
    fillVariants(body.prize.variant_id);
    for (const [name, input] of Object.entries(inputs)) input.value = body[name] ?? DEFAULTS[name];
    formError.hidden = true;
  }

  function renderTemplates() {
    const list = readTemplates(KIND, validTemplate);
    templates.hidden = !list.length;
    const title = (body) => (s.products.find((p) => p.id === body.prize.product_id) || {}).title || body.prize.product_id;
    templates.replaceChildren(el('span', { class: 'label', text: t('games.templates') }),
      ...list.map((body, index) => el('button', { type: 'button', class: 'btn btn-small btn-ghost game-template',
        'data-testid': id(`template-${index}`), text: plural('giveaway.host_template', body.winners, { title: title(body) }),
        onclick: () => fill(body) })));
  }

  function refuse(text, focus) {
    formError.textContent = text;
    formError.hidden = false;
    if (focus) focus.focus();
  }

  /** The form as the API's body, or null after saying what is wrong. */
  function body() {
    if (!product.value || !variant.value) return refuse(t('giveaway.host_need_prize'), variant);
    const data = { prize: { product_id: product.value, variant_id: variant.value }, eligibility: 'everyone' };
    for (const [name, input] of Object.entries(inputs)) {
      const value = Math.round(Number(input.value));
      const [low, high] = LIMITS[name];
      if (input.value === '' || !(value >= low && value <= high)) {
        return refuse(t(`giveaway.host_need_${name}`, { min: low, max: high }), input);
      }
      data[name] = value;
    }
    return data;
  }

  function start(event) {
    event.preventDefault();
    formError.hidden = true;
    startGame(ctx, { kind: KIND, base, data: body(), submit, view, refuse, started: set,
      refused: (err) => { if (err instanceof ApiError && err.error.code === 'sold_out') loadProducts(); } });
  }

  // --- the live view and the draw ----------------------------------------------------------------

  const prize = el('h3', { class: 'game-live-question', 'data-testid': id('prize') });
  const count = el('p', { class: 'game-live-total', 'data-testid': id('count') });
  const winners = el('ol', { class: 'giveaway-host-winners', 'data-testid': id('drawn') });
  const proof = el('a', { class: 'btn btn-small btn-ghost', target: '_blank', rel: 'noopener',
    'data-testid': id('proof'), text: t('giveaway.check_draw') });
  const ending = createEnding(ctx, { id, base, end: 'giveaway.host_draw', ask: 'giveaway.host_draw_ask',
    yes: 'giveaway.host_draw_yes', closing: 'giveaway.drawing', onEnded: (game) => set(game) });
  const view = el('div', { class: 'game-live', 'data-testid': id('live') },
    ending.head, prize, count, winners, proof, ...ending.controls);
  const newTitle = el('h3', { class: 'game-new-title', text: t('giveaway.host_new') });
  ctx.mount.replaceChildren(view, newTitle, form);

  const running = () => Boolean(s.game && s.game.status === 'running');

  function render() {
    const game = s.game;
    const live = layout(game, { view, form, title: newTitle });
    if (!game) return;
    const gift = game.prize || {};
    prize.textContent = [gift.title, gift.variant_label].filter(Boolean).join(' · ');
    count.textContent = `${plural('giveaway.entries', Number(game.count) || 0)} · ${plural('giveaway.rule_winners',
      Number(game.winners) || 1)}`;
    const drawn = Array.isArray(game.drawn) ? game.drawn : [];
    winners.hidden = live;
    winners.replaceChildren(...(live ? [] : drawn.length ? drawn.map((w) => el('li', { text: w.name || '–' }))
      : [el('li', { class: 'hint', text: t('giveaway.no_winner') })]));
    proof.hidden = live;
    proof.href = `/giveaways/${encodeURIComponent(game.id)}/proof`;
  }

  function set(game) {
    const same = game && s.game && s.game.id === game.id;
    s.game = game && typeof game === 'object' ? { ...(same ? s.game : {}), ...game } : null;
    ending.set(s.game);
    if (s.game && !running()) loadProducts(); // the stock moved: the prize's units left (or came back)
    render();
  }

  loadProducts();
  render();

  return {
    set,
    event(type, data) {
      if ((type === 'giveaway.started' || type === 'giveaway.drawn') && data.giveaway) {
        if (type === 'giveaway.started' || (s.game && s.game.id === data.giveaway.id)) set(data.giveaway);
        return;
      }
      if (type !== 'giveaway.entries' || !running() || data.giveaway_id !== s.game.id) return;
      s.game.count = Number(data.count) || 0;
      render();
    },
    destroy() {
      ending.destroy();
      ctx.mount.replaceChildren();
    },
  };
}

export default { kind: KIND, label: 'giveaway.kind', create };
