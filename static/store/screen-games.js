// The running game of the store's show, large on the store's big screen: a poll's question and its options
// with live bars, a quiz's question and its count of answers (its right option only once quiz.ended says
// it), a giveaway's prize and its count of entries; a countdown on the server's clock; after the end, the
// result for RESULT_MS, then the screen goes back to the product. The code beside it opens the game on a
// shopper's phone (screen.js asks the server for it with shown().id).
//
// Reads the snapshot's `interactions` and the frames whose type starts with a game's kind (poll., quiz.,
// giveaway.): see README "Live interactions". Text always goes in as text.
import { clock, percent, plural, t } from '/static/i18n.js';
import { el, safeUrl } from '/static/ui.js';

export const KINDS = ['poll', 'quiz', 'giveaway'];
export const RESULT_MS = 20000;
const TICK_MS = 250;
const LETTERS = 'ABCDEF';

/** True for a frame of a game: `poll.results`, `quiz.ended`, `giveaway.drawn`… */
export function isGameFrame(type) {
  const kind = String(type).split('.', 1)[0];
  return KINDS.includes(kind) && type.length > kind.length + 1;
}

/**
 * root: the game's section in screen.html; productOf(id): a product of the show, or null; onChange(): which
 * game is shown (or none), or its status, changed, so the code and the layout follow.
 */
export function createScreenGames({ root, productOf, onChange }) {
  const part = (name) => root.querySelector(`[data-part="${name}"]`);
  const games = new Map(); // id -> the game as the server last described it (running, or ended and shown)
  let shownId = null;
  let shownState = ''; // "id:status" of the game on the screen, '' for none
  let resultUntil = 0;
  let offset = 0; // the server's clock minus ours
  let ticker = null;
  let resultTimer = null;
  let drawnId = null; // the game whose options are drawn (rows are updated in place, so bars glide)

  const now = () => Date.now() + offset;

  /** The server time of the snapshot frame: the countdown follows the server, not the screen's own clock. */
  function setClock(serverMs) {
    if (typeof serverMs === 'number') offset = serverMs - Date.now();
  }

  // --- which game the screen shows ---------------------------------------------------------------

  /** The game on the screen: a result still in its time, else the newest running game, else none. */
  function pick() {
    const current = shownId && games.get(shownId);
    if (current && current.status === 'ended' && now() < resultUntil) return current.id;
    for (const [id, game] of games) if (game.status === 'ended') games.delete(id);
    const running = [...games.values()].sort((a, b) => String(b.started_at).localeCompare(String(a.started_at)));
    return running.length ? running[0].id : null;
  }

  function refresh() {
    const before = shownState;
    shownId = pick();
    const game = shownId && games.get(shownId);
    shownState = game ? `${game.id}:${game.status}` : '';
    draw();
    if (shownState !== before) onChange(); // another game, none, or its end: the code and its caption follow
  }

  function put(game) {
    if (!game || typeof game !== 'object' || typeof game.id !== 'string' || !KINDS.includes(game.kind)) return null;
    const known = games.get(game.id);
    const merged = { ...(known || {}), ...game };
    games.set(game.id, merged);
    return merged;
  }

  function ended(game, extra = {}) {
    const merged = put({ ...game, ...extra, status: 'ended' });
    if (!merged) return;
    if (shownId === merged.id || !shownId || games.get(shownId)?.status === 'ended') {
      shownId = merged.id; // its result stays RESULT_MS (unless a new game starts)
      resultUntil = now() + RESULT_MS;
      clearTimeout(resultTimer);
      resultTimer = setTimeout(refresh, RESULT_MS + 50);
    }
  }

  const FRAMES = {
    started: (kind, data) => {
      if (put(data[kind])) resultUntil = 0; // a new game takes the screen at once
    },
    results: (kind, data) => update(data[`${kind}_id`], { votes: data.votes, total: data.total }),
    answers: (kind, data) => update(data[`${kind}_id`], { count: data.count }),
    entries: (kind, data) => update(data[`${kind}_id`], { count: data.count }),
    ended: (kind, data) => ended(data[kind], kind === 'quiz'
      ? { correct_option_id: data.correct_option_id, correct: data.correct } : {}),
    drawn: (kind, data) => ended(data[kind], { drawn: Array.isArray(data.winners) ? data.winners : [] }),
  };

  function update(id, figures) {
    const game = games.get(id);
    if (game && game.status === 'running') Object.assign(game, figures);
  }

  // --- drawing -------------------------------------------------------------------------------------

  function draw() {
    const game = shownId && games.get(shownId);
    root.hidden = !game;
    clearInterval(ticker);
    ticker = null;
    if (!game) {
      drawnId = null;
      delete root.dataset.kind;
      return;
    }
    root.dataset.kind = game.kind;
    root.dataset.status = game.status;
    root.dataset.gameId = game.id;
    part('kind').textContent = t(`store.screen.game.${game.kind}`);
    if (game.kind === 'giveaway') drawGiveaway(game);
    else drawBallot(game);
    tick();
    if (game.status === 'running') ticker = setInterval(tick, TICK_MS);
  }

  function tick() {
    const game = shownId && games.get(shownId);
    if (!game) return;
    const node = part('clock');
    if (game.status === 'ended') {
      node.textContent = t(game.kind === 'giveaway' ? 'store.screen.game.drawn' : 'store.screen.game.result');
      return;
    }
    const left = Number(game.ends_at_ms) - now();
    node.textContent = left > 0 ? t('store.screen.game.ends_in', { time: clock(left) }) : t('store.screen.game.closing');
  }

  /** A poll's or a quiz's question and options: one row per option, kept and updated in place. */
  /** The question (or the prize's title): a long one in smaller letters, so that it stays whole. */
  function ask(text) {
    const node = part('question');
    node.textContent = text;
    node.dataset.size = text.length > 130 ? 'long' : text.length > 65 ? 'mid' : '';
  }

  function drawBallot(game) {
    ask(game.question || '');
    part('prize').hidden = true;
    const list = part('options');
    delete list.dataset.winners;
    const options = Array.isArray(game.options) ? game.options : [];
    if (drawnId !== game.id || list.children.length !== options.length) {
      list.replaceChildren(...options.map((option, i) => el('li', {
        class: 'game-option', dataset: { optionId: option.id }, 'data-testid': `screen-game-option-${option.id}`,
      }, el('span', { class: 'game-letter', text: LETTERS[i] || '' }),
      el('span', { class: 'game-text', text: option.text || '' }),
      el('span', { class: 'game-share', 'data-part': 'share' }),
      el('span', { class: 'game-bar', 'aria-hidden': 'true' }, el('span', { class: 'game-fill' })))));
      list.dataset.count = String(options.length); // five or six options: smaller rows (screen.css)
      drawnId = game.id;
    }
    const poll = game.kind === 'poll';
    const votes = (poll && game.votes && typeof game.votes === 'object') ? game.votes : {};
    const total = poll ? Math.max(0, Number(game.total) || 0) : 0;
    const top = Math.max(0, ...Object.values(votes).map((n) => Number(n) || 0));
    for (const row of list.children) {
      const id = row.dataset.optionId;
      const n = Number(votes[id]) || 0;
      const share = total ? n / total : 0;
      row.dataset.votes = String(n);
      row.querySelector('.game-share').textContent = poll ? percent(Math.round(share * 100) / 100) : '';
      row.querySelector('.game-fill').style.width = `${(share * 100).toFixed(1)}%`;
      const ended = game.status === 'ended';
      row.classList.toggle('game-lead', poll && ended && n > 0 && n === top);
      const right = !poll && ended && game.correct_option_id === id;
      row.classList.toggle('game-right', right);
      row.classList.toggle('game-dim', !poll && ended && !right);
    }
    const figure = part('figure');
    if (poll) figure.textContent = plural('store.screen.game.votes', total);
    else if (game.status === 'ended') {
      figure.textContent = `${plural('store.screen.game.correct', Number(game.correct) || 0)} · `
        + plural('store.screen.game.answers', Number(game.count) || 0);
    } else figure.textContent = plural('store.screen.game.answers', Number(game.count) || 0);
  }

  /** A giveaway: the prize (its title, size and photo as the giveaway gives them, else the show's product), its
   *  count of entries, then the winners' names. */
  function drawGiveaway(game) {
    drawnId = null;
    delete part('options').dataset.count;
    const prize = game.prize && typeof game.prize === 'object' ? game.prize : {};
    const product = productOf(prize.product_id) || {};
    const variant = (product.variants || []).find((v) => v.id === prize.variant_id) || {};
    const size = prize.variant_label || variant.label || '';
    ask(t('store.screen.game.win', { title: prize.title || product.title || '' }));
    part('prize').hidden = false;
    const image = part('prize-image');
    const src = safeUrl(prize.image || (product.images || [])[0]);
    image.hidden = !src;
    if (src && image.getAttribute('src') !== src) image.src = src;
    const places = typeof game.winners === 'number' ? game.winners : null;
    part('prize-text').textContent = [
      size ? t('store.screen.game.size', { label: size }) : '',
      places ? plural('store.screen.game.winners', places) : '',
      t('store.screen.game.no_purchase'),
    ].filter(Boolean).join(' · ');
    const list = part('options');
    const count = Number(game.count) || 0;
    if (game.status === 'ended') {
      const names = (game.drawn || (Array.isArray(game.winners) ? game.winners : []))
        .map((w) => (w && typeof w.name === 'string' ? w.name : '')).filter(Boolean);
      list.replaceChildren(...names.map((name) => el('li', { class: 'game-option game-winner', text: name })));
      list.dataset.winners = names.length > 8 ? 'many' : 'few';
      part('figure').textContent = names.length ? plural('store.screen.game.entries', count)
        : t('store.screen.game.no_entries');
    } else {
      list.replaceChildren();
      delete list.dataset.winners;
      part('figure').textContent = plural('store.screen.game.entries', count);
    }
  }

  return {
    /** The snapshot: the running games (a reconnect starts over from them; a result on show stays). */
    snapshot(data, serverMs) {
      setClock(serverMs);
      const keep = shownId && games.get(shownId);
      games.clear();
      if (keep && keep.status === 'ended' && now() < resultUntil) games.set(keep.id, keep);
      for (const game of Array.isArray(data.interactions) ? data.interactions : []) {
        if (game && game.status === 'running') put(game);
      }
      refresh();
    },

    /** A game's frame ({type, ts, data}). */
    event(frame) {
      const [kind, what] = frame.type.split('.', 2);
      const handler = FRAMES[what];
      if (!handler || !KINDS.includes(kind)) return;
      handler(kind, frame.data || {});
      refresh();
    },

    /** The game the screen shows now, or null: {id, kind, status}. */
    shown() {
      const game = shownId && games.get(shownId);
      return game ? { id: game.id, kind: game.kind, status: game.status } : null;
    },

    /** The store leaves its show: nothing to show. */
    clear() {
      games.clear();
      resultUntil = 0;
      clearTimeout(resultTimer);
      refresh();
    },
  };
}
