import { RecordedCallbacks, instantDocuments } from '../../test/support/sandbox-flow-doubles';
import { FaultInjector } from './fault-injector';
import { ProviderRecords, Signing, WebIdentification } from './provider-records';
import { silentLogger } from './sandbox-logger';
import { DEFAULT_READINGS, ReadingsBoard, SandboxReadings } from './sandbox-readings';
import { SigningFlow } from './signing-flow';

const T0 = new Date('2024-03-01T10:00:00.000Z');
const PDF = (label: string) => Buffer.from(`%PDF-1.7 ${label}`);

function setUp(readings: Partial<SandboxReadings> = {}) {
  const records = new ProviderRecords();
  const callbacks = new RecordedCallbacks();
  const board = new ReadingsBoard(readings);
  const flow = new SigningFlow(records, instantDocuments, callbacks.asDispatcher(), new FaultInjector(), board, silentLogger);
  const web: WebIdentification = {
    webSessionId: 'web-1',
    resultId: 95,
    createdAt: T0,
    webSessionExpireDate: new Date(T0.getTime() + 3_600_000),
    requestCallbackUrl: 'https://rp.example/callbacks/t',
    reason: 'test',
    state: 'IDENTIFIED',
    person: { fullName: 'Maria Ivanova Petrova', egn: '7805166742' },
    clientIdentificator: 'client-1',
    signSession: { id: 'sign-session-1', expiresAt: new Date(T0.getTime() + 8 * 3_600_000), consumed: false },
    readings: board.get(),
  };
  records.addWeb(web);
  const start = (fileNames: string[] = ['a.pdf'], archiveFlagNames: string[] = []): Promise<Signing> =>
    flow.start(
      {
        identificator: 'client-1',
        signSessionId: web.signSession!.id,
        documents: fileNames.map((fileName) => ({ content: PDF(fileName), fileName, legalFileName: fileName, padesVisualSignature: false })),
        successUrl: 'https://rp.example/ok',
        cancelUrl: 'https://rp.example/no',
        archiveFlagNames,
      },
      T0,
    );
  return { flow, callbacks, web, start, board };
}

describe(SigningFlow.name, () => {
  it.each([
    ['same', ['first.pdf', 'second.pdf'], ['first.pdf', 'second.pdf']],
    ['renamed', ['first.pdf', 'second.pdf'], ['signed-{resultId}-1.pdf', 'signed-{resultId}-2.pdf']],
    ['reversed', ['second.pdf', 'first.pdf'], ['signed-{resultId}-2.pdf', 'signed-{resultId}-1.pdf']],
  ] as const)('signedFileNames=%s: 3.3 returns the documents of %j named %j', async (reading, origins, names) => {
    const { flow, start } = setUp({ signedFileNames: reading });
    const signing = await start(['first.pdf', 'second.pdf']);
    await flow.sign(signing, T0);
    const { documents } = await flow.signedDocuments(signing.resultId, 'SIGN_SESSION', 'sign-session-1', T0);
    expect(documents.map((document) => document.filename)).toEqual(names.map((name) => name.replace('{resultId}', String(signing.resultId))));
    expect(documents.map((document) => document.content.toString('latin1').replace(/^%PDF-1\.7 (\S+)%signed$/, '$1'))).toEqual(origins);
  });

  it.each([
    ['used-sign-session', 'used'],
    ['next-sign-session', 'next'],
  ] as const)('signingWebhookSessionId=%s: the 3.2 webhook names the %s sign session', async (reading, which) => {
    const { flow, callbacks, start, web } = setUp({ signingWebhookSessionId: reading });
    const signing = await start();
    await flow.sign(signing, T0);
    expect(web.signSession?.id).not.toBe('sign-session-1');
    expect(callbacks.sent[0].data).toMatchObject({ processState: 'SIGN_SESSION', resultId: signing.resultId });
    expect(callbacks.sent[0].data.sessionId).toBe(which === 'used' ? 'sign-session-1' : web.signSession?.id);
  });

  it.each([
    ['any', [], true],
    ['any', ['toBeArchived', 'toBeArhieved'], true],
    ['toBeArchived', ['toBeArchived'], true],
    ['toBeArchived', ['toBeArhieved'], false],
    ['toBeArhieved', ['toBeArhieved'], true],
    ['toBeArhieved', ['toBeArchived'], false],
  ] as const)('archiveFlag=%s: 3.1 with the flag spelt %j is accepted: %s', async (reading, sent, accepted) => {
    const { start } = setUp({ archiveFlag: reading });
    const started = start(['a.pdf'], [...sent]);
    if (accepted) await expect(started).resolves.toMatchObject({ state: 'PENDING' });
    else await expect(started).rejects.toMatchObject({ httpStatus: 400, code: 'BAD_REQUEST' });
  });

  it('answers 3.3 with the notYetAnswer before the signature and the rejectedStatus after a refusal, of the signing', async () => {
    const { flow, start } = setUp({ notYetAnswer: '400-rejected', rejectedStatus: 403 });
    const signing = await start();
    await expect(flow.signedDocuments(signing.resultId, 'SIGN_SESSION', 'sign-session-1', T0)).rejects.toMatchObject({ httpStatus: 400, code: 'REJECTED' });
    flow.reject(signing, T0);
    await expect(flow.signedDocuments(signing.resultId, 'SIGN_SESSION', 'sign-session-1', T0)).rejects.toMatchObject({ httpStatus: 403, code: 'REJECTED' });
  });

  it('refuses 3.1 for a denied identification, with the identification’s rejectedStatus', async () => {
    const { start, web } = setUp();
    web.state = 'DENIED';
    web.readings = { ...DEFAULT_READINGS, rejectedStatus: 401 };
    await expect(start()).rejects.toMatchObject({ httpStatus: 401, code: 'REJECTED' });
  });

  it('takes the sandbox-wide readings when a signing is created', async () => {
    const { start, board } = setUp();
    board.merge({ signedFileNames: 'renamed' });
    expect((await start()).readings.signedFileNames).toBe('renamed');
  });
});
