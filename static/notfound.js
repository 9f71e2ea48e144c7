// The page a browser gets for a path that leads nowhere (HTTP 404): translated, with a link home.
import { applyI18n } from '/static/i18n.js';

applyI18n();
