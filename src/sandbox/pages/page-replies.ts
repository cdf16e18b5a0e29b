import { FastifyReply } from 'fastify';

/** A form the person's browser posted (application/x-www-form-urlencoded). */
export type Form = Record<string, string | undefined>;

export function htmlReply(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(body);
}

/** After a form post, the browser goes on with a GET (303 See Other). */
export function redirect(reply: FastifyReply, url: string): FastifyReply {
  return reply.code(303).header('location', url).send();
}
