// A giveaway in the player's games tray: the prize (photo, title, size), the countdown, the entry form (a name,
// shown if it wins, and an email, only to reach the winner: never shown), the live entry count, "you're in" with
// the entry number, "no purchase necessary" and the rules, then the draw: the winners' names, and for a winner
// its claim link (giveaway.won, to it alone). The draw can be checked on /giveaways/{id}/proof.
import { clock, errorText, formatDate, plural, t } from '/static/i18n.js';
import { readStore } from '/static/live.js';
import { BUYER_KEY } from '/static/shop.js';
import { el, safeUrl } from '/static/ui.js';

const TICK_MS = 250;
const WON_LINGER_MS = 300000; // the claim link stays on screen long enough to be tapped
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The name and email this device used last (the buyer's, else the chat name), to fill the form. */
function savedPerson() {
  let buyer = null;
  try { buyer = JSON.parse(readStore(BUYER_KEY) || 'null'); } catch { /* nothing kept */ }
  return { name: (buyer && buyer.name) || readStore('vitrine.name') || '', email: (buyer && buyer.email) || '' };
}

export default function create(ctx) {
  const s = { game: null, mine: null, winners: null, won: null, shown: false, pending: false, note: null, timer: null,
    count: 0 };
  const person = savedPerson();
  const field = (name, attrs) => el('input', { class: 'field', name, 'data-testid': `giveaway-${name}`, ...attrs });
  const nameInput = field('name', { autocomplete: 'name', maxlength: '80', value: person.name, required: true });
  const emailInput = field('email', { type: 'email', autocomplete: 'email', inputmode: 'email', maxlength: '254',
    autocapitalize: 'off', spellcheck: 'false', value: person.email, required: true });
  const submit = el('button', { type: 'submit', class: 'btn btn-primary btn-block', 'data-testid': 'giveaway-enter' });
  const formNote = el('p', { class: 'giveaway-note', 'data-testid': 'giveaway-form-error', role: 'alert', hidden: true });
  const form = el('form', { class: 'giveaway-form', novalidate: true,
    onsubmit: (event) => { event.preventDefault(); enter(); } },
  el('label', { class: 'giveaway-field' }, el('span', { class: 'label', text: t('giveaway.name') }), nameInput),
  el('label', { class: 'giveaway-field' }, el('span', { class: 'label', text: t('giveaway.email') }), emailInput),
  el('p', { class: 'giveaway-privacy', text: t('giveaway.email_private') }), formNote, submit);
  const image = el('img', { class: 'giveaway-image', alt: '', width: '56', height: '56', hidden: true });
  const title = el('p', { class: 'giveaway-title', 'data-testid': 'giveaway-prize' });
  const variant = el('p', { class: 'giveaway-variant', 'data-testid': 'giveaway-variant' });
  const clockNode = el('span', { class: 'game-clock', role: 'timer', 'data-testid': 'game-countdown' });
  const count = el('p', { class: 'giveaway-count', 'data-testid': 'giveaway-count', 'aria-live': 'polite' });
  const entered = el('p', { class: 'giveaway-entered', 'data-testid': 'giveaway-entered', hidden: true });
  const result = el('div', { class: 'giveaway-result', 'data-testid': 'giveaway-result', hidden: true });
  const rules = el('ul', { class: 'giveaway-rules', 'data-testid': 'giveaway-rules' });
  const root = el('article', { class: 'game game-giveaway', 'data-testid': 'game-giveaway' },
    el('header', { class: 'game-head' }, el('span', { class: 'game-kind', text: t('giveaway.kind') }), clockNode),
    el('div', { class: 'giveaway-prize' }, image, el('div', { class: 'giveaway-prize-text' }, title, variant)),
    count, form, entered, result,
    el('p', { class: 'giveaway-free', 'data-testid': 'giveaway-free', text: t('giveaway.no_purchase') }),
    el('details', { class: 'giveaway-details' }, el('summary', { text: t('giveaway.rules') }), rules));
  ctx.mount.replaceChildren(root);

  const running = () => Boolean(s.game && s.game.status === 'running');
  const msLeft = () => (s.game ? Number(s.game.ends_at_ms) - ctx.now() : 0);
  const open = () => running() && msLeft() > 0;
  const proofUrl = () => `/giveaways/${encodeURIComponent(s.game.id)}/proof${s.mine && s.mine.entry_id
    ? `?entry=${encodeURIComponent(s.mine.entry_id)}` : ''}`;

  function enter() {
    if (!open() || s.mine || s.pending) return;
    const name = nameInput.value.trim().replace(/\s+/g, ' ');
    const email = emailInput.value.trim().toLowerCase();
    s.note = !name ? t('giveaway.name_required') : !EMAIL.test(email) ? t('giveaway.email_invalid') : null;
    if (!s.note) {
      s.pending = ctx.send({ type: 'enter', giveaway_id: s.game.id, name, email, key: s.game.id });
      if (!s.pending) s.note = t('giveaway.offline');
    }
    render();
    if (s.note) (name ? emailInput : nameInput).focus();
  }

  /** The prize as the game carries it: {product_id, variant_id, title, variant_label, image}. */
  function renderPrize() {
    const prize = s.game.prize || {};
    const src = safeUrl(prize.image);
    image.hidden = !src;
    if (src && image.getAttribute('src') !== src) image.src = src;
    image.alt = t('product.image', { title: prize.title || '' });
    title.textContent = prize.title || '';
    variant.textContent = prize.variant_label ? t('giveaway.size', { size: prize.variant_label }) : '';
  }

  function renderRules() {
    const game = s.game;
    const ends = formatDate(game.ends_at, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
    const lines = [
      t('giveaway.rule_prize', { prize: (game.prize && game.prize.title) || '–' }),
      t('giveaway.rule_end', { time: ends }),
      plural('giveaway.rule_winners', Number(game.winners) || 1),
      Number(game.min_watch_s) > 0 ? plural('giveaway.rule_watch', Math.ceil(game.min_watch_s / 60)) : null,
      t('giveaway.rule_one'),
      t('giveaway.rule_draw'),
    ].filter(Boolean);
    const items = lines.map((line) => el('li', { text: line }));
    if (game.commitment) {
      items.push(el('li', {}, t('giveaway.rule_commitment'), ' ',
        el('code', { class: 'giveaway-hash', text: game.commitment })));
    }
    if (game.status !== 'running') {
      items.push(el('li', {}, el('a', { href: proofUrl(), target: '_blank', rel: 'noopener',
        'data-testid': 'giveaway-proof', text: t('giveaway.check_draw') })));
    }
    rules.replaceChildren(...items);
  }

  /** Whether the viewer is among the winners: its claim link came, or its entry or viewer id is a winner's. */
  function isWinner() {
    if (s.won) return true;
    const entry = s.mine && s.mine.entry_id;
    const viewer = (ctx.you() || {}).viewer_id;
    return (s.winners || []).some((w) => (entry && w.entry_id === entry) || (viewer && w.viewer_id === viewer));
  }

  function renderResult() {
    result.hidden = running();
    if (running()) return;
    const winners = s.winners || [];
    const nodes = [el('p', { class: 'giveaway-result-title', text: winners.length
      ? plural('giveaway.winners', winners.length) : t(s.winners ? 'giveaway.no_winner' : 'giveaway.drawing') })];
    if (winners.length) {
      nodes.push(el('ol', { class: 'giveaway-winners', 'data-testid': 'giveaway-winners' },
        ...winners.map((w) => el('li', { text: w.name || '–' }))));
    }
    const link = s.won && safeUrl(s.won.claim_url);
    if (isWinner()) {
      const won = el('div', { class: 'giveaway-won', 'data-testid': 'giveaway-won' },
        el('p', { class: 'giveaway-won-title', text: t('giveaway.you_won') }),
        link ? el('a', { class: 'btn btn-primary btn-block', href: link, target: '_blank', rel: 'noopener',
          'data-testid': 'giveaway-claim', text: t('giveaway.claim') })
          : el('p', { class: 'giveaway-note', text: t('giveaway.claim_coming') }));
      nodes.push(won);
      if (link && !s.shown) { // the claim link, once, in sight in the tray
        s.shown = true;
        requestAnimationFrame(() => won.scrollIntoView({ block: 'nearest', behavior: 'smooth' }));
      }
    } else if (s.mine && s.winners) {
      nodes.push(el('p', { class: 'giveaway-lost', 'data-testid': 'giveaway-lost', text: t('giveaway.not_this_time') }));
    }
    result.replaceChildren(...nodes);
  }

  function render() {
    if (!s.game) return;
    root.dataset.state = s.game.status;
    count.textContent = plural('giveaway.entries', s.count);
    form.hidden = !open() || Boolean(s.mine);
    submit.disabled = Boolean(s.pending);
    submit.textContent = t(s.pending ? 'giveaway.entering' : 'giveaway.enter');
    formNote.hidden = !s.note;
    formNote.textContent = s.note || '';
    entered.hidden = !s.mine;
    const number = s.mine && s.mine.entry_id;
    entered.textContent = !s.mine ? '' : number ? t('giveaway.in', { entry: number }) : t('giveaway.in_elsewhere');
    renderPrize();
    renderRules();
    renderResult();
    tick();
  }

  function tick() {
    if (!running()) {
      clockNode.textContent = '';
      return;
    }
    const left = msLeft();
    clockNode.textContent = left > 0 ? clock(left) : t('giveaway.drawing');
    if (left <= 0 && s.timer) { // the draw follows from the server
      clearInterval(s.timer);
      s.timer = null;
      render();
    }
  }

  function drawn(game, winners) {
    clearInterval(s.timer);
    s.timer = null;
    s.game = { ...s.game, ...game, status: 'ended' };
    s.winners = Array.isArray(winners) ? winners : Array.isArray(s.game.drawn) ? s.game.drawn : [];
    if (typeof s.game.count === 'number') s.count = s.game.count;
    s.pending = false;
  }

  return {
    set(game, mine) {
      clearInterval(s.timer);
      s.timer = null;
      s.game = game && typeof game === 'object' ? { ...game } : null;
      if (!s.game) return;
      s.mine = mine && typeof mine === 'object' ? mine : s.mine;
      s.count = Number(s.game.count) || 0;
      s.pending = false;
      if (s.game.status !== 'running') drawn(s.game, null);
      else s.timer = setInterval(tick, TICK_MS);
      render();
    },

    event(type, data) {
      if (!s.game) return;
      const id = s.game.id;
      if (type === 'giveaway.entries' && data.giveaway_id === id) {
        s.count = Number(data.count) || 0;
      } else if (type === 'giveaway.entered' && data.giveaway_id === id) {
        s.mine = { entry_id: data.entry_id };
        s.pending = false;
        s.note = null;
        s.count = Math.max(s.count, 1);
      } else if ((type === 'giveaway.drawn' || type === 'giveaway.ended') && data.giveaway && data.giveaway.id === id) {
        drawn(data.giveaway, data.winners);
      } else if (type === 'giveaway.won' && data.giveaway_id === id) {
        s.won = data;
        if (typeof ctx.linger === 'function') ctx.linger(WON_LINGER_MS);
      } else {
        return;
      }
      render();
    },

    error(err) {
      if (!s.game || !err || err.key !== s.game.id) return false;
      s.pending = false;
      const wait = err.code === 'not_eligible' && Number(err.remaining_s) > 0 ? Number(err.remaining_s) * 1000 : 0;
      s.note = wait ? t('giveaway.not_yet', { time: clock(wait) }) : errorText(err);
      if (err.code === 'interaction_ended') s.game = { ...s.game, ends_at_ms: Math.min(s.game.ends_at_ms, ctx.now()) };
      render();
      return true;
    },

    destroy() {
      clearInterval(s.timer);
      s.timer = null;
      ctx.mount.replaceChildren();
    },
  };
}
