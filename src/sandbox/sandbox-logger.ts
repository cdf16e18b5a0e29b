/** What the sandbox needs of a logger; pino satisfies it. Never pass documents, EGNs, phones or emails. */
export interface SandboxLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export const silentLogger: SandboxLogger = {
  info: () => undefined,
  warn: () => undefined,
};
