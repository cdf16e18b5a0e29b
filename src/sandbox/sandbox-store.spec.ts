import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MobileIdentification, ProviderRecords, Signing, WebIdentification } from './provider-records';
import { DEFAULT_READINGS } from './sandbox-readings';
import { currentProcessIdentity } from '../common/process/process-identity';
import { DataDirInUseError, FolderStore } from './sandbox-store';

const T0 = new Date('2024-03-01T10:00:00.123Z');

function mobile(overrides: Partial<MobileIdentification> = {}): MobileIdentification {
  return {
    callbackId: 'a2c25bcd-00f0-4128-8890-fbcb26fc2f81',
    createdAt: T0,
    validity: new Date(T0.getTime() + 300_000),
    identifierType: 'EGN',
    identifierValue: '7805166742',
    reason: 'test',
    identificator: 'abc',
    state: 'IN_PROGRESS',
    readings: { ...DEFAULT_READINGS, rejectedStatus: 500 },
    ...overrides,
  };
}

function web(): WebIdentification {
  return {
    webSessionId: '245ccb3e-5105-4930-8855-b6b46b0edc3d',
    resultId: 95,
    createdAt: T0,
    webSessionExpireDate: new Date(T0.getTime() + 3_600_000),
    requestCallbackUrl: 'https://rp.example/callbacks/token',
    reason: 'test',
    state: 'UNDER_REVIEW',
    registration: {
      sessionId: '56f6bccb-1635-444e-b983-79bc35d22743',
      registrationId: 'e9ed4675-e73e-494d-9893-602afcebe672',
      createdOn: T0,
      expiredOn: new Date(T0.getTime() + 3_600_000),
      processedOn: T0,
      reviewStatus: 'FINALIZE_REJECT',
      successUrl: 'https://rp.example/ok',
      cancelUrl: 'https://rp.example/no',
      userLanguage: 'bg',
      verifyEmailAddress: true,
      verifyPhoneNumber: false,
    },
    person: { fullName: 'Мария Петрова', egn: '7805166742' },
    clientIdentificator: 'client',
    eidCertificatePdf: Buffer.from('%PDF-eid'),
    signSession: { id: 'sign-1', expiresAt: new Date(T0.getTime() + 8 * 3_600_000), consumed: false, pendingSigningResultId: 96 },
    readings: { ...DEFAULT_READINGS, review: 'manual' },
  };
}

function signing(): Signing {
  return {
    resultId: 96,
    webSessionId: '245ccb3e-5105-4930-8855-b6b46b0edc3d',
    signSessionId: 'sign-1',
    createdAt: T0,
    expireDate: new Date(T0.getTime() + 8 * 3_600_000),
    pageToken: 'f'.repeat(64),
    smsCode: '123456',
    documents: [
      { content: Buffer.from('%PDF-one'), fileName: 'one.pdf', legalFileName: 'ONE', padesVisualSignature: false },
      {
        content: Buffer.from('%PDF-two'),
        fileName: 'две.pdf',
        legalFileName: 'TWO',
        padesVisualSignature: true,
        signaturePosition: { imageHeight: 1, imageWidth: 2, imageXAxis: 3.5, imageYAxis: 4, pageNumber: 1 },
      },
    ],
    successUrl: 'https://rp.example/ok',
    cancelUrl: 'https://rp.example/no',
    state: 'SIGNED',
    signedDocuments: [
      { filename: 'one.pdf', content: Buffer.from('%PDF-one signed') },
      { filename: 'две.pdf', content: Buffer.from('%PDF-two signed') },
    ],
    readings: { ...DEFAULT_READINGS, signedFileNames: 'reversed' },
  };
}

const warnings: string[] = [];
const logger = { info: () => undefined, warn: (_obj: object, message: string) => void warnings.push(message) };
let dir: string;
let opened: FolderStore[] = [];

/** A store on the test's folder, the previous one closed first, as a restarted sandbox would. */
function open(): FolderStore {
  for (const store of opened) store.close();
  opened = [new FolderStore(dir, logger)];
  return opened[0];
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sandbox-store-'));
  warnings.length = 0;
});
afterEach(() => {
  for (const store of opened) store.close();
  opened = [];
  rmSync(dir, { recursive: true, force: true });
});

describe(FolderStore.name, () => {
  it('gives back every record as it was saved: dates, documents, readings and id sequences included', () => {
    const store = open();
    store.saveMobile(mobile());
    store.saveWeb(web());
    store.saveSigning(signing());
    store.saveSequences({ lastResultId: 96, lastRequestId: 305 });

    const loaded = open().load();
    expect(loaded.mobile).toEqual([mobile()]);
    expect(loaded.web).toEqual([web()]);
    expect(loaded.signings).toEqual([signing()]);
    expect(loaded.sequences).toEqual({ lastResultId: 96, lastRequestId: 305 });
    expect(loaded.web[0].createdAt).toBeInstanceOf(Date);
    expect(Buffer.isBuffer(loaded.signings[0].documents[1].content)).toBe(true);
  });

  it('keeps each PDF in a file of its own, written once, and the state small, with no temporary file left', () => {
    const store = open();
    store.saveSigning(signing());
    const folder = join(dir, 'signings', '96');
    expect(readdirSync(folder).sort()).toEqual(['document-0.pdf', 'document-1.pdf', 'record.json', 'signed-0.pdf', 'signed-1.pdf']);
    expect(readFileSync(join(folder, 'record.json'), 'utf8')).not.toContain('%PDF');

    writeFileSync(join(folder, 'document-0.pdf'), 'changed on disk');
    store.saveSigning({ ...signing(), smsCode: '654321' });
    expect(readFileSync(join(folder, 'document-0.pdf'), 'utf8')).toBe('changed on disk');
    expect(JSON.parse(readFileSync(join(folder, 'record.json'), 'utf8')).record.smsCode).toBe('654321');
  });

  it('leaves out, and logs, a record it cannot read: the sandbox then treats it as unknown', () => {
    const store = open();
    store.saveMobile(mobile());
    store.saveWeb(web());
    writeFileSync(join(dir, 'mobile', mobile().callbackId, 'record.json'), '{"format":1,"rec');
    rmSync(join(dir, 'web', web().webSessionId, 'eid-certificate.pdf'));

    const loaded = open().load();
    expect(loaded.mobile).toEqual([]);
    expect(loaded.web).toEqual([]);
    expect(warnings).toEqual(['sandbox record not loaded', 'sandbox record not loaded']);
  });

  it('lets one sandbox at a time use a folder, and takes over the lock of a process that is gone', () => {
    open();
    expect(() => new FolderStore(dir, logger)).toThrow(DataDirInUseError);
    expect(() => new FolderStore(dir, logger)).toThrow(`holds the records of another running sandbox (process ${process.pid})`);
    opened[0].close();
    writeFileSync(join(dir, 'lock'), '999999999');
    expect(() => open()).not.toThrow();
    expect(JSON.parse(readFileSync(join(dir, 'lock'), 'utf8'))).toEqual(currentProcessIdentity());
    expect(warnings).toEqual(['sandbox data folder lock left by a stopped process taken over']);
  });

  it('takes over a lock whose pid a later process reuses, and keeps one a live process still holds', () => {
    // The parent process is alive; a start time that is not its own makes the lock a stale one with a reused pid.
    writeFileSync(join(dir, 'lock'), JSON.stringify({ pid: process.ppid, startedAt: 'not-its-start-time' }));
    expect(() => open()).not.toThrow();
    opened[0].close();
    writeFileSync(join(dir, 'lock'), JSON.stringify({ pid: process.ppid, startedAt: null }));
    expect(() => new FolderStore(dir, logger)).toThrow(`(process ${process.ppid})`);
  });

  it('refuses an id that is not the sandbox’s own before it becomes a path', () => {
    expect(() => open().saveMobile(mobile({ callbackId: '../escape' }))).toThrow('not a record id');
  });
});

describe(`${ProviderRecords.name} on a folder`, () => {
  it('reloads its records and sequences, and purges those past retention from the folder too', () => {
    const records = new ProviderRecords(open());
    records.addMobile(mobile());
    records.addWeb(web());
    expect(records.nextResultId()).toBe(95);
    expect(records.nextRequestId()).toBe(301);

    const reloaded = new ProviderRecords(open());
    expect(reloaded.mobile.get(mobile().callbackId)?.readings.rejectedStatus).toBe(500);
    expect(reloaded.webByRegistrationSessionId.get(web().registration!.sessionId)?.webSessionId).toBe(web().webSessionId);
    expect(reloaded.nextResultId()).toBe(96);
    expect(reloaded.nextRequestId()).toBe(302);

    reloaded.purgeOlderThanRetention(new Date(T0.getTime() + 25 * 3_600_000));
    expect(reloaded.mobile.size).toBe(0);
    expect(existsSync(join(dir, 'mobile', mobile().callbackId))).toBe(false);
    expect(existsSync(join(dir, 'web', web().webSessionId))).toBe(false);
    expect(new ProviderRecords(open()).webBySessionId.size).toBe(0);
  });
});
