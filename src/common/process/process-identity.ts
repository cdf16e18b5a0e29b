import { readFileSync } from 'node:fs';

/** A process as a lock file names it: its pid, and when it started. */
export interface ProcessIdentity {
  pid: number;
  /**
   * When the process started (clock ticks since boot, from Linux's /proc), so that a later
   * process given the same pid is not taken for it; null where unknown.
   */
  startedAt: string | null;
}

export function currentProcessIdentity(): ProcessIdentity {
  return { pid: process.pid, startedAt: startTimeOf(process.pid) };
}

/**
 * Reads a lock file's owner: the JSON this module writes, or a bare pid (locks written before
 * start times were recorded). Null when the text names no process.
 */
export function parseProcessIdentity(text: string): ProcessIdentity | null {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed), startedAt: null };
  try {
    const parsed = JSON.parse(trimmed) as Partial<ProcessIdentity>;
    return Number.isInteger(parsed.pid) && parsed.pid! > 0 ? { pid: parsed.pid!, startedAt: parsed.startedAt ?? null } : null;
  } catch {
    return null;
  }
}

/**
 * True while the named process runs: its pid is alive and, where both start times are known,
 * it is the same process and not a later one that reused the pid. Unknown counts as running,
 * so that a live owner's lock is never taken.
 */
export function isRunningProcess(owner: ProcessIdentity): boolean {
  if (!isAlive(owner.pid)) return false;
  const startedAt = startTimeOf(owner.pid);
  return owner.startedAt === null || startedAt === null || startedAt === owner.startedAt;
}

/** A signal 0 probe: EPERM means the process exists but belongs to another user. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}
