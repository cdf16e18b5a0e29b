import fp from 'fastify-plugin';
import { errorBody } from '../wire-format';
import { languageOfRequest } from './api-request';

/**
 * Every request carries the relying party's id in the `relyingPartyID`
 * header ("Parties and transport"); a call without it, or with another id,
 * gets 401 UNAUTHORIZED, unknown paths included.
 */
export const relyingPartyCheck = fp<{ relyingPartyId: string }>(
  async (app, { relyingPartyId }) => {
    app.addHook('onRequest', async (request, reply) => {
      if (request.headers['relyingpartyid'] !== relyingPartyId) {
        return reply.code(401).send(errorBody('UNAUTHORIZED', languageOfRequest(request)));
      }
    });
  },
  { name: 'sandbox-relying-party-check' },
);
