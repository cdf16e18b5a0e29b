import { FastifyPluginAsync } from 'fastify';
import { CallbackDispatcher } from '../callback-dispatcher';
import { FaultDefinitionError } from '../fault-injector';
import { UnknownRecordError } from '../provider-records';
import { SigningFlow } from '../signing-flow';
import { WebIdentificationFlow } from '../web-identification-flow';
import { ControlBody, ControlRequestError, numericIdIn, wireWord } from './control-request';

interface CallbackControlOptions {
  callbacks: CallbackDispatcher;
  web: WebIdentificationFlow;
  signing: SigningFlow;
}

/**
 * The webhooks (2.4, 3.2): duplicate, drop or reorder the next deliveries,
 * see what was delivered, send the webhook a record's state implies (with a
 * forced `processState` or `code`), or repeat one already sent.
 */
export const callbackControl: FastifyPluginAsync<CallbackControlOptions> = async (app, { callbacks, web, signing }) => {
  app.post<{ Body: ControlBody | undefined }>('/sandbox/callbacks/knobs', async (request) => {
    const body = request.body ?? {};
    const knobs: Record<string, number> = {};
    for (const name of ['duplicate', 'drop', 'reorder'] as const) {
      const value = body[name];
      if (value === undefined) continue;
      if (!Number.isInteger(value) || (value as number) < 0) {
        throw new FaultDefinitionError(`${name} must be a whole number of callbacks, 0 or more`);
      }
      knobs[name] = value as number;
    }
    return callbacks.setKnobs(knobs);
  });
  app.get('/sandbox/callbacks/deliveries', async () => ({ deliveries: callbacks.recordedDeliveries() }));
  app.delete('/sandbox/callbacks/deliveries', async () => {
    callbacks.clearDeliveries();
    return { deliveries: [] };
  });

  app.post<{ Body: ControlBody | undefined }>('/sandbox/callbacks/send', async (request) => {
    const body = request.body ?? {};
    const overrides = { processState: wireWord(body, 'processState'), code: wireWord(body, 'code') };
    if ((body.webSessionId === undefined) === (body.resultId === undefined)) {
      throw new ControlRequestError('give one of webSessionId (a web identification) or resultId (a web identification or a signing)');
    }
    if (body.webSessionId !== undefined) {
      return { sent: web.sendWebhook(web.bySessionId(String(body.webSessionId)), overrides) };
    }
    const resultId = numericIdIn(String(body.resultId));
    const record = web.byResultId(resultId, new Date());
    return { sent: record ? web.sendWebhook(record, overrides) : signing.sendWebhook(signing.find(resultId, new Date()), overrides) };
  });
  app.post<{ Body: ControlBody | undefined }>('/sandbox/callbacks/repeat', async (request) => {
    const body = request.body ?? {};
    const which = {
      requestId: body.requestId === undefined ? undefined : numericIdIn(String(body.requestId), 'requestId'),
      resultId: body.resultId === undefined ? undefined : numericIdIn(String(body.resultId)),
    };
    const sent = callbacks.repeat(which);
    if (!sent) throw new UnknownRecordError('webhook sent before (this sandbox keeps the last 1000 since it started)');
    return { sent };
  });
};
