import { html, page } from './html';

export interface PendingMobileIdentificationView {
  callbackId: string;
  identifierType: string;
  identifierMasked: string;
  reason: string;
  validity: string;
  state: string;
}

/** Plays the person's B-Trust MOBILE app: every pending identification, with the person's answer. */
export function mobileAppPage(pending: PendingMobileIdentificationView[]): string {
  const rows = pending.map(
    (item) => html`<tr>
  <td><code>${item.callbackId}</code></td>
  <td>${item.identifierType} ${item.identifierMasked}</td>
  <td>${item.reason}</td>
  <td>${item.state}</td>
  <td>${item.validity}</td>
  <td>
    <form method="post" action="/mobile/${encodeURIComponent(item.callbackId)}/complete">
      <input type="text" name="fullName" placeholder="Full name (optional)" maxlength="200">
      <button class="primary" type="submit">Approve</button>
      <button type="submit" formaction="/mobile/${encodeURIComponent(item.callbackId)}/reject">Reject</button>
    </form>
  </td>
</tr>`,
  );
  return page(
    'B-Trust MOBILE (simulated)',
    html`
<p>Identification requests waiting for the person's answer. Reload to see new ones.</p>
${
  pending.length === 0
    ? html`<p>No pending identification.</p>`
    : html`<table><thead><tr><th>callbackId</th><th>Identifier</th><th>Reason</th><th>State</th><th>Valid until</th><th></th></tr></thead><tbody>${rows}</tbody></table>`
}
<p><a href="/">Sandbox home</a></p>`,
  );
}
