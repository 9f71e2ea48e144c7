// A quiz in the player's games tray: the options, the countdown, "answer locked" once chosen (the right option
// is not known here before the end: the server keeps it), then at quiz.ended the right option and whether the
// viewer found it, and the viewer's own voucher code from quiz.won, with a copy button.
import { money, percent, plural, t } from '/static/i18n.js';
import { el, toast } from '/static/ui.js';
import { createBallot } from '/static/player/interactions/ballot.js';

const WON_LINGER_MS = 120000; // a won code stays on screen long enough to be copied

/** "10 %" or "5,00 €": what a quiz's reward voucher takes off. */
function rewardText(reward) {
  if (!reward || typeof reward.value !== 'number') return '';
  if (reward.kind === 'percent') return percent(reward.value / 100);
  return money({ amount: reward.value, currency: reward.currency || 'EUR' });
}

async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = t('games.copied');
  } catch {
    toast(t('games.copy_failed'), 'info');
    const code = button.parentElement && button.parentElement.querySelector('.game-code');
    if (code) window.getSelection().selectAllChildren(code);
  }
}

export default function create(ctx) {
  let won = null; // {quiz_id, voucher_code}

  function prize(card) {
    if (!won || won.quiz_id !== card.game.id || !won.voucher_code) return null;
    const code = won.voucher_code;
    const button = el('button', { type: 'button', class: 'btn btn-small game-copy', 'data-testid': 'quiz-copy',
      text: t('games.copy'), onclick: (event) => copy(code, event.currentTarget) });
    return el('div', { class: 'game-prize', 'data-testid': 'quiz-prize' },
      el('p', { class: 'game-prize-title', text: t('games.won') }),
      el('div', { class: 'game-code-row' }, el('code', { class: 'game-code', 'data-testid': 'quiz-code', text: code }),
        button));
  }

  return createBallot(ctx, {
    kind: 'quiz',
    frame: 'answer',
    reply: 'quiz.answered',
    paint(card) {
      const game = card.game;
      const right = game.status === 'ended' ? game.correct_option_id : null;
      const mine = card.mine && card.mine.option_id;
      for (const [id, row] of card.rows) {
        row.button.classList.toggle('is-right', Boolean(right) && id === right);
        row.button.classList.toggle('is-wrong', Boolean(right) && id !== right && id === mine);
      }
      const lines = [];
      if (game.status === 'running' && game.reward) {
        lines.push(el('p', { class: 'game-reward', text: t('games.reward', { reward: rewardText(game.reward) }) }));
      }
      const count = game.status === 'ended' && typeof game.correct === 'number'
        ? plural('games.correct', game.correct) : plural('games.answers', Number(game.count) || 0);
      lines.push(el('p', { class: 'game-total', 'data-testid': 'game-total', text: count }));
      card.extra.replaceChildren(...lines, prize(card) || '');
    },
    status(card) {
      const game = card.game;
      const mine = card.mine && card.mine.option_id;
      if (game.status === 'ended') {
        const right = card.rows.get(game.correct_option_id);
        const answer = right ? right.text : '';
        if (!mine) return t('games.missed', { answer });
        return mine === game.correct_option_id ? t('games.right') : t('games.wrong', { answer });
      }
      return card.mine ? t('games.locked') : null;
    },
    event(type, data, card) {
      if (type === 'quiz.answers' && data.quiz_id === card.game.id && card.game.status === 'running') {
        card.game.count = Number(data.count) || 0;
        return true;
      }
      if (type === 'quiz.won' && data.quiz_id === card.game.id) {
        won = data;
        if (typeof ctx.linger === 'function') ctx.linger(WON_LINGER_MS);
        return true;
      }
      return false;
    },
  });
}
