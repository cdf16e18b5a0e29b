import { html, page } from './html';

export interface VideoIdentificationView {
  sessionId: string;
  reason: string;
  relyingPartyId: string;
  expiresAt: string;
  fullName: string;
  egn: string;
  error?: string;
}

/** Stands in for the whole video identification (email, phone, ID document, liveness, selfie): the person is typed in. */
export function videoIdentificationPage(view: VideoIdentificationView): string {
  const action = (verb: string): string => `/session/${encodeURIComponent(view.sessionId)}/${verb}`;
  return page(
    'Video identification',
    html`
<p>Relying party <code>${view.relyingPartyId}</code> asks you to identify yourself.</p>
<p>Reason: <strong>${view.reason}</strong><br>This session expires at ${view.expiresAt}.</p>
${view.error ? html`<p class="error" role="alert">${view.error}</p>` : ''}
<form method="post" action="${action('approve')}">
  <fieldset>
    <legend>The identified person (as read from the ID document)</legend>
    <label>Full name <input type="text" name="fullName" value="${view.fullName}" required maxlength="200"></label>
    <label>EGN <input type="text" name="egn" value="${view.egn}" required pattern="\\d{10}" inputmode="numeric"></label>
  </fieldset>
  <button class="primary" type="submit">Approve identification</button>
  <button type="submit" formaction="${action('reject')}" formnovalidate>Reject (identification fails)</button>
  <button type="submit" formaction="${action('cancel')}" formnovalidate>Cancel (I give up)</button>
</form>`,
  );
}
