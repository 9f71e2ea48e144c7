// The host's side of a game viewers play by choosing one option (a poll, a quiz): the start form (question,
// 2 to 6 options, seconds; a quiz adds its right option and an optional reward voucher), with the last 5
// started bodies as templates (localStorage `vitrine.templates.<kind>`), the live view (tallies or the count of
// answers, countdown, "End now" confirmed in the page) and the result. poll.js and quiz.js say what differs.
import { percent, plural, t } from '/static/i18n.js';
import { createEnding, layout, startGame } from '/static/host/interactions/controls.js';
import { readTemplates } from '/static/host/templates.js';
import { el } from '/static/ui.js';

const MIN_OPTIONS = 2;
const MAX_OPTIONS = 6;
const DEFAULT_DURATION_S = 60;

/** A poll's or quiz's template: a body with its question and options. */
const validTemplate = (body) => typeof body.question === 'string' && Array.isArray(body.options);

/**
 * A host widget module ({kind, label, create(ctx)}) for a ballot of `kind`, started at
 * POST /api/shows/{id}/`plural`. `quiz`: the form asks for the right option and a reward voucher, the live view
 * counts answers (a poll's shows its tally), the result shows the right option and how many found it.
 */
export function ballotWidget({ kind, plural: path, label, quiz = false }) {
  return { kind, label, create: (ctx) => createBallot(ctx, { kind, path, quiz }) };
}

function createBallot(ctx, { kind, path, quiz }) {
  const base = `/api/shows/${encodeURIComponent(ctx.showId)}/${path}`;
  const id = (name) => `${kind}-${name}`;
  const s = { game: null };

  // --- the start form ----------------------------------------------------------------------------

  const templates = el('div', { class: 'game-templates', 'data-testid': id('templates') });
  const question = el('input', { class: 'field', name: 'question', maxlength: 200, required: true,
    'data-testid': id('question'), autocomplete: 'off' });
  const optionList = el('ol', { class: 'game-option-fields' });
  const addOption = el('button', { type: 'button', class: 'btn btn-small btn-ghost', 'data-testid': id('add-option'),
    text: t('games.add_option'), onclick: () => { addRow(''); renderRows(); last('input').focus(); } });
  const duration = el('input', { class: 'field', type: 'number', inputmode: 'numeric', min: 5, max: 3600, step: 1,
    value: DEFAULT_DURATION_S, required: true, 'data-testid': id('duration') });
  const voucher = quiz ? el('input', { class: 'field', maxlength: 32, autocomplete: 'off', spellcheck: 'false',
    autocapitalize: 'off', 'data-testid': id('voucher') }) : null;
  const formError = el('p', { class: 'form-error', role: 'alert', hidden: true, 'data-testid': id('error') });
  const submit = el('button', { type: 'submit', class: 'btn btn-primary btn-block', 'data-testid': id('start'),
    text: t(`games.start_${kind}`) });
  const form = el('form', { class: 'game-form', novalidate: true, onsubmit: start },
    templates,
    el('label', { class: 'f' }, el('span', { class: 'label', text: t('games.question') }), question),
    el('fieldset', { class: 'game-fieldset' },
      el('legend', { class: 'label', text: t(quiz ? 'games.options_quiz' : 'games.options') }), optionList, addOption),
    el('label', { class: 'f game-duration' }, el('span', { class: 'label', text: t('games.duration') }), duration),
    quiz ? el('label', { class: 'f' }, el('span', { class: 'label', text: t('games.voucher') }), voucher,
      el('small', { class: 'hint', text: t('games.voucher_hint') })) : null,
    formError, submit);

  const last = (selector) => [...optionList.querySelectorAll(selector)].pop();

  function addRow(text, right = false) {
    const index = optionList.children.length;
    const input = el('input', { class: 'field', maxlength: 80, value: text, autocomplete: 'off',
      'aria-label': t('games.option_n', { n: index + 1 }), 'data-testid': id(`option-${index}`) });
    const radio = quiz ? el('input', { type: 'radio', name: `${kind}-right`, class: 'game-right', checked: right,
      'aria-label': t('games.right_option'), title: t('games.right_option'), 'data-testid': id(`right-${index}`) }) : null;
    const remove = el('button', { type: 'button', class: 'btn btn-small btn-ghost game-remove', text: '×',
      'aria-label': t('games.remove_option'), title: t('games.remove_option'),
      onclick: (event) => { event.currentTarget.closest('li').remove(); renderRows(); } });
    optionList.append(el('li', { class: 'game-option-field' }, radio, input, remove));
  }

  /** Renumbers the rows (their labels and test ids follow their place) and allows 2 to 6 of them. */
  function renderRows() {
    [...optionList.children].forEach((row, index) => {
      const input = row.querySelector('input.field');
      input.setAttribute('aria-label', t('games.option_n', { n: index + 1 }));
      input.dataset.testid = id(`option-${index}`);
      const radio = row.querySelector('.game-right');
      if (radio) radio.dataset.testid = id(`right-${index}`);
      row.querySelector('.game-remove').disabled = optionList.children.length <= MIN_OPTIONS;
    });
    addOption.hidden = optionList.children.length >= MAX_OPTIONS;
  }

  function fill(body = {}) {
    question.value = body.question || '';
    optionList.replaceChildren();
    const texts = Array.isArray(body.options) && body.options.length >= MIN_OPTIONS ? body.options : ['', ''];
    texts.slice(0, MAX_OPTIONS).forEach((text, index) => addRow(String(text), quiz && body.answer === index));
    duration.value = body.duration_s || DEFAULT_DURATION_S;
    if (voucher) voucher.value = body.reward_voucher_id || '';
    renderRows();
  }

  function renderTemplates() {
    const list = readTemplates(kind, validTemplate);
    templates.hidden = !list.length;
    templates.replaceChildren(el('span', { class: 'label', text: t('games.templates') }),
      ...list.map((body, index) => el('button', { type: 'button', class: 'btn btn-small btn-ghost game-template',
        'data-testid': id(`template-${index}`), text: body.question, title: body.options.join(' · '),
        onclick: () => { fill(body); formError.hidden = true; } })));
  }

  function refuse(text, focus) {
    formError.textContent = text;
    formError.hidden = false;
    if (focus) focus.focus();
  }

  /** The form as the API's body, or null after saying what is missing. */
  function body() {
    const rows = [...optionList.children].map((row) => ({
      text: row.querySelector('input.field').value.trim(), right: Boolean(row.querySelector('.game-right:checked')),
    })).filter((row) => row.text);
    if (!question.value.trim()) return refuse(t('games.need_question'), question);
    if (rows.length < MIN_OPTIONS) return refuse(t('games.need_options'), optionList.querySelector('input.field'));
    const seconds = Math.round(Number(duration.value));
    if (!(seconds >= 5 && seconds <= 3600)) return refuse(t('games.need_duration'), duration);
    const data = { question: question.value.trim(), options: rows.map((row) => row.text), duration_s: seconds };
    if (quiz) {
      data.answer = rows.findIndex((row) => row.right);
      if (data.answer < 0) return refuse(t('games.need_right'), optionList.querySelector('.game-right'));
      if (voucher.value.trim()) data.reward_voucher_id = voucher.value.trim();
    }
    return data;
  }

  function start(event) {
    event.preventDefault();
    formError.hidden = true;
    startGame(ctx, { kind, base, data: body(), submit, view, refuse, started: (game, data) => {
      fill(); // the next one starts blank: this one is the first of the templates
      if (quiz && game) rights.set(game.id, data.options[data.answer]);
      set(game);
    } });
  }

  // --- the live view and the result --------------------------------------------------------------

  const rights = new Map(); // quiz id → its right option's text, as this page started it (the server tells no one)
  const liveQuestion = el('h3', { class: 'game-live-question', 'data-testid': id('live-question') });
  const rowsNode = el('ul', { class: 'game-tally', 'data-testid': id('tally') });
  const total = el('p', { class: 'game-live-total', 'data-testid': id('total') });
  const note = el('p', { class: 'hint game-live-note', 'data-testid': id('note') });
  const ending = createEnding(ctx, { id, base, end: `games.end_${kind}`, ask: 'games.end_ask', yes: 'games.end_yes',
    closing: 'games.closing', onEnded: (game) => set(game) });
  const view = el('div', { class: 'game-live', 'data-testid': id('live') },
    ending.head, liveQuestion, rowsNode, total, note, ...ending.controls);
  const newTitle = el('h3', { class: 'game-new-title', text: t(`games.new_${kind}`) });
  ctx.mount.replaceChildren(view, newTitle, form);

  function tally(game) {
    const votes = game.votes || {};
    const sum = Number(game.total) || 0;
    const right = game.correct_option_id || null;
    return (game.options || []).map((option) => {
      const n = Number(votes[option.id]) || 0;
      const bar = el('span', { class: 'game-tally-bar', 'aria-hidden': 'true' });
      bar.style.width = sum ? `${Math.round((100 * n) / sum)}%` : '0';
      const figures = quiz ? (option.id === right ? '✓' : '') : `${n} · ${percent(sum ? n / sum : 0)}`;
      return el('li', { class: `game-tally-row${option.id === right ? ' is-right' : ''}`,
        dataset: { option: option.id }, 'data-testid': id(`row-${option.id}`) },
      bar, el('span', { class: 'game-tally-text', text: option.text || '' }),
      el('span', { class: 'game-tally-n', text: figures }));
    });
  }

  function render() {
    const game = s.game;
    const live = layout(game, { view, form, title: newTitle });
    if (!game) return;
    liveQuestion.textContent = game.question || '';
    rowsNode.replaceChildren(...tally(game));
    if (quiz) {
      total.textContent = live || typeof game.correct !== 'number'
        ? plural('games.answers', Number(game.count) || 0)
        : `${plural('games.answers', Number(game.count) || 0)} · ${plural('games.correct', game.correct)}`;
      const known = rights.get(game.id);
      note.textContent = live && known ? t('games.answer_is', { answer: known }) : '';
    } else {
      total.textContent = plural('games.votes', Number(game.total) || 0);
      note.textContent = '';
    }
    note.hidden = !note.textContent;
  }

  function set(game) {
    const same = game && s.game && s.game.id === game.id;
    s.game = game && typeof game === 'object' ? { ...(same ? s.game : {}), ...game } : null;
    ending.set(s.game);
    render();
    renderTemplates();
  }

  fill();
  renderTemplates();
  render();

  return {
    set,
    event(type, data) {
      const game = data[kind];
      if ((type === `${kind}.started` || type === `${kind}.ended`) && game && typeof game === 'object') {
        if (type === `${kind}.started` || (s.game && s.game.id === game.id)) set(game);
        return;
      }
      if (!s.game || s.game.status !== 'running' || data[`${kind}_id`] !== s.game.id) return;
      if (type === 'poll.results') Object.assign(s.game, { votes: data.votes || {}, total: Number(data.total) || 0 });
      else if (type === 'quiz.answers') s.game.count = Number(data.count) || 0;
      else return;
      render();
    },
    destroy() {
      ending.destroy();
      ctx.mount.replaceChildren();
    },
  };
}
