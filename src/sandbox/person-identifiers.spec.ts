import { identificatorFor, isValidEgn, isValidLnc, maskIdentifier, semanticsIdentifierFor } from './person-identifiers';

describe('person identifiers', () => {
  it.each([
    ['7805166742', true],
    ['7805166743', false],
    ['7813166740', false],
    ['780516674', false],
  ])('isValidEgn(%s) is %s', (egn, valid) => {
    expect(isValidEgn(egn)).toBe(valid);
  });

  it('accepts an EGN of someone born in the 2000s (month + 40)', () => {
    const base = '0541010000'.slice(0, 9);
    const weights = [2, 4, 8, 5, 10, 9, 7, 3, 6];
    const remainder = weights.reduce((sum, weight, index) => sum + weight * Number(base[index]), 0) % 11;
    expect(isValidEgn(`${base}${remainder === 10 ? 0 : remainder}`)).toBe(true);
  });

  it('checks the LNC check digit', () => {
    const base = '100000000';
    const weights = [21, 19, 17, 13, 11, 9, 7, 3, 1];
    const check = weights.reduce((sum, weight, index) => sum + weight * Number(base[index]), 0) % 10;
    expect(isValidLnc(`${base}${check}`)).toBe(true);
    expect(isValidLnc(`${base}${(check + 1) % 10}`)).toBe(false);
  });

  it('gives one person the same identificator per relying party and a different one elsewhere', () => {
    const here = identificatorFor('24102167', 'EGN', '7805166742');
    expect(here).toMatch(/^[0-9a-f]{64}$/);
    expect(identificatorFor('24102167', 'EGN', '7805166742')).toBe(here);
    expect(identificatorFor('11111111', 'EGN', '7805166742')).not.toBe(here);
  });

  it('masks identifiers so logs and pages never show them whole', () => {
    expect(maskIdentifier('EGN', '7805166742')).toBe('78******42');
    expect(maskIdentifier('EMAIL', 'person@example.com')).toBe('p***@example.com');
  });

  it('writes the ETSI semantics identifier of an EGN', () => {
    expect(semanticsIdentifierFor('EGN', '7805166742')).toBe('PNOBG-7805166742');
  });
});
