// How a browser frontend talks to the server: JSON and multipart requests,
// problem documents (RFC 9457) turned into errors, live status over
// Server-Sent Events, and PDF downloads. Everything sends the access token
// when one is set, which is why the event stream is read with fetch(): an
// EventSource cannot send an Authorization header.

const TOKEN_KEY = 'demo.accessToken';

export function accessToken() {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export function setAccessToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

function authorization() {
  const token = accessToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** A problem document the API answered with: `code` to switch on, `errors` per field for VALIDATION_FAILED. */
export class ApiProblem extends Error {
  constructor(status, problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.status = status;
    this.code = problem.code ?? `HTTP_${status}`;
    this.errors = problem.errors ?? [];
    this.requestId = problem.requestId;
  }
}

async function problemOf(response) {
  const body = await response.text();
  try {
    return new ApiProblem(response.status, JSON.parse(body));
  } catch {
    return new ApiProblem(response.status, { title: body || response.statusText });
  }
}

/** GET or POST JSON (a FormData body goes as multipart/form-data); resolves to the parsed answer. */
export async function api(path, { method = 'GET', body } = {}) {
  const headers = { accept: 'application/json', ...authorization() };
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const response = await fetch(path, { method, headers, body: payload });
  if (!response.ok) throw await problemOf(response);
  return response.json();
}

/**
 * Follows `/events` until a final status. Calls `onStatus({ id, status, final })`
 * for each status event and resolves with the last one. If the connection
 * drops before a final status (a server restarting), it reconnects: the
 * first event of a new stream is always the current status.
 */
export async function followStatus(path, onStatus) {
  for (let attempt = 0; ; attempt++) {
    try {
      const last = await readEventStream(path, onStatus);
      if (last?.final) return last;
    } catch (error) {
      if (error instanceof ApiProblem || attempt >= 5) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000 * Math.min(attempt + 1, 5)));
  }
}

async function readEventStream(path, onStatus) {
  const response = await fetch(path, { headers: { accept: 'text/event-stream', ...authorization() } });
  if (!response.ok) throw await problemOf(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let last;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return last;
    buffer += value.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = parseEvent(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (event.type !== 'status') continue; // heartbeats are comments
      last = JSON.parse(event.data);
      onStatus(last);
      if (last.final) {
        await reader.cancel();
        return last;
      }
    }
  }
}

function parseEvent(block) {
  const event = { type: 'message', data: '' };
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event.type = value;
    if (field === 'data') event.data += event.data ? `\n${value}` : value;
  }
  return event;
}

/** Downloads a PDF with the access token and saves it under `fileName`. */
export async function downloadPdf(path, fileName) {
  const response = await fetch(path, { headers: { accept: 'application/pdf', ...authorization() } });
  if (!response.ok) throw await problemOf(response);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser reads the blob after the click returns; on a busy machine that can take a while.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
