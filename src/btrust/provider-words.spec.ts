import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import * as ts from 'typescript';

/**
 * Provider words stay in src/btrust (and the sandbox, which plays the provider).
 *
 * A provider word is a value of one of the enumerations the document defines, as typed in
 * btrust.types.ts (the types named below), plus the codes the provider answers with. The list is
 * read from that file, so a value added there is guarded here at once.
 *
 * The rule, checked over every .ts file in src/ outside src/btrust/ and src/sandbox/
 * (feature specs included; test/ is not scanned, since its specs arrange the provider's answers):
 * 1. No string literal is a provider word, and no string or template text contains one that has
 *    an underscore (no English word does; a one-word value such as ALLOWED or START counts only as
 *    the whole literal, so that prose and SQL are not flagged), unless the word is also one of
 *    OUR names by design (OUR_OWN_NAMES below).
 * 2. Even one of our own names is never compared with, nor written into, a field that mirrors
 *    what the provider said (MIRROR_FIELDS): that would be reading the provider's value by name.
 *    Features get classified results from the client instead (a webhook's concern, a review's
 *    kind, a mobile identification's progress) and store the provider's values only as given.
 * Comments are not scanned: a comment may explain which provider answer a rule reads.
 */

const SRC = join(__dirname, '..');
const BTRUST_TYPES = join(__dirname, 'btrust.types.ts');

/** The document's enumerations of states, steps, review states and process states. */
const PROVIDER_ENUMERATIONS = [
  'MobileIdentificationProviderStatus',
  'WebProcessState',
  'RegistrationState',
  'RegistrationReviewStatus',
  'WebIdentificationState',
  'WebIdentificationStep',
  'BtrustAnswerCode',
];

/**
 * Names that are ours by design and happen to equal a provider word. Our state names are part of
 * our API; they may equal the provider's, but the mapping from the provider's value to ours lives
 * in src/btrust (rule 2 keeps it there).
 */
const OUR_OWN_NAMES: Readonly<Record<string, string>> = {
  STARTED: 'web identification state',
  COMPLETED: 'mobile identification state',
  REJECTED: 'state of every flow, and its failure code',
  EXPIRED: 'state of every flow, its failure code, and a classified review kind',
  ON_BOARDING: 'mobile identification state, mirroring the provider on purpose (the person installs the app)',
  IN_PROGRESS: 'mobile identification state, mirroring the provider on purpose (the person is being identified)',
  DENIED: 'web identification state (an agent denied it)',
  NOT_FOUND: 'problem code of our API, and a BtrustErrorCode (the client\'s classification of a failure)',
  BAD_REQUEST: 'problem code of our API, and a BtrustErrorCode',
  UNAUTHORIZED: 'a BtrustErrorCode',
  // Ordinary words the provider also uses:
  ERROR: 'a log level, and a PostgreSQL severity',
  START: 'an SQL keyword',
};

/** Fields (of our entities and of the client's results) that hold a value as the provider sent it. */
const MIRROR_FIELDS = new Set(['providerStatus', 'providerStep', 'providerCode', 'processState', 'registrationStatus', 'reviewStatus', 'step']);

function providerWords(typesSource: string): Set<string> {
  const file = ts.createSourceFile('btrust.types.ts', typesSource, ts.ScriptTarget.Latest, true);
  const words = new Set<string>();
  const found = new Set<string>();
  const collect = (node: ts.Node): void => {
    if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal)) words.add(node.literal.text);
    ts.forEachChild(node, collect);
  };
  file.forEachChild((statement) => {
    if (ts.isTypeAliasDeclaration(statement) && PROVIDER_ENUMERATIONS.includes(statement.name.text)) {
      found.add(statement.name.text);
      collect(statement.type);
    }
  });
  const missing = PROVIDER_ENUMERATIONS.filter((name) => !found.has(name));
  if (missing.length > 0) throw new Error(`btrust.types.ts no longer declares ${missing.join(', ')}`);
  return words;
}

interface Leak {
  file: string;
  line: number;
  word: string;
  why: string;
}

function mirrorField(node: ts.Node): string | null {
  let expression = node;
  while (ts.isParenthesizedExpression(expression) || ts.isNonNullExpression(expression) || ts.isAsExpression(expression)) {
    expression = expression.expression;
  }
  if (ts.isPropertyAccessExpression(expression) && MIRROR_FIELDS.has(expression.name.text)) return expression.name.text;
  if (ts.isIdentifier(expression) && MIRROR_FIELDS.has(expression.text)) return expression.text;
  return null;
}

const COMPARISONS = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
]);

/** Where a literal meets a mirrored provider value: `x.providerCode === 'A'`, `case 'A':` under `switch (x.step)`, `{ reviewStatus: 'A' }`, `x.step = 'A'`. */
function mirrorTouchedBy(literal: ts.Node): string | null {
  const parent = literal.parent;
  if (ts.isBinaryExpression(parent)) {
    const other = parent.left === literal ? parent.right : parent.left;
    if (COMPARISONS.has(parent.operatorToken.kind) || parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) return mirrorField(other);
  }
  if (ts.isCaseClause(parent) && ts.isSwitchStatement(parent.parent.parent)) return mirrorField(parent.parent.parent.expression);
  if (ts.isPropertyAssignment(parent) && parent.initializer === literal) {
    const name = parent.name;
    if ((ts.isIdentifier(name) || ts.isStringLiteral(name)) && MIRROR_FIELDS.has(name.text)) return name.text;
  }
  return null;
}

function findLeaks(fileName: string, source: string, words: ReadonlySet<string>): Leak[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const leaks: Leak[] = [];
  const report = (node: ts.Node, word: string, why: string): void => {
    leaks.push({ file: fileName, line: file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1, word, why });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      const field = ts.isStringLiteralLike(node) ? mirrorTouchedBy(node) : null;
      for (const token of new Set(node.text.match(/[A-Z][A-Z0-9_]*/g) ?? [])) {
        if (!words.has(token) || !(token.includes('_') || token === node.text)) continue;
        if (field !== null) report(node, token, `compared with or written into ${field}, a provider value`);
        else if (!(token in OUR_OWN_NAMES)) report(node, token, 'provider word outside src/btrust');
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return leaks;
}

function featureSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return ['btrust', 'sandbox'].includes(relative(SRC, path)) ? [] : featureSources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('provider words stay in src/btrust', () => {
  const words = providerWords(readFileSync(BTRUST_TYPES, 'utf8'));

  it('reads the provider words from the enumerations in btrust.types.ts', () => {
    for (const word of ['CREATE_SIGN_SESSION_REQUEST', 'SIGN_SESSION', 'PROCESS_IS_CANCELED_BY_USER', 'ON_BOARDING', 'IN_PROGRESS', 'FINISHED', 'FINALIZE_REJECT', 'ALLOW_DENY', 'REJECTED', 'NOT_FOUND', 'BAD_REQUEST', 'WEB_IDV_REGISTRATION_FAILED']) {
      expect(words).toContain(word);
    }
    // Every name we keep as our own really is a provider word; otherwise it does not belong in the list.
    for (const name of Object.keys(OUR_OWN_NAMES)) expect(words).toContain(name);
  });

  it('flags provider words, and our own names only where they meet a provider value', () => {
    const source = [
      `const a = 'CREATE_SIGN_SESSION_REQUEST';`,
      `const b = { description: 'N_A or ALLOW_DENY' };`,
      `if (webhook.providerCode === 'REJECTED') {}`,
      `switch (report.step) { case 'STARTED': break; }`,
      `const c = { registrationStatus: 'STARTED' };`,
      `const d = { status: 'REJECTED', code: 'REJECTED' };`,
      `if (identification.status === 'IN_PROGRESS') {}`,
      `// a comment may name SIGN_SESSION`,
      `const e = ['FINALIZED', 'START TRANSACTION'];`,
    ].join('\n');
    expect(findLeaks('example.ts', source, words).map(({ line, word }) => `${line}:${word}`)).toEqual([
      '1:CREATE_SIGN_SESSION_REQUEST',
      '2:N_A',
      '2:ALLOW_DENY',
      '3:REJECTED',
      '4:STARTED',
      '5:STARTED',
      '9:FINALIZED',
    ]);
  });

  it('finds none in the features', () => {
    const leaks = featureSources(SRC).flatMap((path) => findLeaks(relative(SRC, path).split(sep).join('/'), readFileSync(path, 'utf8'), words));
    expect(leaks.map(({ file, line, word, why }) => `src/${file}:${line} ${word}: ${why}`)).toEqual([]);
  });
});
