// A poll in the player's games tray: the options as buttons, live bars with their percentages and the total
// (poll.results, a few a second at most), the viewer's vote, and the final tally at poll.ended.
import { percent, plural, t } from '/static/i18n.js';
import { el } from '/static/ui.js';
import { createBallot } from '/static/player/interactions/ballot.js';

/** Whole percentages of the total, each option's share (0 when nobody voted). */
function shares(votes, total) {
  const out = {};
  for (const [id, n] of Object.entries(votes || {})) out[id] = total > 0 ? Math.round((100 * (Number(n) || 0)) / total) : 0;
  return out;
}

export default function create(ctx) {
  return createBallot(ctx, {
    kind: 'poll',
    frame: 'vote',
    reply: 'poll.voted',
    option(row) {
      row.bar = el('span', { class: 'game-bar', 'aria-hidden': 'true' });
      row.pct = el('span', { class: 'game-pct', 'data-testid': 'game-pct' });
      return [row.bar, row.pct];
    },
    paint(card) {
      const { votes = {}, total = 0 } = card.game;
      const pct = shares(votes, Number(total) || 0);
      let top = 0;
      for (const n of Object.values(votes)) top = Math.max(top, Number(n) || 0);
      for (const [id, row] of card.rows) {
        const share = pct[id] || 0;
        row.bar.style.width = `${share}%`;
        row.pct.textContent = percent(share / 100);
        row.button.title = plural('games.votes', votes[id] || 0);
        row.button.classList.toggle('is-top', card.game.status === 'ended' && top > 0 && (votes[id] || 0) === top);
      }
      card.extra.replaceChildren(el('p', { class: 'game-total', 'data-testid': 'game-total',
        text: plural('games.votes', Number(total) || 0) }));
    },
    status(card) {
      if (card.game.status === 'ended') return t('games.poll_ended');
      return card.mine ? t('games.voted') : null;
    },
    event(type, data, card) {
      if (type !== 'poll.results' || data.poll_id !== card.game.id || card.game.status !== 'running') return false;
      card.game.votes = data.votes || {};
      card.game.total = Number(data.total) || 0;
      return true;
    },
  });
}
