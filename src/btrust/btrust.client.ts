import * as https from 'node:https';
import { createSecureContext, type TLSSocket } from 'node:tls';
import { Readable } from 'node:stream';
import axios, { type AxiosInstance } from 'axios';
import {
  ConsecutiveBreaker,
  ExponentialBackoff,
  TimeoutStrategy,
  circuitBreaker,
  fullJitterGenerator,
  handleWhen,
  isBrokenCircuitError,
  isTaskCancelledError,
  retry,
  timeout,
  type CircuitBreakerPolicy,
  type RetryPolicy,
  type TimeoutPolicy,
} from 'cockatiel';
import { BodyTooLargeError, readWholeBody } from '../common/http/read-whole-body';
import { parseJsonDecodingBase64 } from '../common/json/json-with-base64';
import { BtrustError } from './btrust.errors';
import type { BtrustPort } from './btrust-port';
import { errorForAnswer, errorForTransportFailure, type ExchangeProgress } from './btrust-failure-mapping';
import { readClientCertificateInfo } from './btrust-client-certificate';
import { toIdentificationRequestWire, toMobileIdentificationAccepted, toMobileIdentificationResult } from './wire/mobile-identification.wire';
import type { BtrustOperation, ProviderAnswer } from './wire/provider-answer';
import { toRegistration, toRegistrationRequestWire, toRegistrationStatus } from './wire/registration.wire';
import { IDENTIFICATION_RESULT_STATE, SIGNING_RESULT_STATE } from './btrust-webhook-reading';
import {
  DOCUMENTS_IN_ANSWER,
  JsonRequestBody,
  toSignSessionStartRequestBody,
  toSignSessionStarted,
  toSignedDocuments,
} from './wire/sign-session.wire';
import {
  toWebIdentificationResult,
  toWebIdentificationStarted,
  toWebIdentificationStatus,
  toWebSessionStartRequestWire,
} from './wire/web-identification.wire';
import { DEFAULT_WIRE_SETTINGS, type WireSettings } from './wire/wire-settings';
import type { ArchiveFlagName } from '../config/app-config';
import type {
  BtrustCallOptions,
  ClientCertificateInfo,
  MobileIdentificationAccepted,
  MobileIdentificationRequest,
  MobileIdentificationResult,
  Registration,
  RegistrationRequest,
  RegistrationStatus,
  SignSessionRequest,
  SignSessionStarted,
  SignedDocuments,
  SignedDocumentsQuery,
  WebIdentificationResult,
  WebIdentificationResultQuery,
  WebIdentificationStartRequest,
  WebIdentificationStarted,
  WebIdentificationStatus,
} from './btrust.types';

/**
 * Client TLS material. There is deliberately no way to switch off verification of the
 * provider's certificate: `ca` narrows trust to the given roots, nothing widens it.
 */
export interface BtrustTlsOptions {
  cert?: string | Buffer;
  key?: string | Buffer;
  pfx?: Buffer;
  passphrase?: string;
  ca?: string | Buffer;
}

export interface BtrustClientOptions {
  /** e.g. https://cqes-rpuat.b-trust.bg/signing-api/v2 */
  baseUrl: string;
  relyingPartyId: string;
  tls: BtrustTlsOptions;
  /** Deadline of one attempt, from connecting to the last byte of the answer. */
  timeoutMs: number;
  /** GET only; `maxAttempts` counts the first attempt. */
  retry: { maxAttempts: number; initialDelayMs: number; maxDelayMs: number };
  breaker: { consecutiveFailures: number; halfOpenAfterMs: number };
  /** Larger answers are refused as UNPROCESSABLE_RESPONSE; by default V8's longest string, the limit when answers were read as text. */
  maxAnswerBytes?: number;
  /** Where the provider's date-times without an offset are read; Europe/Sofia by default. */
  localTimeZone?: string;
  /** The archive flag's field name in 3.1; `toBeArchived` by default (see wire/wire-settings.ts). */
  archiveFlagName?: ArchiveFlagName;
}

export interface BtrustLogger {
  warn(obj: object, msg: string): void;
  debug?(obj: object, msg: string): void;
}

interface CallSpec {
  operation: BtrustOperation;
  method: 'GET' | 'POST';
  path: string;
  body?: object | JsonRequestBody;
  options?: BtrustCallOptions;
}

/** What one attempt produced inside the circuit breaker: a usable answer, or the provider's refusal. */
type AttemptOutcome = { kind: 'answered'; answer: ProviderAnswer } | { kind: 'refused'; error: BtrustError };

/** V8's longest string: no longer answer could be read while answers were read as text. */
const DEFAULT_MAX_ANSWER_BYTES = 0x1fffffe8;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * The B-Trust Signing API v2 over mutual TLS. Methods take domain objects and return domain
 * results or throw BtrustError; nothing about HTTP or the provider's envelope leaks out.
 *
 * Every attempt has a deadline. GETs are retried with exponential backoff and full jitter
 * when the error is retryable; POSTs are never retried, because identifications and signings
 * are paid and a repeated POST can start a second one. One circuit breaker is shared by all
 * operations and counts only "provider down" failures: a 4xx or REJECTED answer is the provider
 * working.
 */
export class BtrustClient implements BtrustPort {
  private readonly baseUrl: string;
  private readonly agent: https.Agent;
  private readonly http: AxiosInstance;
  private readonly attemptTimeout: TimeoutPolicy;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly getRetry: RetryPolicy;
  private readonly certificateInfo: ClientCertificateInfo | null;
  private readonly maxAnswerBytes: number;
  private readonly wireSettings: WireSettings;

  constructor(
    options: BtrustClientOptions,
    private readonly logger?: BtrustLogger,
  ) {
    this.baseUrl = validatedBaseUrl(options.baseUrl);
    requirePositive('timeoutMs', options.timeoutMs);
    requirePositive('retry.maxAttempts', options.retry.maxAttempts);
    requirePositive('breaker.consecutiveFailures', options.breaker.consecutiveFailures);
    this.maxAnswerBytes = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
    this.wireSettings = {
      localTimeZone: options.localTimeZone ?? DEFAULT_WIRE_SETTINGS.localTimeZone,
      archiveFlagName: options.archiveFlagName ?? DEFAULT_WIRE_SETTINGS.archiveFlagName,
    };
    requirePositive('maxAnswerBytes', this.maxAnswerBytes);
    if (options.relyingPartyId.trim() === '') {
      throw new Error('B-Trust client: relyingPartyId is empty');
    }

    const tlsMaterial = pickTlsMaterial(options.tls);
    this.certificateInfo = checkedTlsMaterial(tlsMaterial);
    this.agent = new https.Agent({ keepAlive: true, rejectUnauthorized: true, ...tlsMaterial });
    this.http = axios.create({
      httpsAgent: this.agent,
      // A proxy from the environment would break mutual TLS; the provider is reached directly.
      proxy: false,
      maxRedirects: 0,
      validateStatus: () => true,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      headers: {
        relyingPartyID: options.relyingPartyId,
        accept: 'application/json',
      },
    });

    // abortOnReturn is off so that an aborted signal means exactly "the deadline passed".
    this.attemptTimeout = timeout(options.timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
    const providerDown = handleWhen((error) => error instanceof BtrustError && error.retryable);
    this.breaker = circuitBreaker(providerDown, {
      halfOpenAfter: options.breaker.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.breaker.consecutiveFailures),
    });
    this.getRetry = retry(providerDown, {
      maxAttempts: options.retry.maxAttempts - 1,
      backoff: new ExponentialBackoff({
        generator: fullJitterGenerator,
        initialDelay: options.retry.initialDelayMs,
        maxDelay: options.retry.maxDelayMs,
      }),
    });
  }

  /** Scenario 1.1: starts a paid B-Trust MOBILE identification. */
  async identification(
    request: MobileIdentificationRequest,
    options?: BtrustCallOptions,
  ): Promise<MobileIdentificationAccepted> {
    const body = toIdentificationRequestWire(request);
    return this.call({ operation: 'identification', method: 'POST', path: '/identification', body, options }, toMobileIdentificationAccepted);
  }

  /** Scenario 1.2: one poll of a mobile identification. */
  async getIdentificationResult(callbackId: string, options?: BtrustCallOptions): Promise<MobileIdentificationResult> {
    const operation = 'getIdentificationResult';
    const path = `/identification/${segment(operation, 'callbackId', callbackId)}`;
    return this.call({ operation, method: 'GET', path, options }, toMobileIdentificationResult);
  }

  /** Scenario 2.1: opens a web (video) identification session. */
  async startWebIdentification(
    request: WebIdentificationStartRequest,
    options?: BtrustCallOptions,
  ): Promise<WebIdentificationStarted> {
    const body = toWebSessionStartRequestWire(request);
    return this.call(
      { operation: 'startWebIdentification', method: 'POST', path: '/identification/web/websession/start', body, options },
      toWebIdentificationStarted,
    );
  }

  /** Scenario 2.2: creates the registration whose `sessionId` builds the customer's redirect link. */
  async createRegistration(
    webSessionId: string,
    request: RegistrationRequest,
    options?: BtrustCallOptions,
  ): Promise<Registration> {
    const operation = 'createRegistration';
    const path = `/identification/web/sessions/by-otc-request/${segment(operation, 'webSessionId', webSessionId)}`;
    const body = toRegistrationRequestWire(request);
    return this.call({ operation, method: 'POST', path, body, options }, toRegistration);
  }

  /** Scenario 2.5: the outcome of a web identification (eID certificate and sign session). */
  async getWebIdentificationResult(
    query: WebIdentificationResultQuery,
    options?: BtrustCallOptions,
  ): Promise<WebIdentificationResult> {
    const operation = 'getWebIdentificationResult';
    const processState = query.processState ?? IDENTIFICATION_RESULT_STATE;
    if (query.onlyMetadata && processState !== IDENTIFICATION_RESULT_STATE) {
      throw new BtrustError({
        code: 'BAD_REQUEST',
        operation,
        message: `not sent: onlyMetadata is only valid with processState ${IDENTIFICATION_RESULT_STATE}`,
        notSent: true,
      });
    }
    const path = [
      '/identification/web',
      segment(operation, 'resultId', query.resultId),
      'result',
      segment(operation, 'processState', processState),
      segment(operation, 'sessionId', query.sessionId),
      String(query.onlyMetadata),
    ].join('/');
    return this.call({ operation, method: 'GET', path, options }, toWebIdentificationResult);
  }

  /** Scenario 3.3: the signed documents and the sign session for the next signing. */
  async getSignedDocuments(query: SignedDocumentsQuery, options?: BtrustCallOptions): Promise<SignedDocuments> {
    const operation = 'getSignedDocuments';
    const path = [
      '/identification/web',
      segment(operation, 'resultId', query.resultId),
      'result',
      SIGNING_RESULT_STATE,
      segment(operation, 'sessionId', query.sessionId),
    ].join('/');
    return this.call({ operation, method: 'GET', path, options }, toSignedDocuments);
  }

  /** Scenario 3.1: puts documents up for signing with a one-time certificate. */
  async startSignSession(request: SignSessionRequest, options?: BtrustCallOptions): Promise<SignSessionStarted> {
    const body = toSignSessionStartRequestBody(request, this.wireSettings);
    return this.call(
      { operation: 'startSignSession', method: 'POST', path: '/identification/web/signsession/start', body, options },
      toSignSessionStarted,
    );
  }

  /** Scenario 4. */
  async getRegistrationStatus(registrationId: string, options?: BtrustCallOptions): Promise<RegistrationStatus> {
    const operation = 'getRegistrationStatus';
    const path = `/identification/web/sessions/by-otc-request/${segment(operation, 'registrationId', registrationId)}/status`;
    return this.call({ operation, method: 'GET', path, options }, toRegistrationStatus);
  }

  /** Scenario 5. */
  async getWebIdentificationStatus(resultId: string, options?: BtrustCallOptions): Promise<WebIdentificationStatus> {
    const operation = 'getWebIdentificationStatus';
    const path = `/identification/web/${segment(operation, 'resultId', resultId)}/status`;
    return this.call({ operation, method: 'GET', path, options }, toWebIdentificationStatus);
  }

  /**
   * Proves that the provider can be reached and accepts our client certificate, without calling
   * any operation. Bypasses the circuit breaker so that it always reports the present state.
   *
   * Reading: with TLS 1.3 a completed handshake does not yet mean the server accepted our
   * certificate (it may refuse it just after), so a HEAD of the base URL follows the handshake;
   * any HTTP answer at all proves the mutual-TLS channel works. It names no operation and is
   * not a paid call.
   */
  async checkReachable(): Promise<void> {
    const operation = 'checkReachable';
    try {
      await this.withinDeadline(operation, (signal, progress) =>
        this.http.request({ method: 'HEAD', url: this.baseUrl, signal, transport: watchedTransport(progress) }),
      );
    } catch (error) {
      this.logFailure(error as BtrustError, 1);
      throw error;
    }
  }

  /** Subject and expiry of the configured client certificate, or null when none is configured. */
  clientCertificateInfo(): ClientCertificateInfo | null {
    return this.certificateInfo;
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  private async call<T>(spec: CallSpec, toResult: (answer: ProviderAnswer, settings: WireSettings) => T): Promise<T> {
    const answer =
      spec.method === 'GET'
        ? await this.getRetry.execute(({ attempt }) => this.attempt(spec, attempt + 1))
        : await this.attempt(spec, 1);
    try {
      return toResult(answer, this.wireSettings);
    } catch (failure) {
      if (failure instanceof BtrustError) {
        this.logFailure(failure, 0);
      }
      throw failure;
    }
  }

  private async attempt(spec: CallSpec, attempt: number): Promise<ProviderAnswer> {
    let outcome: AttemptOutcome;
    try {
      outcome = await this.breaker.execute(() => this.exchange(spec));
    } catch (failure) {
      const error = isBrokenCircuitError(failure)
        ? new BtrustError({ code: 'CIRCUIT_OPEN', operation: spec.operation, message: 'circuit open: not sent', notSent: true })
        : errorForTransportFailure(spec.operation, failure);
      this.logFailure(error, attempt);
      throw error;
    }
    if (outcome.kind === 'refused') {
      this.logFailure(outcome.error, attempt);
      throw outcome.error;
    }
    return outcome.answer;
  }

  /**
   * Runs inside the circuit breaker. Provider-down failures are thrown so that the breaker
   * counts them; a refusal from a provider that answered is returned instead, so that the
   * breaker counts it as the success it is for availability.
   */
  private async exchange(spec: CallSpec): Promise<AttemptOutcome> {
    const startedAt = Date.now();
    const answer = await this.withinDeadline(spec.operation, (signal, progress) => this.send(spec, signal, progress));
    this.logger?.debug?.(
      { operation: spec.operation, httpStatus: answer.httpStatus, durationMs: Date.now() - startedAt },
      'B-Trust answered',
    );
    const error = errorForAnswer(answer);
    if (error === null) {
      return { kind: 'answered', answer };
    }
    if (error.retryable) {
      throw error;
    }
    return { kind: 'refused', error };
  }

  /**
   * Reading: the document marks Content-Type mandatory on the GETs of 2.5, 3.3, 4.1 and 5.1 as
   * well as on bodies, so every request carries it.
   */
  private async send(spec: CallSpec, signal: AbortSignal, progress: ExchangeProgress): Promise<ProviderAnswer> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (spec.options?.language !== undefined) {
      headers['Accept-language'] = spec.options.language;
    }
    let data: string | Readable | undefined;
    if (spec.body instanceof JsonRequestBody) {
      headers['Content-Length'] = String(spec.body.length);
      data = Readable.from(spec.body.pieces(), { objectMode: false });
    } else if (spec.body !== undefined) {
      data = JSON.stringify(spec.body);
    }
    const response = await this.http.request<Readable>({
      method: spec.method,
      url: `${this.baseUrl}${spec.path}`,
      data,
      headers,
      signal,
      responseType: 'stream',
      transport: watchedTransport(progress),
    });
    const body = await this.readAnswerBody(spec.operation, response.status, response.data, response.headers['content-length']);
    return { operation: spec.operation, httpStatus: response.status, body: parseJsonBody(spec.operation, body) };
  }

  /**
   * The answer's bytes in one buffer (of its Content-Length when given), not as axios's chunks
   * and their concatenation and text. The deadline still covers it: an abort ends the stream.
   */
  private async readAnswerBody(operation: BtrustOperation, httpStatus: number, stream: Readable, contentLength: unknown): Promise<Buffer> {
    const declared = Number(contentLength);
    try {
      return await readWholeBody(stream, { limit: this.maxAnswerBytes, expectedLength: Number.isSafeInteger(declared) ? declared : undefined });
    } catch (failure) {
      stream.destroy();
      if (!(failure instanceof BodyTooLargeError)) throw failure;
      throw new BtrustError({ code: 'UNPROCESSABLE_RESPONSE', operation, httpStatus, message: `the answer is larger than ${failure.limit} bytes` });
    }
  }

  /**
   * Runs one exchange under the attempt deadline; throws only BtrustError. When the deadline
   * passes, the request is aborted and whatever the abort surfaced as is reported as TIMEOUT.
   * The exchange reports whether its connection was up, which tells a request that never left
   * from one B-Trust may have received.
   */
  private async withinDeadline<T>(
    operation: BtrustOperation,
    exchange: (signal: AbortSignal, progress: ExchangeProgress) => Promise<T>,
  ): Promise<T> {
    let deadlineSignal: AbortSignal | undefined;
    const progress: ExchangeProgress = { connected: false };
    try {
      return await this.attemptTimeout.execute(({ signal }) => {
        deadlineSignal = signal;
        return exchange(signal, progress);
      });
    } catch (failure) {
      if (isTaskCancelledError(failure) || deadlineSignal?.aborted === true) {
        throw new BtrustError({
          code: 'TIMEOUT',
          operation,
          message: progress.connected ? 'no answer within the deadline' : 'no connection within the deadline',
          notSent: !progress.connected,
          cause: failure,
        });
      }
      throw errorForTransportFailure(operation, failure, progress);
    }
  }

  /**
   * Never logs bodies, identifiers or documents: only what identifies the failure. A 401/403 is
   * logged at debug only: it repeats on every call until the configuration is fixed, and the
   * configuration-fault tracker warns about it once per operation every few minutes.
   */
  private logFailure(error: BtrustError, attempt: number): void {
    const log = error.answerClass === 'CONFIGURATION_FAULT' ? this.logger?.debug?.bind(this.logger) : this.logger?.warn.bind(this.logger);
    log?.(
      {
        operation: error.operation,
        code: error.code,
        httpStatus: error.httpStatus,
        providerCode: error.providerCode,
        ...(attempt > 0 ? { attempt } : {}),
      },
      'B-Trust call failed',
    );
  }
}

/**
 * node:https as axios's transport, noting on `progress` when the request's connection is up:
 * a kept-alive one reused, or a fresh one once its TLS handshake has completed.
 */
function watchedTransport(progress: ExchangeProgress): Pick<typeof https, 'request'> {
  return {
    request: ((...args: Parameters<typeof https.request>) => {
      const request = https.request(...args);
      request.once('socket', (socket: TLSSocket) => {
        if (request.reusedSocket || (!socket.connecting && socket.authorized)) progress.connected = true;
        else socket.once('secureConnect', () => (progress.connected = true));
      });
      return request;
    }) as typeof https.request,
  };
}

/** The answer as JSON (undefined when it is not: an empty body included), documents decoded where the wire carries them. */
function parseJsonBody(operation: BtrustOperation, body: Buffer): unknown {
  const json = body.subarray(0, UTF8_BOM.length).equals(UTF8_BOM) ? body.subarray(UTF8_BOM.length) : body;
  try {
    return parseJsonDecodingBase64(json, DOCUMENTS_IN_ANSWER[operation] ?? [], (text) => JSON.parse(text.toString('utf8')) as unknown);
  } catch {
    return undefined;
  }
}

/**
 * One path segment, percent-encoded. `.` and `..` are refused: URL normalisation would turn
 * them into a different path, and ids can come from unauthenticated callbacks.
 */
function segment(operation: BtrustOperation, name: string, value: string): string {
  if (typeof value !== 'string' || value === '' || value === '.' || value === '..') {
    throw new BtrustError({ code: 'BAD_REQUEST', operation, message: `not sent: ${name} is not a usable id`, notSent: true });
  }
  return encodeURIComponent(value);
}

/**
 * Reading: the base URL is configuration (the document prints it with and without doubled
 * slashes); a trailing slash is dropped so that operation paths join cleanly.
 */
function validatedBaseUrl(baseUrl: string): string {
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw new Error('B-Trust client: baseUrl is not an absolute URL');
  }
  if (parsed.protocol !== 'https:') {
    throw new Error('B-Trust client: baseUrl must use https (the provider requires mutual TLS)');
  }
  return baseUrl.replace(/\/+$/, '');
}

function requirePositive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`B-Trust client: ${name} must be a positive number`);
  }
}

/** Copies only the known fields, so that nothing else (such as a verification switch) reaches the agent. */
function pickTlsMaterial(tls: BtrustTlsOptions): BtrustTlsOptions {
  const material: BtrustTlsOptions = {};
  if (tls.cert !== undefined) material.cert = tls.cert;
  if (tls.key !== undefined) material.key = tls.key;
  if (tls.pfx !== undefined) material.pfx = tls.pfx;
  if (tls.passphrase !== undefined) material.passphrase = tls.passphrase;
  if (tls.ca !== undefined) material.ca = tls.ca;
  return material;
}

/**
 * Loads the TLS material once at construction, so that an unreadable certificate, a key that
 * does not match it or a wrong passphrase stops start-up instead of failing the first call.
 */
function checkedTlsMaterial(material: BtrustTlsOptions): ClientCertificateInfo | null {
  try {
    createSecureContext(material);
    return readClientCertificateInfo(material);
  } catch (failure) {
    throw new BtrustError({
      code: 'TLS',
      operation: 'configure',
      message: `the client TLS material cannot be used: ${failure instanceof Error ? failure.message : String(failure)}`,
      notSent: true,
      cause: failure,
    });
  }
}
