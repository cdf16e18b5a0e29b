import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotEnv } from 'dotenv';
import { DEFAULT_READINGS, READING_KEYS, READING_MEANINGS, READING_VALUES, ReadingsError, parseReadingsText } from '../sandbox-readings';

/**
 * The sandbox's command line: the control API (plain HTTP on the pages
 * port) as commands, the way a payment provider's CLI triggers events. It
 * only speaks HTTP, so it loads nothing of the sandbox but its readings table
 * and starts in a fraction of a second.
 */

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  fetch: typeof fetch;
}

export const EXIT = { done: 0, refused: 1, usage: 2, unreachable: 3 } as const;

const REQUEST_TIMEOUT_MS = 15_000;
const MOBILE_OPEN = ['CREATED', 'ON_BOARDING', 'IN_PROGRESS'];
const WEB_OPEN = ['STARTED', 'REGISTERED', 'COMPLETED', 'UNDER_REVIEW'];
const SIGNING_OPEN = ['PENDING', 'SIGNING'];
const FAILURE_STEPS = ['WEB_IDV_REGISTRATION_FAILED', 'UPDATE_DOCUMENTS_WITH_CERTIFICATE_DATA_FAILED'];
const FAILURE_REGISTRATION_STATUSES = ['REJECTED', 'EXPIRED', 'STARTED'];
const VALUE_OPTIONS = new Set([
  'url',
  'full-name',
  'egn',
  'review-status',
  'decision',
  'step',
  'registration-status',
  'web-session',
  'result-id',
  'request-id',
  'process-state',
  'code',
  'count',
  'delay-ms',
  'mobile',
  'web',
  'signing',
]);
const FLAG_OPTIONS = new Set(['json', 'all', 'help']);

class UsageError extends Error {}
class RefusedError extends Error {}
class UnreachableError extends Error {}

interface MobileSummary {
  callbackId: string;
  state: string;
  createdAt: string;
  validity: string;
}
interface WebSummary {
  webSessionId: string;
  resultId: number;
  state: string;
  createdAt: string;
  registrationStatus?: string;
  reviewStatus?: string;
  status: string;
  step: string;
  signSessionId?: string;
}
interface SigningSummary {
  resultId: number;
  webSessionId: string;
  state: string;
  createdAt: string;
  smsCode: string;
  documentCount: number;
  clientDocumentUrl: string;
}
interface SandboxState {
  mobileIdentifications: MobileSummary[];
  webIdentifications: WebSummary[];
  signings: SigningSummary[];
}
interface Webhook {
  code: string;
  requestId: number;
  relyingPartyId: number;
  data: { processState: string; sessionId: string; resultId: string | number };
}

interface Parsed {
  positionals: string[];
  options: Map<string, string>;
  flags: Set<string>;
}

interface Context {
  args: string[];
  parsed: Parsed;
  control: ControlClient;
  io: CliIo;
  json: boolean;
}

interface Group {
  name: string;
  aliases?: string[];
  summary: string;
  help: string;
  run(context: Context): Promise<void>;
}

const GROUPS: Group[] = [
  {
    name: 'list',
    summary: 'open records (every record with --all)',
    help: `Usage: btrust-sandbox list [--all] [--json]

Lists the open mobile identifications, web identifications and signings,
newest first, with the id every other command takes. --all lists every
record the sandbox keeps (a day's worth), closed ones included.`,
    run: listRecords,
  },
  {
    name: 'mobile',
    summary: 'approve | reject | expire a mobile identification',
    help: `Usage: btrust-sandbox mobile <approve|reject|expire> [callbackId] [--full-name NAME]

  approve   the person confirms in B-Trust MOBILE (alias: complete)
  reject    the person refuses
  expire    the request times out

Without a callbackId: the latest open mobile identification.`,
    run: mobileAction,
  },
  {
    name: 'web',
    aliases: ['video'],
    summary: 'approve | reject | cancel | expire | review | deny | fail a video identification',
    help: `Usage: btrust-sandbox web <action> [webSessionId] [options]

  approve   the video identification succeeds [--full-name NAME] [--egn EGN]
            [--review-status ALLOW_DENY|ALLOWED]; with the reading
            review=manual it then waits for an agent
  reject    it is refused
  cancel    the person gives up
  expire    an open one expires; an identified one loses its sign session
  review    an agent decides: --decision ALLOWED|DENIED (one waiting for a
            review, or one approved automatically, under ALLOW_DENY)
  deny      an agent denies one approved automatically (ALLOW_DENY)
  fail      scenario 5 shows a failure step: --step ${FAILURE_STEPS.join('|')}
            [--registration-status ${FAILURE_REGISTRATION_STATUSES.join('|')}]

Without a webSessionId: the latest web identification the action applies to
(for approve, reject and cancel: one whose person is at the video page).`,
    run: webAction,
  },
  {
    name: 'signing',
    summary: 'sign | reject | expire a signing',
    help: `Usage: btrust-sandbox signing <sign|reject|expire> [resultId]

  sign      the person signs with the SMS code (alias: approve)
  reject    the person refuses
  expire    the signing page expires

Without a resultId: the latest pending signing.`,
    run: signingAction,
  },
  {
    name: 'webhook',
    aliases: ['webhooks', 'callback'],
    summary: 'send | repeat | list webhooks',
    help: `Usage: btrust-sandbox webhook <send|repeat|list> [options]

  send      sends now the webhook a record's state implies
            [--web-session ID | --result-id N] (a web identification, or a
            signing by its resultId; default: the latest record),
            [--process-state STATE] [--code CODE] to force those fields
  repeat    sends again, same body and requestId, [--request-id N] that
            webhook, or [--result-id N] the last one about that resultId, or
            the last one sent
  list      every delivery attempt (path, status, outcome)`,
    run: webhookAction,
  },
  {
    name: 'faults',
    aliases: ['fault'],
    summary: 'set | list | clear faults of the API',
    help: `Usage: btrust-sandbox faults <set|list|clear> [options]

  set <operation> <kind> [--count N] [--delay-ms MS]
            the next N calls (default 1) of that operation fail; kinds:
            http500, http503, delay (with --delay-ms), reset, malformed, and
            for getSignedDocuments tamper-flip-byte, tamper-append,
            tamper-foreign-ca, tamper-other-document, extra-document
  list      the armed faults
  clear     disarms them all

Operations: identification, getIdentificationResult, startWebIdentification,
createRegistration, getWebIdentificationResult, getSignedDocuments,
startSignSession, getRegistrationStatus, getWebIdentificationStatus.`,
    run: faultsAction,
  },
  {
    name: 'readings',
    aliases: ['reading'],
    summary: 'show | set | reset readings, sandbox-wide or per record',
    help: `Usage: btrust-sandbox readings <show|set|reset> [name=value ...] [record]

  show                  the readings
  set name=value ...    changes some (sandbox-wide: for records created
                        from now on)
  reset                 back to those of the start (per record: to the
                        sandbox-wide ones)

A record: --mobile CALLBACK_ID | --web WEB_SESSION_ID | --signing RESULT_ID,
or "latest" for the newest of that kind. Without one: sandbox-wide.

${READING_KEYS.map((key) => `  ${key} = ${READING_VALUES[key].join(' | ')}\n      ${READING_MEANINGS[key]}`).join('\n')}`,
    run: readingsAction,
  },
];

function globalHelp(defaultUrl: string): string {
  const width = Math.max(...GROUPS.map((group) => group.name.length));
  return `Usage: btrust-sandbox <command> [arguments] [options]
       npm run sandbox:cli -- <command> [arguments] [options]

Drives the B-Trust sandbox through its control API.

Commands:
${GROUPS.map((group) => `  ${group.name.padEnd(width)}  ${group.summary}`).join('\n')}
  help <command>  that command's help (or: <command> --help)

Options:
  --url URL   the control API (now ${defaultUrl}); default SANDBOX_CONTROL_URL,
              else http://<SANDBOX_HOST>:<SANDBOX_PAGES_PORT>, i.e. http://localhost:3444
  --json      print the control API's JSON answer
  -h, --help  help

Exit codes: 0 done; 1 the sandbox refused (no such record, not possible in its
state); 2 wrong usage; 3 the sandbox cannot be reached.`;
}

export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  const settings = { ...dotEnvOf(), ...env };
  let parsed: Parsed;
  try {
    parsed = parseArguments(argv);
  } catch (error) {
    io.err(`${(error as Error).message}\nRun btrust-sandbox --help for the commands.\n`);
    return EXIT.usage;
  }
  const url = parsed.options.get('url') ?? defaultControlUrl(settings);
  const [name, ...args] = parsed.positionals;
  const wantsHelp = parsed.flags.has('help');
  if (name === undefined || (name === 'help' && args.length === 0)) {
    (name === undefined && !wantsHelp ? io.err : io.out)(`${globalHelp(url)}\n`);
    return name === undefined && !wantsHelp ? EXIT.usage : EXIT.done;
  }
  const group = findGroup(name === 'help' ? args[0] : name);
  if (!group) {
    io.err(`Unknown command "${name === 'help' ? args[0] : name}".\n\n${globalHelp(url)}\n`);
    return EXIT.usage;
  }
  if (wantsHelp || name === 'help') {
    io.out(`${group.help}\n`);
    return EXIT.done;
  }
  try {
    await group.run({ args, parsed, control: new ControlClient(url, io.fetch), io, json: parsed.flags.has('json') });
    return EXIT.done;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\nRun btrust-sandbox ${group.name} --help for its usage.\n`);
      return EXIT.usage;
    }
    if (error instanceof RefusedError) {
      io.err(`${error.message}\n`);
      return EXIT.refused;
    }
    if (error instanceof UnreachableError) {
      io.err(`${error.message}\n`);
      return EXIT.unreachable;
    }
    throw error;
  }
}

/** SANDBOX_CONTROL_URL, else the pages listener the sandbox's own settings name (a wildcard address means localhost). */
export function defaultControlUrl(env: NodeJS.ProcessEnv): string {
  const explicit = env.SANDBOX_CONTROL_URL?.trim();
  if (explicit) return explicit.replace(/\/+$/, '');
  const host = env.SANDBOX_HOST?.trim();
  const reachable = !host || host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${reachable}:${env.SANDBOX_PAGES_PORT?.trim() || '3444'}`;
}

/** `.env` of the working directory, as `npm start` reads it; real environment variables win. */
function dotEnvOf(): Record<string, string> {
  const path = resolve('.env');
  return existsSync(path) ? parseDotEnv(readFileSync(path)) : {};
}

function parseArguments(argv: readonly string[]): Parsed {
  const parsed: Parsed = { positionals: [], options: new Map(), flags: new Set() };
  for (let index = 0; index < argv.length; index += 1) {
    const token = argv[index];
    if (token === '-h') {
      parsed.flags.add('help');
      continue;
    }
    if (!token.startsWith('--')) {
      parsed.positionals.push(token);
      continue;
    }
    const [name, inline] = token.slice(2).split(/=(.*)/s, 2);
    if (FLAG_OPTIONS.has(name) && inline === undefined) {
      parsed.flags.add(name);
    } else if (VALUE_OPTIONS.has(name)) {
      const value = inline ?? argv[++index];
      if (value === undefined || value === '') throw new UsageError(`--${name} needs a value.`);
      parsed.options.set(name, value);
    } else {
      throw new UsageError(`Unknown option ${token}.`);
    }
  }
  return parsed;
}

function findGroup(name: string | undefined): Group | undefined {
  return GROUPS.find((group) => group.name === name || group.aliases?.includes(name ?? ''));
}

class ControlClient {
  constructor(
    readonly baseUrl: string,
    private readonly fetcher: typeof fetch,
  ) {}

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  post<T>(path: string, body: object = {}): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.call<T>('DELETE', path);
  }

  private async call<T>(method: string, path: string, body?: object): Promise<T> {
    let response: Response;
    try {
      response = await this.fetcher(`${this.baseUrl}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new UnreachableError(
        `Cannot reach the sandbox's control API at ${this.baseUrl} (${cause}). Is the sandbox running (npm start or npm run sandbox)? ` +
          'Otherwise set SANDBOX_CONTROL_URL or --url.',
      );
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new UnreachableError(`${this.baseUrl} answered ${method} ${path} with something that is not the sandbox's control API (HTTP ${response.status}).`);
    }
    if (!response.ok) {
      const reason = (json as { error?: string }).error ?? text;
      throw new RefusedError(`The sandbox refused ${method} ${path} (HTTP ${response.status}): ${reason}`);
    }
    return json as T;
  }
}

function print(context: Context, answer: unknown, human: string): void {
  context.io.out(context.json ? `${JSON.stringify(answer, null, 2)}\n` : `${human}\n`);
}

function actionOf(context: Context, allowed: Record<string, string>): { action: string; id: string | undefined } {
  const [given, id, ...extra] = context.args;
  const action = given === undefined ? undefined : allowed[given];
  if (!action) throw new UsageError(given === undefined ? 'Which action?' : `Unknown action "${given}".`);
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`);
  return { action, id };
}

function oneOf(context: Context, option: string, allowed: readonly string[], required: boolean): string | undefined {
  const value = context.parsed.options.get(option);
  if (value === undefined) {
    if (required) throw new UsageError(`--${option} is required: ${allowed.join(' or ')}.`);
    return undefined;
  }
  if (!allowed.includes(value)) throw new UsageError(`--${option} must be ${allowed.join(' or ')}, not "${value}".`);
  return value;
}

function wholeNumber(context: Context, option: string): number | undefined {
  const value = context.parsed.options.get(option);
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value)) throw new UsageError(`--${option} must be a whole number, not "${value}".`);
  return Number(value);
}

function newest<T extends { createdAt: string }>(records: T[]): T | undefined {
  return [...records].sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
}

async function listRecords(context: Context): Promise<void> {
  if (context.args.length > 0) throw new UsageError(`Unexpected argument "${context.args[0]}".`);
  const state = await context.control.get<SandboxState>('/sandbox/state');
  const all = context.parsed.flags.has('all');
  const rows = [
    ...state.mobileIdentifications
      .filter((record) => all || MOBILE_OPEN.includes(record.state))
      .map((record) => ({ createdAt: record.createdAt, cells: ['mobile', record.callbackId, record.state, `valid until ${record.validity}`] })),
    ...state.webIdentifications
      .filter((record) => all || WEB_OPEN.includes(record.state))
      .map((record) => ({
        createdAt: record.createdAt,
        cells: [
          'web',
          record.webSessionId,
          record.state,
          `resultId ${record.resultId}, registration ${record.registrationStatus ?? 'none'}, review ${record.reviewStatus ?? 'N_A'}, ${record.status}/${record.step}`,
        ],
      })),
    ...state.signings
      .filter((record) => all || SIGNING_OPEN.includes(record.state))
      .map((record) => ({
        createdAt: record.createdAt,
        cells: ['signing', String(record.resultId), record.state, `SMS code ${record.smsCode}, ${record.documentCount} document(s), ${record.clientDocumentUrl}`],
      })),
  ].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  if (context.json) {
    print(context, all ? state : openOnly(state), '');
    return;
  }
  if (rows.length === 0) {
    context.io.out(all ? 'The sandbox has no records.\n' : 'No open records (--all lists every record).\n');
    return;
  }
  const table = [['KIND', 'ID', 'STATE', 'CREATED', 'DETAILS'], ...rows.map((row) => [row.cells[0], row.cells[1], row.cells[2], row.createdAt, row.cells[3]])];
  const widths = [0, 1, 2, 3].map((column) => Math.max(...table.map((cells) => cells[column].length)));
  context.io.out(`${table.map((cells) => cells.map((cell, column) => (column < 4 ? cell.padEnd(widths[column]) : cell)).join('  ')).join('\n')}\n`);
}

function openOnly(state: SandboxState): SandboxState {
  return {
    mobileIdentifications: state.mobileIdentifications.filter((record) => MOBILE_OPEN.includes(record.state)),
    webIdentifications: state.webIdentifications.filter((record) => WEB_OPEN.includes(record.state)),
    signings: state.signings.filter((record) => SIGNING_OPEN.includes(record.state)),
  };
}

async function mobileAction(context: Context): Promise<void> {
  const { action, id } = actionOf(context, { approve: 'complete', complete: 'complete', reject: 'reject', expire: 'expire' });
  const callbackId =
    id ??
    newest((await context.control.get<SandboxState>('/sandbox/state')).mobileIdentifications.filter((record) => MOBILE_OPEN.includes(record.state)))
      ?.callbackId;
  if (!callbackId) throw new RefusedError('No open mobile identification. Start one first, or give its callbackId.');
  const fullName = context.parsed.options.get('full-name');
  const answer = await context.control.post<{ callbackId: string; state: string }>(
    `/sandbox/mobile-identifications/${encodeURIComponent(callbackId)}/${action}`,
    fullName === undefined ? {} : { fullName },
  );
  print(context, answer, `mobile identification ${answer.callbackId}: ${answer.state}`);
}

const WEB_CANDIDATES: Record<string, (record: WebSummary) => boolean> = {
  approve: (record) => record.state === 'REGISTERED',
  reject: (record) => record.state === 'REGISTERED',
  cancel: (record) => record.state === 'REGISTERED',
  expire: (record) => ['STARTED', 'REGISTERED', 'UNDER_REVIEW'].includes(record.state),
  review: (record) => record.state === 'UNDER_REVIEW' || (record.state === 'IDENTIFIED' && record.reviewStatus === 'ALLOW_DENY'),
  deny: (record) => record.state === 'IDENTIFIED' && record.reviewStatus === 'ALLOW_DENY',
  fail: (record) => ['STARTED', 'REGISTERED', 'UNDER_REVIEW'].includes(record.state),
};

async function webAction(context: Context): Promise<void> {
  const actions = Object.fromEntries(Object.keys(WEB_CANDIDATES).map((action) => [action, action]));
  const { action, id } = actionOf(context, actions);
  const body = webBody(context, action);
  const webSessionId =
    id ?? newest((await context.control.get<SandboxState>('/sandbox/state')).webIdentifications.filter(WEB_CANDIDATES[action]))?.webSessionId;
  if (!webSessionId) throw new RefusedError(`No web identification to ${action}. Start one first, or give its webSessionId.`);
  const answer = await context.control.post<WebSummary>(`/sandbox/web-identifications/${encodeURIComponent(webSessionId)}/${action}`, body);
  print(
    context,
    answer,
    `web identification ${answer.webSessionId} (resultId ${answer.resultId}): ${answer.state}, registration ${answer.registrationStatus ?? 'none'}, ` +
      `review ${answer.reviewStatus ?? 'N_A'}, scenario 5 ${answer.status}/${answer.step}`,
  );
}

function webBody(context: Context, action: string): Record<string, string | undefined> {
  switch (action) {
    case 'approve':
      return {
        fullName: context.parsed.options.get('full-name'),
        egn: context.parsed.options.get('egn'),
        reviewStatus: oneOf(context, 'review-status', ['ALLOW_DENY', 'ALLOWED'], false),
      };
    case 'review':
      return { decision: oneOf(context, 'decision', ['ALLOWED', 'DENIED'], true) };
    case 'fail':
      return {
        step: oneOf(context, 'step', FAILURE_STEPS, true),
        registrationStatus: oneOf(context, 'registration-status', FAILURE_REGISTRATION_STATUSES, false),
      };
    default:
      return {};
  }
}

async function signingAction(context: Context): Promise<void> {
  const { action, id } = actionOf(context, { sign: 'sign', approve: 'sign', reject: 'reject', expire: 'expire' });
  if (id !== undefined && !/^\d{1,15}$/.test(id)) throw new UsageError(`A signing's resultId is a number, not "${id}".`);
  const resultId =
    id ?? newest((await context.control.get<SandboxState>('/sandbox/state')).signings.filter((record) => record.state === 'PENDING'))?.resultId;
  if (resultId === undefined) throw new RefusedError('No pending signing. Start one first, or give its resultId.');
  const answer = await context.control.post<SigningSummary>(`/sandbox/signings/${resultId}/${action}`);
  print(context, answer, `signing ${answer.resultId}: ${answer.state}`);
}

async function webhookAction(context: Context): Promise<void> {
  const { action } = actionOf(context, { send: 'send', repeat: 'repeat', list: 'list' });
  if (context.args.length > 1) throw new UsageError(`Unexpected argument "${context.args[1]}".`);
  if (action === 'list') {
    const answer = await context.control.get<{ deliveries: Array<Record<string, unknown>> }>('/sandbox/callbacks/deliveries');
    const lines = answer.deliveries.map(
      (delivery) =>
        `${delivery.at}  requestId ${delivery.requestId}  ${delivery.processState}  ${delivery.outcome}${delivery.status ? ` ${delivery.status}` : ''}` +
        `${delivery.error ? ` (${delivery.error})` : ''}${delivery.duplicate ? ' duplicate' : ''}${delivery.reordered ? ' reordered' : ''}  ${delivery.path}`,
    );
    print(context, answer, lines.length > 0 ? lines.join('\n') : 'No webhook was sent yet.');
    return;
  }
  const resultId = wholeNumber(context, 'result-id');
  if (action === 'repeat') {
    const answer = await context.control.post<{ sent: Webhook }>('/sandbox/callbacks/repeat', { requestId: wholeNumber(context, 'request-id'), resultId });
    print(context, answer, `webhook ${describeWebhook(answer.sent)} sent again`);
    return;
  }
  const webSessionId = context.parsed.options.get('web-session');
  if (webSessionId !== undefined && resultId !== undefined) throw new UsageError('Give --web-session or --result-id, not both.');
  const target = webSessionId !== undefined ? { webSessionId } : resultId !== undefined ? { resultId } : await latestRecord(context);
  const answer = await context.control.post<{ sent: Webhook }>('/sandbox/callbacks/send', {
    ...target,
    processState: context.parsed.options.get('process-state'),
    code: context.parsed.options.get('code'),
  });
  print(context, answer, `webhook ${describeWebhook(answer.sent)} queued`);
}

async function latestRecord(context: Context): Promise<{ resultId: number }> {
  const state = await context.control.get<SandboxState>('/sandbox/state');
  const latest = newest<{ createdAt: string; resultId: number }>([...state.webIdentifications, ...state.signings]);
  if (!latest) throw new RefusedError('No web identification or signing to send a webhook about.');
  return { resultId: latest.resultId };
}

function describeWebhook(webhook: Webhook): string {
  return `${webhook.requestId}: ${webhook.data.processState}, code ${webhook.code}, resultId ${webhook.data.resultId}, sessionId ${webhook.data.sessionId}`;
}

async function faultsAction(context: Context): Promise<void> {
  const [action, ...rest] = context.args;
  if (action === 'list' || action === 'clear') {
    if (rest.length > 0) throw new UsageError(`Unexpected argument "${rest[0]}".`);
    const answer =
      action === 'list'
        ? await context.control.get<{ faults: Array<Record<string, unknown>> }>('/sandbox/faults')
        : await context.control.delete<{ faults: unknown[] }>('/sandbox/faults');
    const lines = (answer.faults as Array<Record<string, unknown>>).map(
      (fault) => `${fault.operation}  ${fault.kind}  ${fault.remaining} more call(s)${fault.delayMs ? `, ${fault.delayMs} ms` : ''}`,
    );
    print(context, answer, action === 'clear' ? 'All faults disarmed.' : lines.length > 0 ? lines.join('\n') : 'No fault is armed.');
    return;
  }
  if (action !== 'set') throw new UsageError(action === undefined ? 'Which action: set, list or clear?' : `Unknown action "${action}".`);
  const [operation, kind, ...extra] = rest;
  if (!operation || !kind) throw new UsageError('faults set needs an operation and a kind.');
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`);
  const answer = await context.control.post<{ operation: string; kind: string; count: number; delayMs: number }>('/sandbox/faults', {
    operation,
    kind,
    count: wholeNumber(context, 'count'),
    delayMs: wholeNumber(context, 'delay-ms'),
  });
  print(context, answer, `The next ${answer.count} call(s) of ${answer.operation} fail with ${answer.kind}${answer.delayMs ? ` (${answer.delayMs} ms)` : ''}.`);
}

async function readingsAction(context: Context): Promise<void> {
  const [action, ...pairs] = context.args;
  if (!['show', 'set', 'reset'].includes(action ?? '')) {
    throw new UsageError(action === undefined ? 'Which action: show, set or reset?' : `Unknown action "${action}".`);
  }
  if (action !== 'set' && pairs.length > 0) throw new UsageError(`Unexpected argument "${pairs[0]}".`);
  let changes = {};
  if (action === 'set') {
    if (pairs.length === 0) throw new UsageError('readings set needs name=value pairs.');
    try {
      changes = parseReadingsText(pairs.join(','));
    } catch (error) {
      if (error instanceof ReadingsError) throw new UsageError(`Not a reading: ${error.message}.`);
      throw error;
    }
  }
  const record = await recordOf(context);
  const path = record ? `${record.path}/readings` : '/sandbox/readings';
  const answer =
    action === 'show'
      ? await context.control.get<{ readings: Record<string, unknown> }>(path)
      : action === 'set'
        ? await context.control.post<{ readings: Record<string, unknown> }>(path, changes)
        : await context.control.delete<{ readings: Record<string, unknown> }>(path);
  const width = Math.max(...READING_KEYS.map((key) => key.length));
  const lines = READING_KEYS.map((key) => {
    const value = answer.readings[key];
    return `${key.padEnd(width)}  ${String(value)}${value === DEFAULT_READINGS[key] ? '' : `   (default ${DEFAULT_READINGS[key]})`}`;
  });
  print(context, answer, `${record ? `Readings of ${record.label}` : 'Sandbox-wide readings'}:\n${lines.join('\n')}`);
}

async function recordOf(context: Context): Promise<{ path: string; label: string } | undefined> {
  const given = (['mobile', 'web', 'signing'] as const).filter((kind) => context.parsed.options.has(kind));
  if (given.length > 1) throw new UsageError('Name one record: --mobile, --web or --signing.');
  if (given.length === 0) return undefined;
  const kind = given[0];
  let id = context.parsed.options.get(kind)!;
  if (id === 'latest') {
    const state = await context.control.get<SandboxState>('/sandbox/state');
    const latest =
      kind === 'mobile'
        ? newest(state.mobileIdentifications)?.callbackId
        : kind === 'web'
          ? newest(state.webIdentifications)?.webSessionId
          : newest(state.signings)?.resultId;
    if (latest === undefined) throw new RefusedError(`The sandbox has no ${kind === 'mobile' ? 'mobile identification' : kind === 'web' ? 'web identification' : 'signing'}.`);
    id = String(latest);
  }
  const collection = kind === 'mobile' ? 'mobile-identifications' : kind === 'web' ? 'web-identifications' : 'signings';
  return { path: `/sandbox/${collection}/${encodeURIComponent(id)}`, label: `${kind} ${id}` };
}
