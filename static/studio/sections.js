// The studio's sections: one line each, `export { default as <id> } from './sections/<id>.js';`.
// The navigation orders them by their `order` (smaller first; 50 when absent), then by id.
export { default as shows } from './sections/shows.js';
export { default as orders } from './sections/orders.js';
export { default as vouchers } from './sections/vouchers.js';
export { default as stores } from './sections/stores.js';
export { default as products } from './sections/products.js';
export { default as hosts } from './sections/hosts.js';
export { default as accounts } from './sections/accounts.js';
export { default as invitation } from './sections/invitation.js';
export { default as reset } from './sections/reset.js';
export { default as forgot } from './sections/forgot.js';
export { default as profile } from './sections/profile.js';
