// The landing page: translated text, and a form that opens /watch/{id} or /host/{id}.
import { applyI18n } from '/static/i18n.js';

applyI18n();

/** The show id in what was pasted: the id itself, or a link to its viewer or host page. */
function showIdOf(text) {
  const value = text.trim();
  const link = value.match(/\/(?:watch|host)\/([^/?#\s]+)/);
  if (!link) return value;
  try {
    return decodeURIComponent(link[1]);
  } catch {
    return link[1]; // a stray %: the page named by the link says if it exists
  }
}

document.getElementById('open-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const id = showIdOf(document.getElementById('show-id').value);
  if (!id) return;
  const to = event.submitter && event.submitter.value === 'host' ? 'host' : 'watch';
  location.assign(`/${to}/${encodeURIComponent(id)}`);
});
