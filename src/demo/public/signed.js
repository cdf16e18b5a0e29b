import { api, downloadPdf, followStatus } from './api.js';
import { describe, details, el, formatDate, setUpTokenBox, timeline } from './ui.js';

setUpTokenBox();

const params = new URLSearchParams(location.search);
const id = params.get('id') ?? sessionStorage.getItem('demo.signingId');
if (id && !params.has('id')) {
  params.set('id', id);
  history.replaceState(null, '', `?${params}`);
}

const outcome = document.querySelector('#signing-outcome');
const badge = document.querySelector('#signing-badge');
const result = document.querySelector('#signing-result');

if (!id) {
  outcome.textContent = 'No signing in this tab: start one from an identification.';
} else {
  outcome.textContent =
    params.get('outcome') === 'cancelled' ? 'B-Trust sent you back without signing.' : 'Back from B-Trust. Waiting for the signed documents…';
  void showSigning(id);
}

async function showSigning(signingId) {
  const addToTimeline = timeline(document.querySelector('#signing-timeline'));
  try {
    await followStatus(`/api/v1/signings/${signingId}/events`, (event) => {
      addToTimeline(event);
      badge.textContent = event.status;
      badge.dataset.status = event.status;
    });
    const signing = await api(`/api/v1/signings/${signingId}`);
    document.querySelector('#back-to-identification').href = `identified.html?id=${encodeURIComponent(signing.identificationId)}`;
    outcome.textContent = signing.status === 'SIGNED' ? 'The documents are signed. Each one was verified on arrival:' : 'The signing ended without signed documents.';
    result.append(
      details([
        ['Signing', el('code', { text: signing.id })],
        ['Signed', formatDate(signing.signedAt)],
        ['Failure', signing.failure ? `${signing.failure.code}: ${signing.failure.message}` : undefined],
      ]),
    );
    if (signing.status === 'SIGNED') result.append(...signing.documents.map((document) => documentCard(signingId, document)));
  } catch (error) {
    result.append(el('p', { class: 'form-error', role: 'alert', text: describe(error) }));
  }
}

/** One signed document: what the server's verification found, and the download. */
function documentCard(signingId, document) {
  const verification = document.verification;
  const verdict = verification?.valid
    ? el('span', { class: 'valid', text: '✔ signature valid' })
    : el('span', { class: 'invalid', text: `✘ ${verification ? verification.problems.join(', ') : 'not verified'}` });
  return el(
    'article',
    { class: 'document', 'data-index': document.index },
    el('h3', {}, `${document.title} `, verdict),
    details([
      ['File', document.fileName],
      ['Signer', verification?.signer ? `${verification.signer.commonName ?? '—'} (${verification.signer.serialNumber ?? '—'})` : undefined],
      ['Signing time', formatDate(verification?.signedAt)],
      ['SHA-256 sent', el('code', { text: document.originalSha256 })],
      ['SHA-256 signed', document.signedSha256 ? el('code', { text: document.signedSha256 }) : undefined],
    ]),
    el('button', {
      type: 'button',
      class: 'download',
      text: `Download signed ${document.fileName}`,
      onclick: () => downloadPdf(`/api/v1/signings/${signingId}/documents/${document.index}`, signedName(document.fileName)),
    }),
  );
}

function signedName(fileName) {
  return fileName.replace(/(\.pdf)?$/i, '-signed.pdf');
}
