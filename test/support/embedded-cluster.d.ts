export interface EmbeddedClusterOptions {
  /** Kept, and reused when it already holds a cluster; unset: a fresh temp dir, deleted on stop. */
  dataDir?: string;
  /** The prefix of that temp dir's name. */
  tempPrefix?: string;
  /** Unset: a free port. */
  port?: number;
  /** 300 unless given. */
  maxConnections?: number;
  /** Keep PostgreSQL's fsync (benchmark figures); off by default. */
  durable?: boolean;
}

export interface EmbeddedCluster {
  port: number;
  dataDir: string;
  /** The `postgres` database, from which each test file or bench group makes one of its own. */
  adminUrl: string;
  postmasterPid(): Promise<number>;
  stop(): Promise<void>;
}

export function startEmbeddedCluster(options?: EmbeddedClusterOptions): Promise<EmbeddedCluster>;
export function reachableTempDir(prefix: string): Promise<string>;
