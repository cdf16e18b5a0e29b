import { FastifyPluginAsync } from 'fastify';
import { ProviderRecords, Signing, UnknownRecordError } from '../provider-records';
import { SigningFlow, WrongSmsCodeError } from '../signing-flow';
import { utcWithOffset } from '../wire-format';
import { messagePage } from './html';
import { Form, htmlReply, redirect } from './page-replies';
import { SIGNING_PAGES_ROOT, signingPage, signingPagePath } from './signing-page';

interface SigningPageRoutesOptions {
  relyingPartyId: string;
  /** For the signer's name, which the signing's web identification holds. */
  records: ProviderRecords;
  signing: SigningFlow;
}

/** The signing site behind `clientDocumentUrl` (3.1): the person reads the documents and signs with the SMS code, or rejects. */
export const signingPageRoutes: FastifyPluginAsync<SigningPageRoutesOptions> = async (app, { relyingPartyId, records, signing }) => {
  const signPage = (record: Signing, error?: string): string =>
    signingPage({
      pageToken: record.pageToken,
      relyingPartyId,
      signerName: records.webBySessionId.get(record.webSessionId)?.person?.fullName ?? '',
      expiresAt: utcWithOffset(record.expireDate),
      smsCode: record.smsCode,
      documents: record.documents,
      error,
    });

  app.get<{ Params: { token: string } }>(`${SIGNING_PAGES_ROOT}/:token`, async (request, reply) => {
    const record = signing.byPageToken(request.params.token, new Date());
    if (record.state !== 'PENDING') {
      return htmlReply(reply, 200, messagePage('Sign documents', `This signing is ${record.state.toLowerCase()}.`));
    }
    return htmlReply(reply, 200, signPage(record));
  });

  app.get<{ Params: { token: string; index: string } }>(`${SIGNING_PAGES_ROOT}/:token/documents/:index`, async (request, reply) => {
    const record = signing.byPageToken(request.params.token, new Date());
    const document = /^\d+$/.test(request.params.index) ? record.documents[Number(request.params.index)] : undefined;
    if (!document) throw new UnknownRecordError('document');
    return reply.type('application/pdf').header('content-disposition', contentDisposition(document.fileName)).send(document.content);
  });

  app.post<{ Params: { token: string }; Body: Form | undefined }>(`${SIGNING_PAGES_ROOT}/:token/sign`, async (request, reply) => {
    const record = signing.byPageToken(request.params.token, new Date());
    try {
      await signing.signWithSmsCode(record, request.body?.smsCode ?? '', new Date());
    } catch (error) {
      if (error instanceof WrongSmsCodeError) return htmlReply(reply, 400, signPage(record, error.message));
      throw error;
    }
    return redirect(reply, record.successUrl);
  });

  app.post<{ Params: { token: string } }>(`${SIGNING_PAGES_ROOT}/:token/reject`, async (request, reply) => {
    const record = signing.reject(signing.byPageToken(request.params.token, new Date()), new Date());
    return redirect(reply, record.cancelUrl);
  });
};

/** The `clientDocumentUrl` 3.1 answers: the signing page on this sandbox's pages listener. */
export function signingPageUrl(pagesBaseUrl: string, pageToken: string): string {
  return `${pagesBaseUrl}${signingPagePath(pageToken)}`;
}

/** RFC 6266 with an RFC 8187 UTF-8 form, since file names may be Cyrillic. */
function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
