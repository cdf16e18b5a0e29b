import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { currentProcessIdentity, isRunningProcess, parseProcessIdentity } from '../common/process/process-identity';
import type { IdSequences, MobileIdentification, Signing, WebIdentification } from './provider-records';
import type { SandboxLogger } from './sandbox-logger';

/**
 * Where the sandbox keeps its records. A folder keeps them across restarts,
 * as B-Trust keeps its own; without one they live in memory only.
 */
export interface RecordStore {
  load(): StoredRecords;
  saveMobile(record: MobileIdentification): void;
  saveWeb(record: WebIdentification): void;
  saveSigning(record: Signing): void;
  saveSequences(sequences: IdSequences): void;
  removeMobile(record: MobileIdentification): void;
  removeWeb(record: WebIdentification): void;
  removeSigning(record: Signing): void;
  /** Lets another sandbox use the store. */
  close(): void;
}

export interface StoredRecords {
  mobile: MobileIdentification[];
  web: WebIdentification[];
  signings: Signing[];
  sequences?: IdSequences;
}

const nothing = (): void => undefined;

export const MEMORY_ONLY: RecordStore = {
  load: () => ({ mobile: [], web: [], signings: [] }),
  saveMobile: nothing,
  saveWeb: nothing,
  saveSigning: nothing,
  saveSequences: nothing,
  removeMobile: nothing,
  removeWeb: nothing,
  removeSigning: nothing,
  close: nothing,
};

const FORMAT = 1;
const RECORD_FILE = 'record.json';
const SEQUENCES_FILE = 'sequences.json';
const LOCK_FILE = 'lock';

/** Another running sandbox keeps its records in the same folder. */
export class DataDirInUseError extends Error {
  constructor(dir: string, pid: number) {
    super(`${dir} holds the records of another running sandbox (process ${pid}); give this one another folder (SANDBOX_DATA_DIR, or "memory" for none)`);
    this.name = 'DataDirInUseError';
  }
}
const DATE_FIELDS = new Set([
  'createdAt',
  'validity',
  'webSessionExpireDate',
  'createdOn',
  'expiredOn',
  'processedOn',
  'reviewedOn',
  'expiresAt',
  'expireDate',
]);

type Kind = 'mobile' | 'web' | 'signings';

/**
 * One folder per record under `mobile/`, `web/` and `signings/`: its state
 * as `record.json` (rewritten whole on every change: write a temporary file,
 * then rename it over the old one, so a crash leaves the old or the new file,
 * never half of one) and each PDF in a file of its own, written once, so a
 * state change does not rewrite megabytes of documents. The id sequences go
 * to `sequences.json`. Writes are synchronous: every API answer is given
 * after the state it reports is on disk. No fsync: the sandbox survives its
 * process ending, not the machine losing power. One sandbox at a time uses
 * a folder (a `lock` file names its process): two would hand out the same
 * result ids and overwrite each other's records.
 */
export class FolderStore implements RecordStore {
  private readonly documentsWritten = new Set<string>();
  private locked = false;

  constructor(
    private readonly dir: string,
    private readonly logger: SandboxLogger,
  ) {
    for (const kind of ['mobile', 'web', 'signings'] as const) mkdirSync(join(dir, kind), { recursive: true });
    this.lock();
  }

  close(): void {
    if (!this.locked) return;
    rmSync(join(this.dir, LOCK_FILE), { force: true });
    this.locked = false;
  }

  /**
   * Takes the folder, or throws DataDirInUseError. The lock names its process by pid and start
   * time: a lock whose process is gone (killed), or whose pid a later process reuses, is taken over.
   */
  private lock(): void {
    const path = join(this.dir, LOCK_FILE);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        const file = openSync(path, 'wx');
        writeFileSync(file, JSON.stringify(currentProcessIdentity()));
        closeSync(file);
        this.locked = true;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = parseProcessIdentity(readFileSync(path, 'utf8'));
      // A lock of this very process is one a sandbox here has not released: still in use.
      if (holder && (holder.pid === process.pid || isRunningProcess(holder))) throw new DataDirInUseError(this.dir, holder.pid);
      this.logger.warn({ dataDir: this.dir, previousProcess: holder?.pid ?? null }, 'sandbox data folder lock left by a stopped process taken over');
      rmSync(path, { force: true });
    }
    throw new Error(`could not lock ${this.dir}`);
  }

  load(): StoredRecords {
    const sequences = this.readJson<IdSequences>(join(this.dir, SEQUENCES_FILE));
    return {
      mobile: this.loadKind<MobileIdentification>('mobile', (record, folder) => {
        if (record.eidCertificatePdf) record.eidCertificatePdf = this.readDocument(folder, record.eidCertificatePdf);
      }),
      web: this.loadKind<WebIdentification>('web', (record, folder) => {
        if (record.eidCertificatePdf) record.eidCertificatePdf = this.readDocument(folder, record.eidCertificatePdf);
      }),
      signings: this.loadKind<Signing>('signings', (record, folder) => {
        for (const document of record.documents) document.content = this.readDocument(folder, document.content);
        for (const document of record.signedDocuments ?? []) document.content = this.readDocument(folder, document.content);
      }),
      sequences: sequences ?? undefined,
    };
  }

  saveMobile(record: MobileIdentification): void {
    const folder = this.folder('mobile', record.callbackId);
    this.writeRecord(folder, {
      ...record,
      eidCertificatePdf: record.eidCertificatePdf && this.writeDocument(folder, 'eid-certificate.pdf', record.eidCertificatePdf),
    });
  }

  saveWeb(record: WebIdentification): void {
    const folder = this.folder('web', record.webSessionId);
    this.writeRecord(folder, {
      ...record,
      eidCertificatePdf: record.eidCertificatePdf && this.writeDocument(folder, 'eid-certificate.pdf', record.eidCertificatePdf),
    });
  }

  saveSigning(record: Signing): void {
    const folder = this.folder('signings', String(record.resultId));
    this.writeRecord(folder, {
      ...record,
      documents: record.documents.map((document, index) => ({
        ...document,
        content: this.writeDocument(folder, `document-${index}.pdf`, document.content),
      })),
      signedDocuments: record.signedDocuments?.map((document, index) => ({
        ...document,
        content: this.writeDocument(folder, `signed-${index}.pdf`, document.content),
      })),
    });
  }

  saveSequences(sequences: IdSequences): void {
    writeAtomically(join(this.dir, SEQUENCES_FILE), JSON.stringify(sequences));
  }

  removeMobile(record: MobileIdentification): void {
    this.remove(this.folder('mobile', record.callbackId));
  }

  removeWeb(record: WebIdentification): void {
    this.remove(this.folder('web', record.webSessionId));
  }

  removeSigning(record: Signing): void {
    this.remove(this.folder('signings', String(record.resultId)));
  }

  private folder(kind: Kind, id: string): string {
    // Ids are the sandbox's own UUIDs and numbers; refuse anything else before it becomes a path.
    if (!/^[0-9A-Za-z-]{1,64}$/.test(id)) throw new Error(`not a record id: ${JSON.stringify(id)}`);
    return join(this.dir, kind, id);
  }

  private writeRecord(folder: string, record: object): void {
    mkdirSync(folder, { recursive: true });
    writeAtomically(join(folder, RECORD_FILE), JSON.stringify({ format: FORMAT, record }));
  }

  /** Returns the file's name, which the record keeps in place of the bytes. */
  private writeDocument(folder: string, name: string, content: Buffer): string {
    const path = join(folder, name);
    if (!this.documentsWritten.has(path)) {
      mkdirSync(folder, { recursive: true });
      writeAtomically(path, content);
      this.documentsWritten.add(path);
    }
    return name;
  }

  private readDocument(folder: string, name: unknown): Buffer {
    if (typeof name !== 'string' || !/^[a-z0-9-]+\.pdf$/.test(name)) throw new Error('a document reference is not a file name');
    const path = join(folder, name);
    this.documentsWritten.add(path);
    return readFileSync(path);
  }

  private remove(folder: string): void {
    rmSync(folder, { recursive: true, force: true });
    for (const path of this.documentsWritten) if (path.startsWith(folder)) this.documentsWritten.delete(path);
  }

  /**
   * A record that cannot be read is left out (and logged): the sandbox then
   * answers for it as for an unknown id, as B-Trust would for one it lost.
   */
  private loadKind<T extends object>(kind: Kind, attachDocuments: (record: T, folder: string) => void): T[] {
    const records: T[] = [];
    for (const id of readdirSync(join(this.dir, kind))) {
      const folder = join(this.dir, kind, id);
      try {
        const stored = this.readJson<{ format: number; record: T }>(join(folder, RECORD_FILE));
        if (!stored || stored.format !== FORMAT) throw new Error('no record of a known format');
        attachDocuments(stored.record, folder);
        records.push(stored.record);
      } catch (error) {
        this.logger.warn({ kind, id, error: (error as Error).message }, 'sandbox record not loaded');
      }
    }
    return records;
  }

  private readJson<T>(path: string): T | null {
    if (!existsSync(path)) return null;
    return JSON.parse(readFileSync(path, 'utf8'), (key, value) =>
      DATE_FIELDS.has(key) && typeof value === 'string' ? new Date(value) : value,
    ) as T;
  }
}

function writeAtomically(path: string, content: string | Buffer): void {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}
