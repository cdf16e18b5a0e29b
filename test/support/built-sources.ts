import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { transpileSources } from '../../bench/harness/build';
import { BUILD_DIR, ROOT } from '../../bench/harness/processes';

/**
 * The sources transpiled once per run, for the tests that start the server,
 * the sandbox or its command line in a child process. Each such process
 * would otherwise load the TypeScript compiler and transpile some 300 files
 * on start, which on a busy two-core machine takes seconds to most of a
 * minute per process. The benchmark harness's build (same compiler options
 * as the transpile-on-load hook, so the processes run the same code), kept
 * up to date on every call: only what changed since is transpiled again, so
 * it never lags behind the sources. Safe to call from parallel test files:
 * each file is renamed into place.
 */
export function builtSources(): string {
  transpileSources(ROOT, BUILD_DIR);
  // What the build copies next to the compiled server besides the code (nest-cli.json's assets): the demo's pages.
  copyNewer(join(ROOT, 'src/demo/public'), join(BUILD_DIR, 'src/demo/public'));
  return BUILD_DIR;
}

/** The built counterpart of `entry`, a source path such as 'src/main.ts', for `node <it>`. */
export function builtEntry(entry: string): string {
  return join(builtSources(), entry.replace(/\.ts$/, '.js'));
}

/** Copies the files of `from` that `to` lacks or holds an older copy of, each renamed into place. */
function copyNewer(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) copyNewer(source, target);
    else if (!existsSync(target) || statSync(target).mtimeMs < statSync(source).mtimeMs) {
      const partial = `${target}.${process.pid}.partial`;
      copyFileSync(source, partial);
      renameSync(partial, target);
    }
  }
}
