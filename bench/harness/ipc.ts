import type { ChildProcess } from 'node:child_process';

/** Messages between the orchestrator and the processes it starts. */
interface IpcRequest {
  ipcRequestId: number;
  type: string;
  payload: unknown;
}

interface IpcReply {
  ipcRequestId: number;
  result?: unknown;
  error?: string;
}

export type IpcHandlers = Record<string, (payload: any) => Promise<unknown> | unknown>;

/** Child side: answers the orchestrator's requests; announces readiness with `details`. */
export function serveIpc(handlers: IpcHandlers): void {
  process.on('message', (message: IpcRequest) => {
    if (typeof message?.ipcRequestId !== 'number') return;
    const handler = handlers[message.type];
    const reply = (body: Omit<IpcReply, 'ipcRequestId'>) => process.send?.({ ipcRequestId: message.ipcRequestId, ...body });
    if (!handler) {
      reply({ error: `unknown request ${message.type}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(message.payload))
      .then(
        (result) => reply({ result }),
        (error: unknown) => reply({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      );
  });
}

export function announceReady(details: object = {}): void {
  process.send?.({ ready: true, details });
}

/** Orchestrator side of one child's IPC channel. */
export class IpcPeer {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  constructor(
    private readonly child: ChildProcess,
    private readonly name: string,
  ) {
    child.on('message', (message: IpcReply) => {
      const waiting = typeof message?.ipcRequestId === 'number' ? this.pending.get(message.ipcRequestId) : undefined;
      if (!waiting) return;
      this.pending.delete(message.ipcRequestId);
      if (message.error !== undefined) waiting.reject(new Error(`${this.name}: ${message.error}`));
      else waiting.resolve(message.result);
    });
    child.on('exit', (code, signal) => {
      for (const waiting of this.pending.values()) waiting.reject(new Error(`${this.name} exited (${signal ?? code})`));
      this.pending.clear();
    });
  }

  request<T>(type: string, payload: unknown = {}): Promise<T> {
    const ipcRequestId = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(ipcRequestId, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ ipcRequestId, type, payload } satisfies IpcRequest, (error) => {
        if (error) {
          this.pending.delete(ipcRequestId);
          reject(error);
        }
      });
    });
  }
}

/** Resolves with the child's readiness details, or fails when it exits or takes too long. */
export function waitForReady<T>(child: ChildProcess, name: string, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${name} was not ready within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (message: { ready?: boolean; details?: T }) => {
      if (!message?.ready) return;
      cleanup();
      resolve(message.details as T);
    };
    const onExit = (code: number | null, signal: string | null) => fail(new Error(`${name} exited before it was ready (${signal ?? code})`));
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const fail = (error: Error) => {
      cleanup();
      reject(error);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}
