// The landing page: translated text, and a form that opens /watch/{id} or /host/{id}.
import { applyI18n } from '/static/i18n.js';

applyI18n();

document.getElementById('open-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const id = document.getElementById('show-id').value.trim();
  if (!id) return;
  const to = event.submitter && event.submitter.value === 'host' ? 'host' : 'watch';
  location.assign(`/${to}/${encodeURIComponent(id)}`);
});
