import { DEFAULT_READINGS, READING_KEYS, ReadingsBoard, ReadingsError, parseReadings, parseReadingsText } from './sandbox-readings';

describe('sandbox readings', () => {
  it('defaults every reading to its first value, the behaviour before readings existed', () => {
    expect(DEFAULT_READINGS).toEqual({
      rejectedStatus: 400,
      notYetAnswer: '404-not-found',
      review: 'automatic',
      signedFileNames: 'same',
      webhookRelyingPartyId: 'same',
      identificationWebhookSessionId: 'web-session',
      signingWebhookSessionId: 'used-sign-session',
      dates: 'offset',
      eidCertificate: 'always',
      archiveFlag: 'any',
    });
    expect(READING_KEYS).toHaveLength(10);
  });

  describe(parseReadings.name, () => {
    it('accepts every known value, numbers also as strings', () => {
      expect(parseReadings({ rejectedStatus: '500', review: 'manual' })).toEqual({ rejectedStatus: 500, review: 'manual' });
      expect(parseReadings({ rejectedStatus: 401 })).toEqual({ rejectedStatus: 401 });
      expect(parseReadings({})).toEqual({});
    });

    it.each([
      [{ colour: 'blue' }, 'unknown reading "colour" (known: rejectedStatus, notYetAnswer'],
      [{ rejectedStatus: 418 }, 'reading rejectedStatus must be one of 400, 401, 403, 404, 500, got 418'],
      [{ dates: 'iso' }, 'reading dates must be one of offset, no-offset, compact, got "iso"'],
      [{ review: true }, 'reading review must be one of automatic, manual, got true'],
      [{ review: ['manual'] }, 'reading review must be one of automatic, manual'],
      [[], 'readings must be an object'],
      [null, 'readings must be an object'],
    ])('refuses %p, naming what is wrong', (input, message) => {
      expect(() => parseReadings(input)).toThrow(ReadingsError);
      expect(() => parseReadings(input)).toThrow(message);
    });
  });

  describe(parseReadingsText.name, () => {
    it('reads key=value pairs separated by commas, blanks ignored', () => {
      expect(parseReadingsText(' rejectedStatus=500 , dates=no-offset,')).toEqual({ rejectedStatus: 500, dates: 'no-offset' });
      expect(parseReadingsText('')).toEqual({});
    });

    it.each([
      ['review', '"review" is not name=value'],
      ['=manual', '"=manual" is not name=value'],
      ['review=manual,review=automatic', 'reading review is given twice'],
      ['review=sometimes', 'reading review must be one of automatic, manual'],
    ])('refuses %p', (text, message) => {
      expect(() => parseReadingsText(text)).toThrow(message);
    });
  });

  describe(ReadingsBoard.name, () => {
    it('starts from the start-up readings, merges changes and resets to the start-up readings', () => {
      const board = new ReadingsBoard({ dates: 'compact' });
      expect(board.get()).toEqual({ ...DEFAULT_READINGS, dates: 'compact' });
      board.merge({ rejectedStatus: 500 });
      expect(board.merge({ review: 'manual' })).toEqual({ ...DEFAULT_READINGS, dates: 'compact', rejectedStatus: 500, review: 'manual' });
      expect(board.reset()).toEqual({ ...DEFAULT_READINGS, dates: 'compact' });
    });

    it('hands out copies, so a record keeps what it took', () => {
      const board = new ReadingsBoard();
      const taken = board.get();
      board.merge({ rejectedStatus: 403 });
      expect(taken.rejectedStatus).toBe(400);
    });

    it('refuses bad start-up readings', () => {
      expect(() => new ReadingsBoard({ rejectedStatus: 302 as never })).toThrow('reading rejectedStatus must be one of');
    });
  });
});
