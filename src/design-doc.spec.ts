import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { getMetadataArgsStorage } from 'typeorm';
import { EncryptedColumn } from './common/crypto/encrypted-column';
import { StateMachine } from './common/state-machine/state-machine';
import { ENTITIES } from './database/entities';
import { mobileIdentificationMachine } from './identification/mobile/mobile-identification.state';
import { webIdentificationMachine } from './identification/web/web-identification.state';
import { signingMachine } from './signing/signing.state';

/**
 * docs/design.md is checked against the code, so that the page a newcomer
 * reads first cannot drift from what the server does.
 */
const ROOT = resolve(__dirname, '..');
const DESIGN = readFileSync(join(ROOT, 'docs/design.md'), 'utf8');

/** The text between `<!-- name -->` and the next `<!-- /… -->` marker. */
function block(name: string): string {
  const start = DESIGN.indexOf(`<!-- ${name} -->`);
  if (start < 0) throw new Error(`docs/design.md has no <!-- ${name} --> block`);
  const from = start + `<!-- ${name} -->`.length;
  return DESIGN.slice(from, DESIGN.indexOf('<!-- /', from)).trim();
}

function tableRows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .slice(2)
    .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
}

function machineTable(machine: StateMachine<string>): string {
  const kind = (state: string) => (machine.isFinal(state) ? 'final' : machine.isSettled(state) ? 'resting' : 'open');
  const rows = machine.states.map((state) => {
    const next = machine.states.filter((to) => machine.canMove(state, to));
    return `| ${state} | ${kind(state)} | ${next.length > 0 ? next.join(', ') : '—'} |`;
  });
  return ['| state | kind | may move to |', '|---|---|---|', ...rows].join('\n');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === '__fixtures__' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** `src/signing/x.ts` → `signing`; `src/common/crypto/x.ts` → `common/crypto`; files directly in src/ have no room. */
function roomOf(path: string): string | undefined {
  const parts = relative(join(ROOT, 'src'), path).split('/');
  if (parts.length < 2) return undefined;
  return parts[0] === 'common' && parts.length > 2 ? `common/${parts[1]}` : parts[0];
}

/** A rule for `common` holds for every `common/…` room that has no rule of its own. */
function ruleFor<T>(rules: Map<string, T>, room: string): T | undefined {
  return rules.get(room) ?? rules.get(room.split('/')[0]);
}

describe('docs/design.md', () => {
  it.each([mobileIdentificationMachine, webIdentificationMachine, signingMachine])('shows the $entity machine as it is written', (machine) => {
    expect(block(`machine:${machine.entity}`)).toBe(machineTable(machine));
  });

  it('lists the fields encrypted at rest, as the entities declare them', () => {
    const storage = getMetadataArgsStorage();
    // The entities' own columns and those of the column groups they embed.
    const owners = new Set<unknown>(ENTITIES);
    for (const embedded of storage.embeddeds) if (owners.has(embedded.target)) owners.add(embedded.type());
    const declared = storage.columns
      .filter((column) => owners.has(column.target))
      .flatMap((column) => [column.options.transformer ?? []].flat())
      .filter((transformer): transformer is EncryptedColumn<unknown> => transformer instanceof EncryptedColumn)
      .map((transformer) => transformer.field);
    const listed = block('encrypted-fields')
      .split('\n')
      .map((line) => line.replace(/^- `(.*)`$/, '$1'));
    expect(listed).toEqual([...new Set(declared)].sort());
  });

  it('names only files, functions and classes that exist', () => {
    const references = [...DESIGN.matchAll(/`(src\/[\w./-]+)(?::([\w.]+))?`/g)];
    expect(references.length).toBeGreaterThan(20);
    const missing = references.flatMap(([, path, name]) => {
      const file = join(ROOT, path);
      if (!existsSync(file)) return [path];
      if (!name) return [];
      const text = readFileSync(file, 'utf8');
      return name.split('.').every((part) => new RegExp(`\\b${part}\\b`).test(text)) ? [] : [`${path}:${name}`];
    });
    expect(missing).toEqual([]);
  });

  it('names only settings the configuration reads', () => {
    const configuration = readFileSync(join(ROOT, 'src/config/app-config.ts'), 'utf8');
    const settings = [...DESIGN.matchAll(/`([A-Z][A-Z0-9_]*_(?:MS|DAYS|PER_SECOND))`/g)].map(([, name]) => name);
    expect(settings.length).toBeGreaterThan(5);
    expect(settings.filter((name) => !configuration.includes(`'${name}'`))).toEqual([]);
  });

  it('holds no room to an import the page forbids', () => {
    const forbidden = new Map(tableRows(block('rooms:never-import')).map(([room, rooms]) => [room, new Set(rooms.split(', '))]));
    expect(forbidden.size).toBeGreaterThan(5);
    const broken: string[] = [];
    for (const file of sourceFiles(join(ROOT, 'src'))) {
      const room = roomOf(file);
      const never = room && ruleFor(forbidden, room);
      if (!never) continue;
      const source = readFileSync(file, 'utf8');
      for (const [, specifier] of source.matchAll(/(?:from|import\()\s*'(\.[^']*)'/g)) {
        const target = roomOf(resolve(dirname(file), specifier));
        if (target && target !== room && (never.has(target) || never.has(target.split('/')[0]))) broken.push(`${relative(ROOT, file)} imports ${specifier}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
