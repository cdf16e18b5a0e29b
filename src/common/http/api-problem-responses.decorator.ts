import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';

export class ProblemView {
  @ApiProperty({ example: 'urn:btrust-cas:problem:VALIDATION_FAILED' })
  type: string;

  @ApiProperty({ example: 'Validation failed' })
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
    description: 'With VALIDATION_FAILED: each invalid field and the rules it broke.',
    example: [{ field: 'identifier', codes: ['EGN_CHECKSUM'], messages: ['identifier has a wrong EGN check digit'] }],
  })
  errors?: Array<{ field: string; codes: string[]; messages: string[] }>;
}

/** Documents error answers as problem+json, each status with the codes it can carry (and, optionally, an example). */
export function ApiProblemResponses(responses: Record<number, readonly string[]>, examples: Record<number, object> = {}) {
  return applyDecorators(
    ApiExtraModels(ProblemView),
    ...Object.entries(responses).map(([status, codes]) =>
      ApiResponse({
        status: Number(status),
        description: `Problem codes: ${codes.map((code) => `\`${code}\``).join(', ')}`,
        content: {
          'application/problem+json': {
            schema: { $ref: getSchemaPath(ProblemView) },
            ...(examples[Number(status)] ? { example: examples[Number(status)] } : {}),
          },
        },
      }),
    ),
  );
}

/** The problem a paid creation answers when B-Trust may or may not have started it. */
export const OUTCOME_UNKNOWN_EXAMPLE = {
  type: 'urn:btrust-cas:problem:PROVIDER_OUTCOME_UNKNOWN',
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
