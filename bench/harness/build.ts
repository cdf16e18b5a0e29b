import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import * as ts from 'typescript';

/** The options of the transpile-only hook the kill -9 tests use, so the processes run the same code. */
const { compilerOptions: COMPILER_OPTIONS } = require('../../scripts/transpile-options.js') as { compilerOptions: ts.CompilerOptions };

const SOURCE_DIRS = ['src', 'migrations', 'bench', 'test/support'];

/**
 * Transpiles the sources once into `outDir` (inside the project, so that
 * node_modules resolves as from the sources). Every bench process then starts
 * from plain JavaScript instead of loading the TypeScript compiler and
 * transpiling some 300 files itself, which on a busy two-core machine is the
 * bulk of a process's start-up. No type checking: other work in progress in
 * the tree must not stop a benchmark.
 */
export function transpileSources(root: string, outDir: string): { transpiled: number; upToDate: number } {
  const counts = { transpiled: 0, upToDate: 0 };
  for (const dir of SOURCE_DIRS) {
    for (const file of typeScriptFiles(join(root, dir), outDir)) {
      const target = join(outDir, relative(root, file)).replace(/\.ts$/, '.js');
      // Kept between runs: only what changed since is transpiled again.
      if (existsSync(target) && statSync(target).mtimeMs >= statSync(file).mtimeMs) {
        counts.upToDate += 1;
        continue;
      }
      const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: COMPILER_OPTIONS, fileName: file });
      mkdirSync(dirname(target), { recursive: true });
      // Renamed into place, so that a run starting at the same moment never loads half a file.
      const partial = `${target}.${process.pid}.partial`;
      writeFileSync(partial, outputText);
      renameSync(partial, target);
      counts.transpiled += 1;
    }
  }
  // The server reads its version from the package.json next to its sources' root, as from dist/.
  copyFileSync(join(root, 'package.json'), join(outDir, 'package.json'));
  return counts;
}

function typeScriptFiles(dir: string, skip: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (path === skip || entry === 'node_modules' || entry === 'tmp') continue;
    if (statSync(path).isDirectory()) files.push(...typeScriptFiles(path, skip));
    else if (entry.endsWith('.ts') && !entry.endsWith('.d.ts') && !entry.endsWith('.spec.ts')) files.push(path);
  }
  return files;
}
