import { connect, Socket } from 'node:net';

/** A plain TCP connection to the server, for clients no HTTP library would be: slow, stalled, pipelining. */
export interface RawConnection {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves with the milliseconds from `openedAt` until the server closed the connection. */
  closed: Promise<number>;
  openedAt: number;
  write(text: string): void;
}

export async function openRawConnection(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const openedAt = Date.now();
  let text = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (text += chunk));
  // A reset is one way of being closed; it must not fail the test process.
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - openedAt)));
  return {
    socket,
    received: () => text,
    closed,
    openedAt,
    write: (chunk) => {
      if (!socket.destroyed) socket.write(chunk);
    },
  };
}

/** Resolves once `connection` has received `text`, or rejects after `timeoutMs`. */
export async function receivedText(connection: RawConnection, text: string, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!connection.received().includes(text)) {
    if (Date.now() > deadline) throw new Error(`"${text}" not received within ${timeoutMs} ms; got: ${connection.received()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return connection.received();
}

/** The status and problem code of the one answer a connection received. */
export function answerOf(connection: RawConnection): { status: number; code: string | undefined; headers: string } {
  const text = connection.received();
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
  const [headers, body = ''] = text.split('\r\n\r\n');
  let code: string | undefined;
  try {
    code = (JSON.parse(body) as { code?: string }).code;
  } catch {
    code = undefined;
  }
  return { status, code, headers: headers.toLowerCase() };
}
