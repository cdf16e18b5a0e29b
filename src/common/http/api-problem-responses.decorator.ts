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

/** Documents error answers as problem+json, each status with the codes it can carry. */
export function ApiProblemResponses(responses: Record<number, readonly string[]>) {
  return applyDecorators(
    ApiExtraModels(ProblemView),
    ...Object.entries(responses).map(([status, codes]) =>
      ApiResponse({
        status: Number(status),
        description: `Problem codes: ${codes.map((code) => `\`${code}\``).join(', ')}`,
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemView) } } },
      }),
    ),
  );
}

/** The failures of a call that reaches B-Trust, shared by every such endpoint. */
export const UPSTREAM_PROBLEMS = {
  422: ['PROVIDER_REJECTED'],
  502: ['UPSTREAM_ERROR'],
  503: ['UPSTREAM_UNAVAILABLE', 'CIRCUIT_OPEN'],
  504: ['UPSTREAM_TIMEOUT'],
} as const;
