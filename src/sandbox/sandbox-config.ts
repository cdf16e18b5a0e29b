import { join } from 'node:path';
import { ReadingsError, parseReadingsText } from './sandbox-readings';
import { SandboxOptions } from './sandbox-server';

/** What the environment decides; the certificates, the data folder and the logger come from the runner. */
export type SandboxEnvOptions = Required<
  Pick<SandboxOptions, 'host' | 'apiPort' | 'pagesPort' | 'relyingPartyId' | 'callbackDelayMs' | 'mobileIdentificationValidityMs' | 'webSessionValidityMs' | 'readings'>
>;

export class SandboxConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`${variable} ${problem}`);
    this.name = 'SandboxConfigError';
  }
}

const DEFAULT_CERTS_DIR = '.data/certs';

/**
 * Reads the standalone sandbox's settings. Blank counts as unset; a bad
 * value throws an error that names the variable.
 */
export function sandboxOptionsFromEnv(env: NodeJS.ProcessEnv): SandboxEnvOptions {
  return {
    host: hostOf(env, 'SANDBOX_HOST', '127.0.0.1'),
    apiPort: integerOf(env, 'SANDBOX_API_PORT', 3443, { min: 0, max: 65535 }),
    pagesPort: integerOf(env, 'SANDBOX_PAGES_PORT', 3444, { min: 0, max: 65535 }),
    relyingPartyId: relyingPartyIdOf(env, 'SANDBOX_RELYING_PARTY_ID', '24102167'),
    callbackDelayMs: integerOf(env, 'SANDBOX_CALLBACK_DELAY_MS', 200, { min: 0, max: 600_000 }),
    mobileIdentificationValidityMs: integerOf(env, 'SANDBOX_MOBILE_VALIDITY_MS', 5 * 60_000, { min: 1_000, max: 86_400_000 }),
    webSessionValidityMs: integerOf(env, 'SANDBOX_WEB_SESSION_VALIDITY_MS', 60 * 60_000, { min: 1_000, max: 86_400_000 }),
    readings: readingsOf(env, 'SANDBOX_READINGS'),
  };
}

export function sandboxCertsDirFromEnv(env: NodeJS.ProcessEnv): string {
  return valueOf(env, 'SANDBOX_CERTS_DIR') ?? DEFAULT_CERTS_DIR;
}

/** The value of SANDBOX_DATA_DIR that keeps the sandbox's records in memory only. */
export const MEMORY_ONLY_DATA_DIR = 'memory';

/**
 * Where the sandbox keeps its records: SANDBOX_DATA_DIR, else `sandbox` in
 * the data folder (`$DATA_DIR`, `.data` when unset); undefined (memory
 * only) when SANDBOX_DATA_DIR is `memory`.
 */
export function sandboxDataDirFromEnv(env: NodeJS.ProcessEnv, dataDir = valueOf(env, 'DATA_DIR') ?? '.data'): string | undefined {
  const value = valueOf(env, 'SANDBOX_DATA_DIR');
  if (value === MEMORY_ONLY_DATA_DIR) return undefined;
  return value ?? join(dataDir, 'sandbox');
}

function readingsOf(env: NodeJS.ProcessEnv, name: string): SandboxEnvOptions['readings'] {
  try {
    return parseReadingsText(valueOf(env, name) ?? '');
  } catch (error) {
    if (error instanceof ReadingsError) throw new SandboxConfigError(name, `is not a list of readings: ${error.message}`);
    throw error;
  }
}

function valueOf(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function integerOf(env: NodeJS.ProcessEnv, name: string, fallback: number, range: { min: number; max: number }): number {
  const value = valueOf(env, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new SandboxConfigError(name, `must be a whole number, got "${value}"`);
  const parsed = Number(value);
  if (parsed < range.min || parsed > range.max) {
    throw new SandboxConfigError(name, `must be between ${range.min} and ${range.max}, got ${parsed}`);
  }
  return parsed;
}

function relyingPartyIdOf(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const value = valueOf(env, name) ?? fallback;
  // Callbacks carry the relying party id as a JSON number.
  if (!/^\d{1,15}$/.test(value)) throw new SandboxConfigError(name, `must be 1 to 15 digits, got "${value}"`);
  return value;
}

function hostOf(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const value = valueOf(env, name) ?? fallback;
  if (!/^[A-Za-z0-9.:-]+$/.test(value)) throw new SandboxConfigError(name, `is not a host name or address, got "${value}"`);
  return value;
}
