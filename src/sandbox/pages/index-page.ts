import { READING_KEYS, READING_MEANINGS, READING_VALUES } from '../sandbox-readings';
import { html, page } from './html';

export interface IndexView {
  apiBaseUrl: string;
  pagesBaseUrl: string;
  relyingPartyId: string;
}

const CONTROL_API: Array<[string, string]> = [
  ['GET /sandbox/state', 'Every mobile identification, web identification and signing with its ids, state and creation time.'],
  ['POST /sandbox/mobile-identifications/{callbackId}/complete', 'The person confirms in the app. Body (optional): { "fullName": "..." }.'],
  ['POST /sandbox/mobile-identifications/{callbackId}/reject | /expire', 'The person refuses; or the request times out.'],
  ['POST /sandbox/web-identifications/{webSessionId}/approve', 'The video identification succeeds. Body (optional): { "fullName", "egn", "reviewStatus": "ALLOW_DENY" | "ALLOWED" }. With review=manual it waits for an agent.'],
  ['POST /sandbox/web-identifications/{webSessionId}/reject | /cancel', 'The identification is refused, or the person gives up.'],
  ['POST /sandbox/web-identifications/{webSessionId}/expire', 'An open identification expires; an identified one loses its sign session.'],
  ['POST /sandbox/web-identifications/{webSessionId}/review', 'Body { "decision": "ALLOWED" | "DENIED" }: an agent reviews one waiting for it (FINALIZE_REJECT) or approved automatically (ALLOW_DENY).'],
  ['POST /sandbox/web-identifications/{webSessionId}/deny', 'An agent denies it after its automatic approval: registration REJECTED, review DENIED, sign session refused, a webhook.'],
  ['POST /sandbox/web-identifications/{webSessionId}/fail', 'Body { "step": "WEB_IDV_REGISTRATION_FAILED" | "UPDATE_DOCUMENTS_WITH_CERTIFICATE_DATA_FAILED", "registrationStatus"?: "REJECTED" | "EXPIRED" | "STARTED" }: scenario 5 shows the failure step; a webhook.'],
  ['POST /sandbox/signings/{resultId}/sign | /reject | /expire', 'The person signs (no SMS code needed here), refuses, or lets the page expire.'],
  ['GET | POST | DELETE /sandbox/readings', 'The sandbox-wide readings (below); merge a change into them (records created from then on take it); back to those of the start.'],
  ['GET | POST | DELETE /sandbox/{mobile-identifications/{callbackId} | web-identifications/{webSessionId} | signings/{resultId}}/readings', "One record's readings; override some from now on; back to the sandbox-wide ones."],
  ['POST /sandbox/callbacks/send', 'Body { "webSessionId" | "resultId", "processState"?, "code"? }: send now the webhook the record\'s state implies.'],
  ['POST /sandbox/callbacks/repeat', 'Body { "requestId"?, "resultId"? }: send again that webhook, or the last one about that resultId, or the last one sent.'],
  ['POST /sandbox/faults', 'Body { operation, kind, count, delayMs? }: kind http500, http503, delay, reset or malformed for any operation; tamper-flip-byte, tamper-append, tamper-foreign-ca, tamper-other-document or extra-document (one more signed PDF than was sent) for getSignedDocuments.'],
  ['GET | DELETE /sandbox/faults', 'The armed faults; disarm them all.'],
  ['GET | DELETE /sandbox/calls', 'API calls received per operation; reset the counts.'],
  ['GET | DELETE /sandbox/tls', 'TLS handshakes completed on the API listener, { "handshakes": n }: few means the client reuses its connections; reset the count.'],
  ['POST /sandbox/callbacks/knobs', 'Body { duplicate?, drop?, reorder? }: the next n callbacks are sent twice, not sent, or held back until the following one.'],
  ['GET | DELETE /sandbox/callbacks/deliveries', 'Every callback delivery attempt (path, status, outcome); clear the list.'],
];

const OPERATIONS =
  'identification, getIdentificationResult, startWebIdentification, createRegistration, getWebIdentificationResult, getSignedDocuments, startSignSession, getRegistrationStatus, getWebIdentificationStatus';

export function indexPage(view: IndexView): string {
  return page(
    'B-Trust Signing API sandbox',
    html`
<h2>For the relying party</h2>
<table>
  <tr><th>Signing API base URL (mutual TLS)</th><td><code>${view.apiBaseUrl}</code></td></tr>
  <tr><th>relyingPartyID header</th><td><code>${view.relyingPartyId}</code></td></tr>
  <tr><th>Video identification URL</th><td><code>${view.pagesBaseUrl}/session/{sessionId}</code></td></tr>
</table>
<p>The API accepts only client certificates issued by the sandbox CA. Callbacks to https URLs are verified
against Node's trust store; add a private CA with <code>NODE_EXTRA_CA_CERTS</code>.</p>
<h2>For the person</h2>
<ul>
  <li><a href="/mobile">B-Trust MOBILE (simulated)</a>: answer pending mobile identifications.</li>
  <li>Video identification and signing pages open from the links the relying party redirects to.</li>
</ul>
<h2>Control API (JSON, this listener)</h2>
<table>
  ${CONTROL_API.map(([route, description]) => html`<tr><td><code>${route}</code></td><td>${description}</td></tr>`)}
</table>
<p>Operations: ${OPERATIONS}.</p>
<p>From a terminal: <code>npm run sandbox:cli -- --help</code> (the sandbox CLI: list, mobile, web, signing, webhook, faults,
readings; it talks to this listener, or to <code>SANDBOX_CONTROL_URL</code>).</p>
<h2>Readings</h2>
<p>How the sandbox answers where the provider's document is unclear. The first value is the default. Set them at start
(<code>SANDBOX_READINGS=rejectedStatus=500,dates=no-offset</code>), with <code>POST /sandbox/readings</code>, or per record.</p>
<table>
  ${READING_KEYS.map((key) => html`<tr><td><code>${key}</code></td><td><code>${READING_VALUES[key].join(' | ')}</code></td><td>${READING_MEANINGS[key]}</td></tr>`)}
</table>`,
  );
}
