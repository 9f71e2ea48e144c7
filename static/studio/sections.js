// The studio's sections: one line each, `export { default as <id> } from './sections/<id>.js';`.
// The navigation orders them by their `order` (smaller first; 50 when absent), then by id.
