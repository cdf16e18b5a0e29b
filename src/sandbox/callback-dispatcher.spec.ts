import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { CallbackDispatcher } from './callback-dispatcher';
import { silentLogger } from './sandbox-logger';

describe(CallbackDispatcher.name, () => {
  let server: Server;
  let url: string;
  let bodies: Array<{ requestId: number; relyingPartyId: number; code: string; data: { resultId: string | number } }>;
  let dispatcher: CallbackDispatcher;

  beforeEach(async () => {
    bodies = [];
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk) => (text += chunk));
      req.on('end', () => {
        bodies.push(JSON.parse(text));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks/token?secret=1`;
    dispatcher = new CallbackDispatcher(24102167, 5, silentLogger);
  });

  afterEach(async () => {
    dispatcher.close();
    await new Promise((resolve) => server.close(resolve));
  });

  const data = (resultId: number) => ({ processState: 'SIGN_SESSION', sessionId: 's', resultId, dataMessage: 'm' });
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  };

  it('numbers callbacks with increasing requestIds and records the path without the query', async () => {
    dispatcher.notify(url, data(1), { ok: true });
    await until(() => bodies.length === 1);
    dispatcher.notify(url, data(2), { ok: true });
    await until(() => bodies.length === 2);
    expect(bodies[1].requestId).toBeGreaterThan(bodies[0].requestId);
    expect(dispatcher.recordedDeliveries().map((delivery) => [delivery.path, delivery.status])).toEqual([
      ['/callbacks/token', 200],
      ['/callbacks/token', 200],
    ]);
  });

  it('holds a callback back and sends it after the next one when asked to reorder', async () => {
    dispatcher.setKnobs({ reorder: 1 });
    dispatcher.notify(url, data(1), { ok: true });
    await new Promise((resolve) => setTimeout(resolve, 50));
    dispatcher.notify(url, data(2), { ok: true });
    await until(() => bodies.length === 2);
    expect(bodies.map((body) => body.data.resultId)).toEqual([2, 1]);
  });

  it('records a failed delivery when nobody listens', async () => {
    dispatcher.notify('http://127.0.0.1:1/callbacks/nowhere', data(1), { ok: true });
    await until(() => dispatcher.recordedDeliveries().length === 1);
    expect(dispatcher.recordedDeliveries()[0]).toMatchObject({ outcome: 'failed', path: '/callbacks/nowhere' });
  });

  it('names another relying party when told (reading webhookRelyingPartyId=other), and forces a code', async () => {
    const own = dispatcher.notify(url, data(1), { ok: true });
    const other = dispatcher.notify(url, data(2), { ok: true, foreignRelyingPartyId: true });
    const forced = dispatcher.notify(url, data(3), { ok: true, code: 'IN_PROGRESS' });
    expect([own.relyingPartyId, other.relyingPartyId]).toEqual([24102167, 24102168]);
    await until(() => bodies.length === 3);
    expect(bodies.map((body) => [body.relyingPartyId, body.code])).toEqual([
      [24102167, 'OK'],
      [24102168, 'OK'],
      [24102167, 'IN_PROGRESS'],
    ]);
  });

  it('tells what became of a request in the words of the document, naming another relying party only under webhookRelyingPartyId=other', () => {
    const about = { processState: 'SIGN_SESSION', sessionId: 's', resultId: 42 };
    const same = dispatcher.notifyOutcome(url, about, 'completed successfully', { ok: true }, { webhookRelyingPartyId: 'same' });
    const other = dispatcher.notifyOutcome(url, about, 'was rejected by the user', { ok: false }, { webhookRelyingPartyId: 'other' });
    expect([same.data, same.code, same.relyingPartyId]).toEqual([
      { processState: 'SIGN_SESSION', sessionId: 's', resultId: 42, dataMessage: 'The request with resultID 42 completed successfully' },
      'OK',
      24102167,
    ]);
    expect([other.data.dataMessage, other.code, other.relyingPartyId]).toEqual(['The request with resultID 42 was rejected by the user', 'REJECTED', 24102168]);
  });

  it('repeats a webhook already sent, same body and requestId: by requestId, by resultId, or the last one', async () => {
    const first = dispatcher.notify(url, data(1), { ok: true });
    const second = dispatcher.notify(url, data(2), { ok: false });
    expect(dispatcher.repeat({ requestId: first.requestId })).toEqual(first);
    expect(dispatcher.repeat({ resultId: 2 })).toEqual(second);
    expect(dispatcher.repeat({})).toEqual(second);
    expect(dispatcher.repeat({ requestId: 9999 })).toBeUndefined();
    await until(() => bodies.length === 5);
    expect(bodies.map((body) => body.requestId)).toEqual([first.requestId, second.requestId, first.requestId, second.requestId, second.requestId]);
  });

  it('takes its requestIds from the sequence it is given', () => {
    let next = 700;
    const numbered = new CallbackDispatcher(24102167, 5, silentLogger, () => next++);
    expect(numbered.notify(url, data(1), { ok: true }).requestId).toBe(700);
    numbered.close();
  });
});
