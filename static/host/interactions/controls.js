// What every host game widget shares: starting a game from its form (POST …, the body kept as a template), and
// its live view's state badge, countdown and the button that ends the game now (POST …/{id}/end) after a
// confirmation in the page, with the refusal under it.
import { ApiError } from '/static/api.js';
import { keepTemplate } from '/static/host/templates.js';
import { clock, errorText, t } from '/static/i18n.js';
import { el } from '/static/ui.js';

const TICK_MS = 250;

/**
 * `id(name)`: the widget's test ids; `base`: its games' API path (/api/shows/{id}/polls); `end`, `ask`, `yes`,
 * `closing`: the i18n keys of the button, the question, the confirming button and the countdown past its end;
 * `onEnded(game)`: the ended game as the API answers it. Returns {head, controls} to place in the view, and
 * set(game) to call with every new state of the game.
 */
export function createEnding(ctx, { id, base, end, ask, yes, closing, onEnded }) {
  const s = { game: null, confirming: false, timer: null };
  const badge = el('span', { class: 'badge', 'data-testid': id('state') });
  const clockNode = el('span', { class: 'game-live-clock', role: 'timer', 'data-testid': id('clock') });
  const endButton = el('button', { type: 'button', class: 'btn btn-danger btn-block', 'data-testid': id('end'),
    text: t(end), onclick: () => { s.confirming = true; paint(); } });
  const endError = el('p', { class: 'form-error', role: 'alert', hidden: true, 'data-testid': id('end-error') });
  const confirm = el('div', { class: 'game-confirm', role: 'group', 'data-testid': id('confirm') },
    el('p', { text: t(ask) }),
    el('div', { class: 'game-confirm-actions' },
      el('button', { type: 'button', class: 'btn btn-ghost', 'data-testid': id('end-keep'), text: t('games.end_keep'),
        onclick: () => { s.confirming = false; paint(); } }),
      el('button', { type: 'button', class: 'btn btn-danger', 'data-testid': id('end-yes'), text: t(yes),
        onclick: endNow })));

  const running = () => Boolean(s.game && s.game.status === 'running');

  async function endNow(event) {
    const game = s.game;
    if (!game) return;
    const button = event.currentTarget;
    button.disabled = true;
    endError.hidden = true;
    try {
      onEnded(await ctx.request('POST', `${base}/${encodeURIComponent(game.id)}/end`));
    } catch (err) {
      endError.textContent = err instanceof ApiError ? errorText(err.error) : t('err.generic');
      endError.hidden = false;
    } finally {
      button.disabled = false;
    }
  }

  function tick() {
    const left = s.game ? Number(s.game.ends_at_ms) - ctx.now() : 0;
    clockNode.textContent = running() ? (left > 0 ? clock(left) : t(closing)) : '';
  }

  function paint() {
    const live = running();
    if (!live) s.confirming = false;
    badge.textContent = t(live ? 'games.running' : 'games.ended');
    badge.className = `badge ${live ? 'badge-live' : 'badge-ended'}`;
    endButton.hidden = !live || s.confirming;
    confirm.hidden = !live || !s.confirming;
    if (!live) endError.hidden = true;
    tick();
  }

  return {
    head: el('div', { class: 'game-live-head' }, badge, clockNode),
    controls: [endButton, confirm, endError],
    set(game) {
      if (!game || !s.game || game.id !== s.game.id) s.confirming = false;
      s.game = game;
      clearInterval(s.timer);
      s.timer = running() ? setInterval(tick, TICK_MS) : null;
      if (game) paint();
    },
    destroy() {
      clearInterval(s.timer);
    },
  };
}

/**
 * Starts a game of `kind` at `base` with the form's body `data` (null: the form has said what is wrong), one
 * start at a time (`submit` is disabled meanwhile); then `started(game, data)` and the live `view` scrolled into
 * sight (the long form it replaces had the page scrolled past it), or the refusal through `refuse(text)` and
 * `refused(err)`.
 */
export async function startGame(ctx, { kind, base, data, submit, view, refuse, started, refused = () => {} }) {
  if (!data || submit.disabled) return;
  submit.disabled = true;
  try {
    const game = await ctx.request('POST', base, data);
    keepTemplate(kind, data);
    started(game, data);
    if (view && !view.hidden) view.scrollIntoView({ block: 'nearest' });
  } catch (err) {
    refuse(err instanceof ApiError ? errorText(err.error) : t('err.generic'));
    refused(err);
  } finally {
    submit.disabled = false;
  }
}

/** Shows the widget's live view of `game` (its state in `data-state`), or its start form alone when none runs,
 *  titled `title` when a past game is shown above it. True when the game runs. */
export function layout(game, { view, form, title }) {
  const live = Boolean(game && game.status === 'running');
  view.hidden = !game;
  form.hidden = live;
  title.hidden = live || !game;
  if (game) view.dataset.state = game.status;
  return live;
}
