// The host's game widgets, one a line: the Games panel (../games.js) makes one tab per kind.
export { default as poll } from './poll.js';
export { default as quiz } from './quiz.js';
