// The card of a game viewers play by choosing one option (a poll, a quiz), as the server's games/ballot.py
// is their common side: the question, one button per option, the countdown, the viewer's own choice (from
// the snapshot's `mine` or the server's reply) and the refusals. Each kind draws its own figures and result
// through its `spec` (poll.js, quiz.js).
import { clock, errorText, t } from '/static/i18n.js';
import { el } from '/static/ui.js';

const TICK_MS = 250;

/**
 * `spec`: {kind, frame ('vote'), reply ('poll.voted'), option(row) → nodes added to an option's button,
 * paint(card) → draws the kind's figures and result on the rows, status(card) → the line under the options
 * (or null for the common one), event(type, data, card) → true when it changed the card}.
 * The card the hooks get: {game, mine, note, rows: Map(option id → {button, ...what option() kept}), extra
 * (an element under the status line), ctx}.
 */
export function createBallot(ctx, spec) {
  const idField = `${spec.kind}_id`;
  const card = { game: null, mine: null, note: null, pending: false, rows: new Map(), ctx };
  const clockNode = el('span', { class: 'game-clock', role: 'timer', 'data-testid': 'game-countdown' });
  const question = el('h3', { class: 'game-question', 'data-testid': 'game-question' });
  const options = el('div', { class: 'game-options', role: 'group' });
  const status = el('p', { class: 'game-status', 'data-testid': 'game-status', role: 'status' });
  card.extra = el('div', { class: 'game-extra' });
  const root = el('article', { class: `game game-${spec.kind}`, 'data-testid': `game-${spec.kind}` },
    el('header', { class: 'game-head' }, el('span', { class: 'game-kind', text: t(`games.${spec.kind}`) }), clockNode),
    question, options, status, card.extra);
  ctx.mount.replaceChildren(root);
  let timer = null;

  const running = () => Boolean(card.game && card.game.status === 'running');
  const msLeft = () => (card.game ? Number(card.game.ends_at_ms) - ctx.now() : 0);
  card.open = () => running() && msLeft() > 0;

  function choose(optionId) {
    if (!card.open() || card.mine || card.pending) return;
    const sent = ctx.send({ type: spec.frame, [idField]: card.game.id, option_id: optionId, key: card.game.id });
    card.pending = sent ? optionId : false;
    card.note = sent ? null : t('games.offline');
    render();
  }

  function build() {
    const game = card.game;
    const ids = (game.options || []).map((o) => o.id).join();
    if (ids === [...card.rows.keys()].join()) return;
    card.rows.clear();
    options.replaceChildren(...(game.options || []).map((option) => {
      const button = el('button', {
        type: 'button', class: 'game-option', dataset: { option: option.id },
        'data-testid': `game-option-${option.id}`, onclick: () => choose(option.id),
      }, el('span', { class: 'game-option-text', text: option.text || '' }));
      const row = { button, text: option.text || '' };
      button.append(...(spec.option ? spec.option(row) : []));
      card.rows.set(option.id, row);
      return button;
    }));
  }

  function tick() {
    if (!running()) {
      clockNode.textContent = '';
      return;
    }
    const left = msLeft();
    clockNode.textContent = left > 0 ? clock(left) : t('games.closing');
    if (left <= 0 && timer) { // the server's <kind>.ended follows: no more choosing meanwhile
      clearInterval(timer);
      timer = null;
      render();
    }
  }

  function render() {
    const game = card.game;
    if (!game) return;
    root.dataset.state = game.status;
    question.textContent = game.question || '';
    build();
    const chosen = (card.mine && card.mine.option_id) || card.pending || null;
    for (const [id, row] of card.rows) {
      row.button.disabled = !card.open() || Boolean(card.mine) || Boolean(card.pending);
      row.button.classList.toggle('is-mine', id === chosen);
      row.button.setAttribute('aria-pressed', String(id === chosen));
    }
    spec.paint(card);
    const own = spec.status(card);
    status.textContent = card.note || own || (card.open() ? t('games.pick') : '');
    tick();
  }

  return {
    set(game, mine) {
      clearInterval(timer);
      timer = null;
      card.game = game && typeof game === 'object' ? { ...game } : null;
      card.mine = mine && typeof mine === 'object' ? mine : null;
      card.pending = false;
      card.note = null;
      if (running()) timer = setInterval(tick, TICK_MS);
      render();
    },

    event(type, data) {
      const game = card.game;
      if (!game) return;
      if (type === `${spec.kind}.ended` && data[spec.kind] && data[spec.kind].id === game.id) {
        clearInterval(timer);
        timer = null;
        card.game = { ...game, ...data[spec.kind], status: 'ended' };
        card.pending = false;
      } else if (type === spec.reply && data[idField] === game.id) {
        card.mine = { entry_id: data.entry_id, option_id: data.option_id };
        card.pending = false;
        card.note = null;
      } else if (!spec.event(type, data, card)) {
        return;
      }
      render();
    },

    error(err) {
      if (!card.game || !err || err.key !== card.game.id) return false;
      const tried = card.pending;
      card.pending = false;
      // a second device of the same viewer voted first: the choice is taken, only not known here
      if (err.code === 'already_voted' && !card.mine) card.mine = { option_id: null };
      card.note = err.code === 'already_voted' && tried ? null : errorText(err);
      render();
      return true;
    },

    destroy() {
      clearInterval(timer);
      timer = null;
      ctx.mount.replaceChildren();
    },
  };
}
