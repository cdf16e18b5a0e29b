import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { DECORATORS } from '@nestjs/swagger/dist/constants';
import { PROBLEM_CONTENT_TYPE } from '../problem/problem';
import { PROBLEM_TYPE_BASE } from '../problem/to-problem';
import { JSON_MEDIA_TYPE, unsupportedMediaTypeExample } from './accepted-media-types';

/** One invalid field of a VALIDATION_FAILED problem (FieldProblem on the wire). */
export class FieldProblemView {
  @ApiProperty({ example: 'identifier', description: 'Dotted path into the request, e.g. `documents.0.fileName`.' })
  field: string;

  @ApiProperty({ type: [String], example: ['EGN_CHECKSUM'], description: 'The rules the field broke, stable and machine-readable; `isDefined` for a missing field.' })
  codes: string[];

  @ApiProperty({ type: [String], example: ['identifier has a wrong EGN check digit'], description: 'One human-readable message per code.' })
  messages: string[];
}

/**
 * The RFC 9457 problem every error answer carries, with the extension
 * members some codes add (each says which).
 */
export class ProblemView {
  @ApiProperty({ example: `${PROBLEM_TYPE_BASE}VALIDATION_FAILED` })
  type: string;

  @ApiProperty({ example: 'Validation failed', description: 'Human-readable; switch on `code`, not on this.' })
  title: string;

  @ApiProperty({ example: 400 })
  status: number;

  @ApiProperty({ example: 'VALIDATION_FAILED', description: 'Stable, machine-readable: switch on this.' })
  code: string;

  @ApiPropertyOptional({ example: 'The request has invalid fields.' })
  detail?: string;

  @ApiPropertyOptional({ example: '/api/v1/mobile-identifications' })
  instance?: string;

  @ApiPropertyOptional({ example: '5d0a4f8e-2b7c-4b7e-9a57-6c1f2e0f9c11', description: 'Quote it when reporting a problem.' })
  requestId?: string;

  @ApiPropertyOptional({
    type: [FieldProblemView],
    description: 'With VALIDATION_FAILED (and TOO_MANY_DOCUMENTS, DOCUMENT_TOO_LARGE): each invalid field and the rules it broke, all at once.',
    example: [{ field: 'identifier', codes: ['EGN_CHECKSUM'], messages: ['identifier has a wrong EGN check digit'] }],
  })
  errors?: FieldProblemView[];

  @ApiPropertyOptional({ type: [String], example: ['application/json'], description: 'With UNSUPPORTED_MEDIA_TYPE: the media types the route takes (also in `Accept`).' })
  acceptedMediaTypes?: string[];

  @ApiPropertyOptional({ format: 'uuid', description: 'With PROVIDER_OUTCOME_UNKNOWN: the record kept as OUTCOME_UNKNOWN.' })
  id?: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: null, description: 'With a B-Trust failure: B-Trust\'s own code, when it gave one.' })
  providerCode?: string | null;

  @ApiPropertyOptional({ example: 'FAILED', description: 'With NOT_OUTCOME_UNKNOWN: the record\'s status.' })
  currentStatus?: string;

  @ApiPropertyOptional({
    enum: ['user', 'ip', 'inflatedBytes', 'objects', 'time', 'memory'],
    description: 'With RATE_LIMITED: which limit was reached (`user`, `ip`). With PDF_LIMIT_EXCEEDED: which bound parsing the PDF crossed.',
  })
  limit?: 'user' | 'ip' | 'inflatedBytes' | 'objects' | 'time' | 'memory';

  @ApiPropertyOptional({ type: Number, example: 32, description: 'With JSON_TOO_DEEP: the deepest nesting accepted (HTTP_JSON_MAX_DEPTH).' })
  maxDepth?: number;

  @ApiPropertyOptional({ type: Number, example: 0, description: 'With PDF_LIMIT_EXCEEDED: the 0-based index of the document.' })
  document?: number;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', properties: { index: { type: 'integer' }, activeContent: { type: 'array', items: { type: 'string', enum: ['JavaScript', 'Launch'] } } } },
    example: [{ index: 0, activeContent: ['JavaScript'] }],
    description: 'With ACTIVE_CONTENT_REFUSED: each refused document and what it holds.',
  })
  documents?: Array<{ index: number; activeContent: string[] }>;

  @ApiPropertyOptional({ type: Number, example: 42, description: 'With RATE_LIMITED: seconds until the next window opens (also in `Retry-After`).' })
  retryAfterSeconds?: number;

  @ApiPropertyOptional({ type: [String], description: 'With INVALID_CALLBACK: what is wrong with the body.' })
  problems?: string[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { database: { status: 'down' } },
    description: 'With SERVICE_UNAVAILABLE from /health/ready: the state of each dependency, by name.',
  })
  checks?: Record<string, unknown>;
}

/** A problem as an example shows it. */
export type ProblemExample = Pick<ProblemView, 'type' | 'title' | 'status' | 'code'> & Partial<ProblemView>;

/**
 * The example of a code when no fuller one is given: its type, status and
 * code as the server sends them, and a title read from the code
 * (`SIGN_SESSION_EXPIRED` → "Sign session expired"), which only illustrates.
 */
function exampleOf(status: number, code: string): ProblemExample {
  const words = code.toLowerCase().replace(/_/g, ' ');
  return { type: PROBLEM_TYPE_BASE + code, title: words.charAt(0).toUpperCase() + words.slice(1), status, code };
}

/** Codes whose extension members are worth showing in every operation's example. */
const FULL_EXAMPLES: Readonly<Record<string, ProblemExample>> = {
  VALIDATION_FAILED: {
    ...exampleOf(400, 'VALIDATION_FAILED'),
    detail: 'The request has invalid fields.',
    errors: [
      { field: 'identifier', codes: ['EGN_CHECKSUM'], messages: ['identifier has a wrong EGN check digit'] },
      { field: 'reason', codes: ['isDefined'], messages: ['reason is required'] },
    ],
  },
  UNSUPPORTED_MEDIA_TYPE: unsupportedMediaTypeExample([JSON_MEDIA_TYPE]),
  RATE_LIMITED: {
    ...exampleOf(429, 'RATE_LIMITED'),
    title: 'Too many requests',
    detail: 'At most 20 identifications and signings may be started per user per minute.',
    limit: 'user',
    retryAfterSeconds: 42,
  },
};

/**
 * The `application/problem+json` content of an error answer, with an
 * example of each code it can carry, so that "Try it out" and generated
 * clients see this status's own codes rather than the schema's default.
 */
export function problemContent(status: number, codes: readonly string[], examples: Readonly<Record<string, ProblemExample>> = {}) {
  return {
    [PROBLEM_CONTENT_TYPE]: {
      schema: { $ref: getSchemaPath(ProblemView) },
      examples: Object.fromEntries(codes.map((code) => [code, { summary: code, value: examples[code] ?? FULL_EXAMPLES[code] ?? exampleOf(status, code) }])),
    },
  };
}

type ProblemResponses = Readonly<Record<number, readonly string[]>>;
type ProblemExamples = Readonly<Record<string, ProblemExample>>;

const DECLARED_PROBLEMS = Symbol('declaredProblems');

/**
 * Documents error answers as problem+json, each status with the codes it can
 * carry and an example of each; `examples` gives a fuller one for a code.
 * Several on one route add up, in any order: a decorator that brings its own
 * codes (Idempotent) and the route's list share each status's answer.
 */
export function ApiProblemResponses(responses: ProblemResponses, examples: ProblemExamples = {}): MethodDecorator & ClassDecorator {
  return (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder: object = descriptor?.value ?? target;
    const declared: { responses: ProblemResponses; examples: ProblemExamples } = Reflect.getMetadata(DECLARED_PROBLEMS, holder) ?? {
      responses: {},
      examples: {},
    };
    const merged: { responses: Record<number, readonly string[]>; examples: ProblemExamples } = {
      responses: { ...declared.responses },
      examples: { ...declared.examples, ...examples },
    };
    for (const [status, codes] of Object.entries(responses)) {
      merged.responses[Number(status)] = [...new Set([...(merged.responses[Number(status)] ?? []), ...codes])];
    }
    Reflect.defineMetadata(DECLARED_PROBLEMS, merged, holder);
    // Swagger would append this status's description to the one written before: the merged one replaces it.
    const documented: Record<string, unknown> | undefined = Reflect.getMetadata(DECORATORS.API_RESPONSE, holder);
    if (documented) {
      const others = Object.entries(documented).filter(([status]) => !(Number(status) in responses));
      Reflect.defineMetadata(DECORATORS.API_RESPONSE, Object.fromEntries(others), holder);
    }
    applyDecorators(
      ApiExtraModels(ProblemView),
      ...Object.keys(responses).map((status) => {
        const codes = merged.responses[Number(status)];
        return ApiResponse({
          status: Number(status),
          description: `Problem codes: ${codes.map((code) => `\`${code}\``).join(', ')}`,
          content: problemContent(Number(status), codes, merged.examples),
        });
      }),
    )(target, key as string | symbol, descriptor as PropertyDescriptor);
  };
}

/** The problem a paid creation answers when B-Trust may or may not have started it. */
export const OUTCOME_UNKNOWN_EXAMPLE: ProblemExample = {
  type: `${PROBLEM_TYPE_BASE}PROVIDER_OUTCOME_UNKNOWN`,
  title: "B-Trust's answer is unknown",
  status: 502,
  code: 'PROVIDER_OUTCOME_UNKNOWN',
  detail:
    'B-Trust may or may not have started this request. Do not send it again: the record is kept as OUTCOME_UNKNOWN for an operator to resolve.',
  id: '0b6f1f3e-7d7c-4a8e-9a51-3f0f3c1f2a10',
};

/**
 * The failures of a paid creation (1.1, 3.1): refused, our access refused, an outcome that is
 * unknown (do not repeat it; an operator resolves it), or not sent (try again).
 */
export const PAID_START_PROBLEMS = {
  422: ['PROVIDER_REJECTED'],
  502: ['PROVIDER_OUTCOME_UNKNOWN', 'PROVIDER_ACCESS_REFUSED'],
  503: ['UPSTREAM_UNAVAILABLE', 'CIRCUIT_OPEN'],
} as const;

/** The failures of a call that reaches B-Trust, shared by every such endpoint. */
export const UPSTREAM_PROBLEMS = {
  422: ['PROVIDER_REJECTED'],
  502: ['UPSTREAM_ERROR'],
  503: ['UPSTREAM_UNAVAILABLE', 'CIRCUIT_OPEN'],
  504: ['UPSTREAM_TIMEOUT'],
} as const;
