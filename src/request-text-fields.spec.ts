import { getMetadataStorage } from 'class-validator';
import { MobileIdentificationListQuery, SigningListQuery, WebIdentificationListQuery } from './admin/dto/admin-list-query.dto';
import { NO_CONTROL_CHARACTERS } from './common/validation/decorators';
import { CreateMobileIdentificationDto } from './identification/mobile/dto/create-mobile-identification.dto';
import { CreateWebIdentificationDto } from './identification/web/dto/create-web-identification.dto';
import { CreateSigningDto, JsonDocumentDto, MultipartDocumentDto, SigningMetadataDto, VisibleSignatureDto } from './signing/dto/create-signing.dto';

/** Every class the API validates a request (body or query) with. */
const REQUEST_DTOS = [
  CreateMobileIdentificationDto,
  CreateWebIdentificationDto,
  CreateSigningDto,
  SigningMetadataDto,
  JsonDocumentDto,
  MultipartDocumentDto,
  VisibleSignatureDto,
  MobileIdentificationListQuery,
  WebIdentificationListQuery,
  SigningListQuery,
];

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
  it.each(REQUEST_DTOS.map((dto) => [dto.name, dto]))('%s refuses control characters in every text field', (_name, dto) => {
    const textFields = [...rulesByProperty(dto)].filter(([, rules]) => [...rules].some((rule) => TEXT_RULES.has(rule)));
    for (const [field, rules] of textFields) {
      expect({ field, refusesControlCharacters: rules.has(NO_CONTROL_CHARACTERS) }).toEqual({ field, refusesControlCharacters: true });
    }
  });

  it('finds the text fields it checks', () => {
    expect([...rulesByProperty(CreateMobileIdentificationDto).keys()]).toEqual(
      expect.arrayContaining(['identifier', 'dateOfBirth', 'phoneNumber', 'email', 'reason']),
    );
    expect([...rulesByProperty(JsonDocumentDto)].filter(([, rules]) => rules.has(NO_CONTROL_CHARACTERS)).map(([field]) => field).sort()).toEqual([
      'contentBase64',
      'fileName',
      'title',
    ]);
  });
});
