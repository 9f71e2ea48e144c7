// The host's poll: start one, watch its bars, end it, read its final tally.
import { ballotWidget } from '/static/host/interactions/ballot.js';

export default ballotWidget({ kind: 'poll', plural: 'polls', label: 'games.poll' });
