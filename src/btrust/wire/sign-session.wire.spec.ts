import type { SignSessionRequest } from '../btrust.types';
import { toSignSessionStartRequestBody, toSignSessionStarted, toSignedDocuments } from './sign-session.wire';
import { answer, expectUnprocessable, fixture, PDF, PDF_BASE64, withValue } from '../../../test/support/btrust-wire-answers';

describe('B-Trust wire answers', () => {
  describe(toSignSessionStarted.name, () => {
    it('reads signsession-start.200.json', () => {
      expect(toSignSessionStarted(answer('startSignSession', fixture('signsession-start.200.json')))).toEqual({
        clientDocumentUrl:
          'https://mytest.borica.bg/cqes/api/web-identification/a405b47c88979b6c7e91e96e2a26a89bcdadd3ebc08520247e7fffb5392afd2a',
        expiresAt: new Date('2021-09-10T20:59:59.000Z'),
        resultId: '109',
      });
    });

    it('refuses an answer without a clientDocumentUrl', () => {
      const body = withValue(fixture('signsession-start.200.json'), ['data', 'clientDocumentUrl'], undefined);
      expectUnprocessable(() => toSignSessionStarted(answer('startSignSession', body)), 'clientDocumentUrl');
    });

    it('refuses a clientDocumentUrl that is not an http(s) URL', () => {
      const body = withValue(fixture('signsession-start.200.json'), ['data', 'clientDocumentUrl'], 'javascript:alert(1)');
      expectUnprocessable(() => toSignSessionStarted(answer('startSignSession', body)), 'clientDocumentUrl');
    });
  });

  describe(toSignedDocuments.name, () => {
    it('refuses web-result.sign-session.200.json as-is, because its document is truncated base64', () => {
      const body = fixture('web-result.sign-session.200.json');
      expectUnprocessable(() => toSignedDocuments(answer('getSignedDocuments', body)), 'contentAsBase64');
    });

    it('reads web-result.sign-session.200.json with real base64', () => {
      const body = withValue(fixture('web-result.sign-session.200.json'), ['data', 'signDocuments', '0', 'contentAsBase64'], PDF_BASE64);
      expect(toSignedDocuments(answer('getSignedDocuments', body))).toEqual({
        documents: [{ fileName: 'test.pdf', content: PDF }],
        clientIdentificator: 'bf821d16f6e0dd070a6a0035e524285c78ab59d7c8d03622f43088ba1e5ea30c',
        signSessionId: '491d8265-c299-41b7-b8bc-9daafdce077c',
        signSessionExpiresAt: new Date('2021-09-10T20:59:59.000Z'),
      });
    });

    it('refuses an answer without signed documents', () => {
      const body = withValue(fixture('web-result.sign-session.200.json'), ['data', 'signDocuments'], []);
      expectUnprocessable(() => toSignedDocuments(answer('getSignedDocuments', body)), 'signDocuments');
    });
  });
});

describe('B-Trust wire requests', () => {
  describe(toSignSessionStartRequestBody.name, () => {
    const bodyText = (body: ReturnType<typeof toSignSessionStartRequestBody>) => Buffer.concat([...body.pieces()]).toString('utf8');
    const wireOf = (input: SignSessionRequest) => JSON.parse(bodyText(toSignSessionStartRequestBody(input))) as Record<string, unknown>;

    const request: SignSessionRequest = {
      identificator: 'bf821d16f6e0dd070a6a0035e524285c78ab59d7c8d03622f43088ba1e5ea30c',
      signSessionId: '43c1cd77-a2bc-42c7-9c6d-96e3dc2ebd71',
      documents: [
        {
          content: PDF,
          fileName: 'test.pdf',
          title: 'TEST DOCUMENT',
          visibleSignature: { page: 1, x: 100, y: 100, width: 100, height: 100 },
          archive: false,
        },
      ],
      emailSignedDocuments: true,
      cancelUrl: 'https://google.com',
      successUrl: 'https://borica.bg',
    };

    it('produces signsession-start.request.json (with our document as base64)', () => {
      const expected = withValue(fixture('signsession-start.request.json'), ['documentsForSign', '0', 'contentAsBase64'], PDF_BASE64);
      expect(wireOf(request)).toEqual(expected);
    });

    it('spells the archive flag as configured: the document\'s toBeArhieved on request', () => {
      const json = bodyText(toSignSessionStartRequestBody(request, { localTimeZone: 'Europe/Sofia', archiveFlagName: 'toBeArhieved' }));
      expect(json).toContain('"toBeArhieved":false');
      expect(json).not.toContain('toBeArchived');
    });

    it('spells the archive flag toBeArchived by default, and the position fields as the provider does', () => {
      const json = bodyText(toSignSessionStartRequestBody(request));
      expect(json).toContain('"toBeArchived":false');
      expect(json).not.toContain('toBeArhieved');
      expect(json).toContain(
        '"signaturePosition":{"imageHeight":100,"imageWidth":100,"imageXAxis":100,"imageYAxis":100,"pageNumber":1}',
      );
    });

    it('sends an invisible signature without a position, and no archive flag unless asked', () => {
      const wire = wireOf({
        ...request,
        documents: [{ content: PDF, fileName: 'a.pdf', title: 'A' }],
      }) as { documentsForSign: unknown[] };
      expect(wire.documentsForSign[0]).toEqual({
        contentAsBase64: PDF_BASE64,
        fileName: 'a.pdf',
        legalFileName: 'A',
        padesVisualSignature: false,
      });
    });

    it.each([
      ['page 0', { page: 0, x: 1, y: 1, width: 10, height: 10 }],
      ['a fractional width', { page: 1, x: 1, y: 1, width: 10.5, height: 10 }],
      ['a negative x', { page: 1, x: -1, y: 1, width: 10, height: 10 }],
    ])('refuses a visible signature with %s', (_label, visibleSignature) => {
      const run = () =>
        toSignSessionStartRequestBody({
          ...request,
          documents: [{ content: PDF, fileName: 'a.pdf', title: 'A', visibleSignature }],
        });
      expect(run).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    });

    it('is the JSON of the wire object, byte for byte, and says its length', () => {
      const large = Buffer.concat([PDF, Buffer.alloc(200_001, 7)]);
      const input: SignSessionRequest = {
        ...request,
        documents: [
          { content: large, fileName: 'договор.pdf', title: 'Договор "4711"' },
          { content: PDF, fileName: 'b.pdf', title: 'B' },
        ],
      };
      const body = toSignSessionStartRequestBody(input);
      const text = bodyText(body);
      expect(Buffer.byteLength(text)).toBe(body.length);
      expect(text).toBe(
        JSON.stringify({
          identificator: request.identificator,
          signSessionId: request.signSessionId,
          documentsForSign: [
            { contentAsBase64: large.toString('base64'), fileName: 'договор.pdf', legalFileName: 'Договор "4711"', padesVisualSignature: false },
            { contentAsBase64: PDF_BASE64, fileName: 'b.pdf', legalFileName: 'B', padesVisualSignature: false },
          ],
          sendSignedDocumentsByEmail: true,
          cancelUrl: request.cancelUrl,
          successUrl: request.successUrl,
        }),
      );
    });

    it('refuses a request without documents', () => {
      expect(() => toSignSessionStartRequestBody({ ...request, documents: [] })).toThrow(
        expect.objectContaining({ code: 'BAD_REQUEST' }),
      );
    });
  });
});
