import { plainToInstance, Type } from 'class-transformer';
import { IsString, MaxLength, MinLength, validate, ValidateNested } from 'class-validator';
import { flattenValidationErrors } from './validation-pipe';

class Item {
  @IsString()
  @MinLength(1)
  @MaxLength(5)
  name: string;
}

class Order {
  @IsString()
  @MinLength(1)
  @MaxLength(5)
  reason: string;

  @ValidateNested({ each: true })
  @Type(() => Item)
  items: Item[];
}

const problemsOf = async (body: object) =>
  flattenValidationErrors(await validate(plainToInstance(Order, body), { whitelist: true, forbidNonWhitelisted: true }));

describe(flattenValidationErrors.name, () => {
  it('says "is required" for a missing or null field, instead of every rule it breaks', async () => {
    expect(await problemsOf({ items: [{}, { name: null }] })).toEqual([
      { field: 'reason', codes: ['isDefined'], messages: ['reason is required'] },
      { field: 'items.0.name', codes: ['isDefined'], messages: ['items.0.name is required'] },
      { field: 'items.1.name', codes: ['isDefined'], messages: ['items.1.name is required'] },
    ]);
  });

  it('lists every rule a present field breaks, by dotted path', async () => {
    expect(await problemsOf({ reason: 7, items: [{ name: 'far too long' }] })).toEqual([
      { field: 'reason', codes: expect.arrayContaining(['isString', 'maxLength', 'minLength']), messages: expect.any(Array) },
      { field: 'items.0.name', codes: ['maxLength'], messages: ['name must be shorter than or equal to 5 characters'] },
    ]);
  });

  it('names a field the request may not carry, whatever its value', async () => {
    expect(await problemsOf({ reason: 'ok', items: [], extra: null })).toEqual([
      { field: 'extra', codes: ['whitelistValidation'], messages: ['extra is not an accepted field'] },
    ]);
  });
});
