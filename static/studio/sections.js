// The studio's sections: one line each, `export { default as <id> } from './sections/<id>.js';`.
// The navigation orders them by their `order` (smaller first; 50 when absent), then by id.
export { default as shows } from './sections/shows.js';
export { default as orders } from './sections/orders.js';
export { default as vouchers } from './sections/vouchers.js';
export { default as stores } from './sections/stores.js';
export { default as products } from './sections/products.js';
export { default as hosts } from './sections/hosts.js';
