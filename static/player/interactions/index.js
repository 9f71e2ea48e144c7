// The player's game widgets, one a line: the games tray (../games.js) makes one per running game of its kind.
export { default as poll } from './poll.js';
export { default as quiz } from './quiz.js';
