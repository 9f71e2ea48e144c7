// The pages' one call to the JSON API: fetch with the JSON headers, an optional bearer token and a time
// limit, and every failure as an ApiError whose `error` is the server's {code, message, …}.

/**
 * A refused or failed call. `status` is the HTTP status (0 when the server could not be reached or did
 * not answer in time); `error` is the body's `error` object, else {code: "http_<status>"} or
 * {code: "network"}: what errorText() from /static/i18n.js turns into a sentence.
 */
export class ApiError extends Error {
  constructor(status, error) {
    super((error && error.message) || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.error = error || { code: status ? `http_${status}` : 'network' };
  }
}

/**
 * `method` `path` with `body` sent as JSON (a FormData as multipart, as it is), `token` as
 * "Authorization: Bearer …" and `headers` added (an Idempotency-Key …). Resolves to the answer's JSON, null
 * when it has none (a 204 or a body that is not JSON), or with `raw` the Response itself (a CSV, a PDF);
 * throws ApiError. Gives up after `timeoutMs` (then status 0, code "network"); 0 waits as long as the
 * browser does.
 */
export async function api(method, path, { body, token, headers = {}, timeoutMs = 15000, raw = false } = {}) {
  const form = typeof FormData === 'function' && body instanceof FormData;
  const limited = timeoutMs > 0 && Number.isFinite(timeoutMs) && typeof AbortController === 'function';
  const controller = limited ? new AbortController() : null;
  const timer = controller ? setTimeout(() => controller.abort(), timeoutMs) : null;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: {
        accept: raw ? '*/*' : 'application/json',
        ...(body !== undefined && !form ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: form ? body : body !== undefined ? JSON.stringify(body) : undefined,
      signal: controller ? controller.signal : undefined,
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, { code: 'network' });
  } finally {
    if (timer) clearTimeout(timer);
  }
  if (!response.ok) {
    const data = await response.json().catch(() => null);
    throw new ApiError(response.status, data && data.error);
  }
  if (raw) return response;
  return response.status === 204 ? null : response.json().catch(() => null);
}
