import { readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { Worker, WorkerOptions } from 'node:worker_threads';

const SCRIPTS = join(__dirname, '..', '..', '..', 'scripts');
const TRANSPILE_ON_LOAD = join(SCRIPTS, 'transpile-on-load.js');
const TRANSPILE_OPTIONS = join(SCRIPTS, 'transpile-options.js');
const compiledFolders = new Map<string, Record<string, string>>();

/**
 * A worker running `file`, built (`.js`) or from TypeScript sources (the
 * tests, the server run without a build). For sources, a worker that loaded
 * the compiler itself would take seconds to start: the files of `file`'s
 * folder are compiled once, here, and handed to every worker, which loads
 * them as modules at their own paths (so their `require`s resolve as
 * usual). Anything else it needs from the sources is compiled on load, in
 * the worker.
 */
export function workerFor(file: string, options: WorkerOptions): Worker {
  if (extname(file) !== '.ts') return new Worker(file, options);
  const compiled = compiledFolder(dirname(file));
  const bootstrap = `
    const { workerData } = require('node:worker_threads');
    const compiled = workerData.compiledSources;
    let compileOnLoad;
    const fromFolder = (module, filename) => {
      if (compiled[filename] !== undefined) return module._compile(compiled[filename], filename);
      if (!compileOnLoad) {
        require(${JSON.stringify(TRANSPILE_ON_LOAD)});
        compileOnLoad = require.extensions['.ts'];
        require.extensions['.ts'] = fromFolder;
      }
      return compileOnLoad(module, filename);
    };
    require.extensions['.ts'] = fromFolder;
    require(${JSON.stringify(file)});`;
  return new Worker(bootstrap, { ...options, eval: true, workerData: { ...options.workerData, compiledSources: compiled } });
}

/**
 * Compiles, from sources, what workerFor(file) will hand its workers, now:
 * loading the compiler blocks the event loop for a moment, better at
 * start-up than during a request. Nothing to do when built.
 */
export function prepareWorkerScript(file: string): void {
  if (extname(file) === '.ts') compiledFolder(dirname(file));
}

function compiledFolder(folder: string): Record<string, string> {
  let compiled = compiledFolders.get(folder);
  if (!compiled) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts = require('typescript') as typeof import('typescript');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { compilerOptions } = require(TRANSPILE_OPTIONS) as { compilerOptions: import('typescript').CompilerOptions };
    compiled = {};
    for (const name of readdirSync(folder).filter((entry) => entry.endsWith('.ts') && !entry.endsWith('.spec.ts'))) {
      const path = join(folder, name);
      compiled[path] = ts.transpileModule(readFileSync(path, 'utf8'), { compilerOptions, fileName: path }).outputText;
    }
    compiledFolders.set(folder, compiled);
  }
  return compiled;
}
