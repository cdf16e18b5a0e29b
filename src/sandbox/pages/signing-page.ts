import { html, page } from './html';

export interface SigningView {
  pageToken: string;
  relyingPartyId: string;
  signerName: string;
  expiresAt: string;
  smsCode: string;
  documents: Array<{ legalFileName: string; fileName: string }>;
  error?: string;
}

/** Where the signing pages live: the path of the document's own `clientDocumentUrl`. */
export const SIGNING_PAGES_ROOT = '/cqes/api/web-identification';

export function signingPagePath(pageToken: string): string {
  return `${SIGNING_PAGES_ROOT}/${encodeURIComponent(pageToken)}`;
}

/** The page behind `clientDocumentUrl`. The SMS code is shown on the page because the sandbox sends no SMS. */
export function signingPage(view: SigningView): string {
  const base = signingPagePath(view.pageToken);
  return page(
    'Sign documents',
    html`
<p>Relying party <code>${view.relyingPartyId}</code> asks <strong>${view.signerName}</strong> to sign
${view.documents.length} document(s) with a one-time certificate. This page expires at ${view.expiresAt}.</p>
<table>
  <thead><tr><th>Document</th><th>File</th></tr></thead>
  <tbody>
  ${view.documents.map(
    (document, index) =>
      html`<tr><td>${document.legalFileName}</td><td><a href="${base}/documents/${index}">${document.fileName}</a></td></tr>`,
  )}
  </tbody>
</table>
<p>SMS code sent to your phone (shown here by the sandbox): <span class="sms" id="sms-code">${view.smsCode}</span></p>
${view.error ? html`<p class="error" role="alert">${view.error}</p>` : ''}
<form method="post" action="${base}/sign">
  <label>SMS code <input type="text" name="smsCode" required pattern="\\d{6}" inputmode="numeric" autocomplete="one-time-code"></label>
  <button class="primary" type="submit">Sign</button>
  <button type="submit" formaction="${base}/reject" formnovalidate>Reject</button>
</form>`,
  );
}
