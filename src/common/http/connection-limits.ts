import { IncomingMessage, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyHttpOptions, FastifyInstance } from 'fastify';
import type { Server } from 'node:http';
import type { HttpConnectionsConfig } from '../../config/app-config';
import { PROBLEM_CONTENT_TYPE, ProblemDocument } from '../problem/problem';
import { HttpErrorCode } from '../problem/http-error';
import { problemHead } from '../problem/problem-catalogue';

/**
 * Node.js checks the headers and request timeouts of open requests on a
 * timer (every 30 s by default): checking a few times per timeout keeps a
 * slow client from outliving its limit by much.
 */
function connectionsCheckingInterval(limits: HttpConnectionsConfig): number {
  return Math.min(30_000, Math.max(100, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)));
}

/**
 * The server's options for the headers and whole-request timeouts (Node.js
 * enforces them until the request has been received, so a long answer, an
 * event stream or a slow B-Trust call is not cut), the keep-alive limits,
 * and problem documents instead of Fastify's plain JSON for the errors
 * raised before a request reaches the router.
 */
export function connectionLimitOptions(
  limits: HttpConnectionsConfig,
): Pick<FastifyHttpOptions<Server>, 'http' | 'requestTimeout' | 'keepAliveTimeout' | 'maxRequestsPerSocket' | 'clientErrorHandler'> {
  return {
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: connectionsCheckingInterval(limits),
    },
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    maxRequestsPerSocket: limits.maxRequestsPerSocket,
    clientErrorHandler: answerClientError,
  };
}

/**
 * A request whose body stops arriving for `bodyTimeoutMs` is answered 408
 * and its connection closed. Only while a body is expected: once it has
 * arrived, the socket has no idle limit until Node.js sets the keep-alive
 * one after the answer, so waiting for B-Trust or streaming events is never
 * cut.
 */
export function closeStalledBodies(fastify: FastifyInstance, bodyTimeoutMs: number): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const raw = request.raw;
    if (!expectsBody(raw) || raw.complete) return done();
    const socket = raw.socket;
    const onIdle = () =>
      refuse(socket, reply.raw.headersSent, HttpErrorCode.BODY_TIMEOUT, 'The request body stopped arriving; send it again without pausing.');
    const stop = () => {
      raw.removeListener('timeout', onIdle);
      // After the answer Node.js has put the keep-alive timeout on the socket: that one stays.
      if (!reply.raw.writableFinished) socket.setTimeout(0);
    };
    socket.setTimeout(bodyTimeoutMs);
    // Node.js passes a socket's timeout to its unfinished request, and destroys the socket itself only when nobody listens.
    raw.on('timeout', onIdle);
    raw.once('end', stop);
    raw.once('close', stop);
    done();
  });
}

function expectsBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

type ConnectionError = Error & { code?: string };

/** Errors Node.js raises on a connection before there is a request to route: timeouts and unparsable requests. */
function answerClientError(error: ConnectionError, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // Like Node.js itself: never write into an answer that has already begun.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  const answered = inFlight?.headersSent === true;
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    refuse(socket, answered, HttpErrorCode.REQUEST_TIMEOUT, 'The request did not arrive within the time this server allows.');
  } else if (error.code === 'HPE_HEADER_OVERFLOW') {
    refuse(socket, answered, HttpErrorCode.HEADERS_TOO_LARGE, 'The request headers are larger than this server accepts.');
  } else {
    refuse(socket, answered, HttpErrorCode.BAD_REQUEST, 'The request is not valid HTTP.');
  }
}

/** Writes a problem document straight to the socket and closes it: there is no request to answer through. */
function refuse(socket: Socket, answered: boolean, code: HttpErrorCode, detail: string): void {
  if (socket.writable && !answered) {
    const problem: ProblemDocument = { ...problemHead(code), detail };
    const { status } = problem;
    const body = JSON.stringify(problem);
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Cache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
