import { hostname } from 'node:os';
import type { LoggerService } from '@nestjs/common';
import pino, { DestinationStream, Logger as PinoLogger } from 'pino';
import type { LogFormat, LogLevel, NodeEnvironment } from '../../config/app-config';
import { REDACT_PATHS } from './logging';

export interface ProcessLoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** ANSI colours in pretty lines: only when a terminal reads them, never in a file or a pipe. */
  colour: boolean;
  /** Where the lines go; stdout unless a test captures them. */
  destination?: { write(line: string): unknown };
}

/**
 * LOG_FORMAT when set; otherwise pretty lines for a person at a terminal in
 * development, and JSON lines for everything else (files, pipes, collectors).
 */
export function resolveLogFormat(configured: LogFormat | undefined, nodeEnv: NodeEnvironment, stdoutIsTty: boolean): LogFormat {
  return configured ?? (stdoutIsTty && nodeEnv === 'development' ? 'pretty' : 'json');
}

/**
 * The one pino logger of the process: Nest's messages, our own and the access
 * log all go through it, so a log has one format and one redaction policy.
 */
export function createProcessLogger(options: ProcessLoggerOptions): PinoLogger {
  const destination = options.destination ?? process.stdout;
  const stream: DestinationStream =
    options.format === 'pretty' ? { write: (line: string) => destination.write(prettyLine(line, options.colour)) } : destination;
  return pino(
    {
      level: options.level,
      base: { pid: process.pid, hostname: hostname(), service: 'btrust-cas' },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    },
    stream,
  );
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const LEVEL_COLOURS: Record<number, string> = { 10: '90', 20: '36', 30: '32', 40: '33', 50: '31', 60: '35' };
/** Fields every line has, or that the pretty line already shows in its own place. */
const SHOWN_ELSEWHERE = new Set(['level', 'time', 'pid', 'hostname', 'service', 'context', 'msg']);

/** One JSON line from pino as a line a person reads: time, level, context, message, then the other fields. */
export function prettyLine(jsonLine: string, colour: boolean): string {
  const record = JSON.parse(jsonLine) as Record<string, unknown>;
  const level = typeof record.level === 'number' ? record.level : 30;
  const time = new Date(typeof record.time === 'number' ? record.time : Date.now()).toISOString().slice(11, 23);
  const name = (LEVEL_NAMES[level] ?? String(level)).padEnd(5);
  const context = typeof record.context === 'string' ? `[${record.context}] ` : '';
  const text = String(record.msg ?? '');
  const fields = Object.entries(record)
    .filter(([key]) => !SHOWN_ELSEWHERE.has(key))
    .map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)])
    // A field the message already spells out (the start-up summary's URLs) is said once.
    .filter(([, value]) => !text.includes(value))
    .map(([key, value]) => `${key}=${value}`);
  const message = [text, ...fields].join(' ');
  const paint = (code: string | undefined, text: string) => (colour && code ? `\u001b[${code}m${text}\u001b[39m` : text);
  return `${paint('90', time)} ${paint(LEVEL_COLOURS[level], name)} ${paint('33', context)}${message}\n`;
}

/**
 * Nest's own start-up chatter (each module initialised, each route mapped)
 * is useful when debugging the wiring and noise otherwise: at info the
 * start-up summary says what matters.
 */
const WIRING_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

type PinoLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * Nest's LoggerService over the process logger. Nest passes the context as
 * the last string argument, and an error's stack before it.
 */
export class NestProcessLogger implements LoggerService {
  private readonly warnings: string[] = [];

  constructor(private readonly root: PinoLogger) {}

  log(message: unknown, ...optional: unknown[]): void {
    const context = contextOf(optional);
    this.write(context !== undefined && WIRING_CONTEXTS.has(context) ? 'debug' : 'info', message, optional);
  }

  warn(message: unknown, ...optional: unknown[]): void {
    this.warnings.push(typeof message === 'string' ? message : message instanceof Error ? message.message : JSON.stringify(message));
    this.write('warn', message, optional);
  }

  error(message: unknown, ...optional: unknown[]): void {
    this.write('error', message, optional);
  }

  fatal(message: unknown, ...optional: unknown[]): void {
    this.write('fatal', message, optional);
  }

  debug(message: unknown, ...optional: unknown[]): void {
    this.write('debug', message, optional);
  }

  verbose(message: unknown, ...optional: unknown[]): void {
    this.write('trace', message, optional);
  }

  /** Every warning logged so far, for the start-up summary. */
  warningsSoFar(): readonly string[] {
    return this.warnings;
  }

  private write(level: PinoLevel, message: unknown, optional: unknown[]): void {
    if (!this.root.isLevelEnabled(level)) return;
    const context = contextOf(optional);
    const rest = context === undefined ? optional : optional.slice(0, -1);
    const bindings: Record<string, unknown> = context === undefined ? {} : { context };
    // Nest's error(message, stack, context): the stack is a string that starts with the error's name.
    const stack = level === 'error' || level === 'fatal' ? rest.find((item) => typeof item === 'string' && /\n\s+at /.test(item)) : undefined;
    if (stack !== undefined) bindings.stack = stack;
    // Ours log pino's way too: (fields, message).
    const text = rest.find((item): item is string => typeof item === 'string' && item !== stack);
    if (message instanceof Error) {
      this.root[level]({ ...bindings, err: message }, text ?? message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.root[level]({ ...message, ...bindings }, text ?? '');
    } else {
      this.root[level](bindings, String(message));
    }
  }
}

function contextOf(optional: unknown[]): string | undefined {
  const last = optional.at(-1);
  return typeof last === 'string' && !/\n\s+at /.test(last) ? last : undefined;
}

export interface ProcessLogging {
  pino: PinoLogger;
  nest: NestProcessLogger;
}

/** The process logger as the configuration asks for it, writing to stdout. */
export function processLoggingFor(config: { logLevel: LogLevel; logFormat: LogFormat | undefined; nodeEnv: NodeEnvironment }): ProcessLogging {
  const stdoutIsTty = process.stdout.isTTY === true;
  const root = createProcessLogger({
    level: config.logLevel,
    format: resolveLogFormat(config.logFormat, config.nodeEnv, stdoutIsTty),
    colour: stdoutIsTty,
  });
  return { pino: root, nest: new NestProcessLogger(root) };
}
