import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROBLEM_FAMILIES, problemEntryOf } from './problem-catalogue';

const SOURCE_ROOT = join(__dirname, '..', '..');

/** The code enums declared anywhere in the server's source (the sandbox speaks the provider's codes, not ours). */
function declaredCodeEnums(): string[] {
  const files = (readdirSync(SOURCE_ROOT, { recursive: true }) as string[]).filter(
    (file) => file.endsWith('.ts') && !file.endsWith('.spec.ts') && !file.startsWith('sandbox'),
  );
  return files.flatMap((file) => [...readFileSync(join(SOURCE_ROOT, file), 'utf8').matchAll(/export enum (\w+ErrorCode)\b/g)].map(([, name]) => name));
}

const families = Object.entries(PROBLEM_FAMILIES).map(([name, family]) => ({
  name,
  members: Object.values(family.codes) as string[],
  entries: family.entries as Readonly<Record<string, { status: number; title: string }>>,
}));

describe('problem catalogue', () => {
  it.each(families)('maps every member of $name, and nothing else', ({ members, entries }) => {
    expect(Object.keys(entries).sort()).toEqual([...members].sort());
  });

  it.each(families)('gives each code of $name an error status and a title', ({ entries }) => {
    for (const [code, { status, title }] of Object.entries(entries)) {
      expect({ code, status: status >= 400 && status <= 599, title: title.trim().length > 0 }).toEqual({ code, status: true, title: true });
    }
  });

  it('lets no two families answer the same code differently', () => {
    const byCode = new Map<string, Array<{ family: string; status: number; title: string }>>();
    for (const { name, entries } of families) {
      for (const [code, entry] of Object.entries(entries)) byCode.set(code, [...(byCode.get(code) ?? []), { family: name, ...entry }]);
    }
    const disagreeing = [...byCode].filter(([, uses]) => new Set(uses.map(({ status, title }) => `${status} ${title}`)).size > 1);
    expect(disagreeing).toEqual([]);
  });

  it('answers each code with its own family\'s entry', () => {
    for (const { entries } of families) {
      for (const [code, entry] of Object.entries(entries)) expect({ code, entry: problemEntryOf(code) }).toEqual({ code, entry });
    }
  });

  it('has every error-code enum of the source as a family, so that none of its codes is answered as a 500', () => {
    expect(declaredCodeEnums().sort()).toEqual(Object.keys(PROBLEM_FAMILIES).sort());
  });

  it('knows no code it was not given', () => {
    expect(problemEntryOf('NO_SUCH_CODE')).toBeUndefined();
    expect(problemEntryOf('toString')).toBeUndefined();
  });
});
