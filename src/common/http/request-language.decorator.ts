import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

export type ProviderLanguage = 'bg' | 'en';

/** The first of bg/en in an Accept-Language header, honouring q-values; undefined when neither is asked for. */
export function preferredProviderLanguage(header: string | undefined): ProviderLanguage | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((param) => param.trim()).find((param) => param.startsWith('q='));
      return { language: tag.split('-')[0], quality: q ? Number(q.slice(2)) : 1, index };
    })
    .filter((entry) => (entry.language === 'bg' || entry.language === 'en') && entry.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  return ranked[0]?.language as ProviderLanguage | undefined;
}

/** Forwarded to B-Trust as `Accept-language`, which localizes its messages. */
export const RequestLanguage = createParamDecorator((_: unknown, context: ExecutionContext) =>
  preferredProviderLanguage(context.switchToHttp().getRequest<FastifyRequest>().headers['accept-language']),
);
