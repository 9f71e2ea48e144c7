// The host's quiz: start one with its right option (and a reward voucher), watch the answers come in, end it,
// read how many found the right option.
import { ballotWidget } from '/static/host/interactions/ballot.js';

export default ballotWidget({ kind: 'quiz', plural: 'quizzes', label: 'games.quiz', quiz: true });
