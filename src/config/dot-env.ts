import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { config as readDotEnv } from 'dotenv';

/** Reads `.env` from the working directory when present; real environment variables win. */
export function loadDotEnv(): void {
  const path = resolve('.env');
  if (existsSync(path)) readDotEnv({ path, override: false });
}
