/** One Server-Sent Event as the wire carried it (comments kept, so heartbeats can be seen). */
export interface ServerSentEvent {
  type?: string;
  id?: string;
  data?: string;
  comment?: string;
}

export interface EventStream {
  status: number;
  contentType: string | null;
  headers: Headers;
  /** The next event, or undefined once the server has closed the stream. */
  next(timeoutMs?: number): Promise<ServerSentEvent | undefined>;
  /** Every remaining event until the server closes the stream. */
  rest(timeoutMs?: number): Promise<ServerSentEvent[]>;
  /** The client leaves, as a browser tab that is closed. */
  close(): void;
  /** The body of a non-stream answer (a problem document). */
  json(): Promise<unknown>;
}

/** Opens an event stream the way a browser frontend does: fetch() with the Authorization header. */
export async function openEventStream(url: string, headers: Record<string, string> = {}): Promise<EventStream> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const contentType = response.headers.get('content-type');
  const streaming = response.ok && contentType?.startsWith('text/event-stream');
  const reader = streaming ? response.body!.pipeThrough(new TextDecoderStream()).getReader() : undefined;
  let buffer = '';
  let ended = false;

  const next = async (timeoutMs = 20_000): Promise<ServerSentEvent | undefined> => {
    if (!reader) throw new Error(`Not an event stream: ${response.status} ${contentType}`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.trim() === '') continue;
        return parseEvent(block);
      }
      if (ended) return undefined;
      let timer: NodeJS.Timeout | undefined;
      const chunk = await Promise.race([
        reader.read(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`No event within ${timeoutMs} ms`)), Math.max(0, deadline - Date.now()));
        }),
      ]).finally(() => clearTimeout(timer));
      if (chunk.done) ended = true;
      else buffer += chunk.value.replace(/\r\n?/g, '\n');
    }
  };

  return {
    status: response.status,
    contentType,
    headers: response.headers,
    next,
    rest: async (timeoutMs = 20_000) => {
      const events: ServerSentEvent[] = [];
      for (let event = await next(timeoutMs); event; event = await next(timeoutMs)) events.push(event);
      return events;
    },
    close: () => abort.abort(),
    json: () => response.json(),
  };
}

function parseEvent(block: string): ServerSentEvent {
  const event: ServerSentEvent = {};
  for (const line of block.split('\n')) {
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === '') event.comment = value;
    else if (field === 'event') event.type = value;
    else if (field === 'id') event.id = value;
    else if (field === 'data') event.data = event.data === undefined ? value : `${event.data}\n${value}`;
  }
  return event;
}

/** The statuses a stream's `status` events carried, in order. */
export function statusesOf(events: ServerSentEvent[]): Array<{ status: string; final: boolean }> {
  return events
    .filter((event) => event.type === 'status')
    .map((event) => {
      const data = JSON.parse(event.data!) as { status: string; final: boolean };
      return { status: data.status, final: data.final };
    });
}
