import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataStorage } from 'class-validator';
import { NO_CONTROL_CHARACTERS } from './common/validation/decorators';

/**
 * Every class the API validates a request (body or query) with: each
 * exported class of a `*.dto.ts` file that carries validation rules. Found
 * rather than listed, so that a new request DTO cannot be left out.
 */
function requestDtos(): Array<[string, Function]> {
  const files = readdirSync(__dirname, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.dto.ts'));
  return files.flatMap((file) =>
    Object.values(require(join(__dirname, file)) as Record<string, unknown>)
      .filter((value): value is Function => typeof value === 'function' && rulesByProperty(value).size > 0)
      .map((dto): [string, Function] => [dto.name, dto]),
  );
}

/** Rules that take a string; `isIn` is left out: an enumerated value cannot hold anything unexpected. */
const TEXT_RULES = new Set(['isString', 'isIsoDate', 'isE164Phone', 'isEmailAddress', 'isSafeFileName', 'isISO8601', 'isUUID', 'isBase64', 'matches']);

function rulesByProperty(dto: Function): Map<string, Set<string>> {
  const rules = new Map<string, Set<string>>();
  for (const metadata of getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false)) {
    const names = rules.get(metadata.propertyName) ?? new Set<string>();
    names.add(metadata.name ?? metadata.type);
    rules.set(metadata.propertyName, names);
  }
  return rules;
}

describe('Request text fields', () => {
  const dtos = requestDtos();

  it.each(dtos)('%s refuses control characters in every text field', (_name, dto) => {
    const textFields = [...rulesByProperty(dto)].filter(([, rules]) => [...rules].some((rule) => TEXT_RULES.has(rule)));
    for (const [field, rules] of textFields) {
      expect({ field, refusesControlCharacters: rules.has(NO_CONTROL_CHARACTERS) }).toEqual({ field, refusesControlCharacters: true });
    }
  });

  it('finds the request classes and the text fields it checks', () => {
    expect(dtos.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        'CreateMobileIdentificationDto',
        'CreateWebIdentificationDto',
        'CreateSigningDto',
        'SigningMetadataDto',
        'JsonDocumentDto',
        'MultipartDocumentDto',
        'VisibleSignatureDto',
        'MobileIdentificationListQuery',
        'WebIdentificationListQuery',
        'SigningListQuery',
        'ResolveMobileIdentificationDto',
      ]),
    );
    const [, mobile] = dtos.find(([name]) => name === 'CreateMobileIdentificationDto')!;
    expect([...rulesByProperty(mobile).keys()]).toEqual(expect.arrayContaining(['identifier', 'dateOfBirth', 'phoneNumber', 'email', 'reason']));
    const [, jsonDocument] = dtos.find(([name]) => name === 'JsonDocumentDto')!;
    expect([...rulesByProperty(jsonDocument)].filter(([, rules]) => rules.has(NO_CONTROL_CHARACTERS)).map(([field]) => field).sort()).toEqual([
      'contentBase64',
      'fileName',
      'title',
    ]);
  });
});
