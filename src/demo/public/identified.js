import { api, downloadPdf, followStatus } from './api.js';
import { clearProblems, describe, details, el, formatDate, setUpTokenBox, showProblem, timeline } from './ui.js';

setUpTokenBox();

/** A4 portrait in points: the preview's page, and the default box near the bottom left. */
const PAGE = { width: 595, height: 842 };
const DEFAULT_BOX = { page: 1, x: 56, y: 700, width: 200, height: 60 };

const params = new URLSearchParams(location.search);
const id = params.get('id') ?? sessionStorage.getItem('demo.webIdentificationId');
if (id && !params.has('id')) {
  // Keep the id in the address so a reload still finds the record.
  params.set('id', id);
  history.replaceState(null, '', `?${params}`);
}

const outcome = document.querySelector('#web-outcome');
const badge = document.querySelector('#web-badge');
const result = document.querySelector('#web-result');

if (!id) {
  outcome.textContent = 'No web identification in this tab: start one on the demo page.';
} else {
  outcome.textContent =
    params.get('outcome') === 'cancelled' ? 'B-Trust sent you back without an identification.' : 'Back from B-Trust. Waiting for the result…';
  void showIdentification(id);
}

async function showIdentification(identificationId) {
  const addToTimeline = timeline(document.querySelector('#web-timeline'));
  try {
    await followStatus(`/api/v1/web-identifications/${identificationId}/events`, (event) => {
      addToTimeline(event);
      badge.textContent = event.status;
      badge.dataset.status = event.status;
    });
    const identification = await api(`/api/v1/web-identifications/${identificationId}`);
    outcome.textContent = identification.status === 'IDENTIFIED' ? 'The person is identified.' : 'The identification ended without success.';
    result.append(
      details([
        ['Identification', el('code', { text: identification.id })],
        ['Identified', formatDate(identification.identifiedAt)],
        ['Client identificator', identification.clientIdentificator ? el('code', { text: identification.clientIdentificator }) : undefined],
        ['Signing possible until', formatDate(identification.signingAvailableUntil)],
        ['B-Trust status', [identification.provider.status, identification.provider.step].filter(Boolean).join(' / ') || undefined],
        ['Failure', identification.failure ? `${identification.failure.code}: ${identification.failure.message}` : undefined],
      ]),
    );
    if (identification.status === 'IDENTIFIED') {
      result.append(
        el('button', {
          type: 'button',
          id: 'web-certificate',
          text: 'Download the eID certificate (PDF)',
          onclick: () => downloadPdf(`/api/v1/web-identifications/${identificationId}/certificate`, `eid-certificate-${identificationId}.pdf`),
        }),
      );
      setUpSigning(identification);
    }
  } catch (error) {
    result.append(el('p', { class: 'form-error', role: 'alert', text: describe(error) }));
  }
}

function setUpSigning(identification) {
  const section = document.querySelector('#signing');
  const form = document.querySelector('#signing-form');
  const files = document.querySelector('#signing-files');
  const list = document.querySelector('#signing-documents');
  const submit = form.querySelector('button[type=submit]');
  section.hidden = false;
  document.querySelector('#signing-until').textContent = formatDate(identification.signingAvailableUntil);

  files.addEventListener('change', () => {
    list.replaceChildren(...[...files.files].map((file, index) => documentFields(file, index)));
    submit.disabled = files.files.length === 0;
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      const created = await api(`/api/v1/web-identifications/${identification.id}/signings`, { method: 'POST', body: signingForm(form, files.files) });
      clearProblems(form);
      sessionStorage.setItem('demo.signingId', created.id);
      location.assign(created.redirectUrl);
    } catch (error) {
      showProblem(form, error);
      submit.disabled = false;
    }
  });
}

/** One fieldset per file: its title and, optionally, where the visible signature goes. */
function documentFields(file, index) {
  const name = (field) => `documents.${index}.${field}`;
  const box = (field) =>
    el('label', { class: 'box' }, field, el('input', { name: name(`visibleSignature.${field}`), type: 'number', value: DEFAULT_BOX[field], min: 0 }));
  const visible = el('input', { type: 'checkbox', name: name('visible'), checked: true });
  const boxFields = el(
    'div',
    { class: 'box-fields', 'data-field': name('visibleSignature') },
    box('page'),
    box('x'),
    box('y'),
    box('width'),
    box('height'),
  );
  const preview = el('div', { class: 'page-preview', title: 'Where the signature goes, drawn on an A4 page' }, el('div', { class: 'signature-box' }));
  const fieldset = el(
    'fieldset',
    { 'data-field': `documents.${index}` },
    el('legend', { text: file.name }),
    el('label', {}, 'Title ', el('input', { name: name('title'), type: 'text', value: file.name.replace(/\.pdf$/i, '') })),
    el('label', { class: 'inline' }, visible, ' Visible signature (page, then box in points from the top left)'),
    el('div', { class: 'placement field-group' }, boxFields, preview),
  );
  const redraw = () => {
    boxFields.hidden = preview.hidden = !visible.checked;
    const value = (field) => Number(fieldset.querySelector(`[name="${name(`visibleSignature.${field}`)}"]`).value);
    const style = preview.firstElementChild.style;
    style.left = `${(value('x') / PAGE.width) * 100}%`;
    style.top = `${(value('y') / PAGE.height) * 100}%`;
    style.width = `${(value('width') / PAGE.width) * 100}%`;
    style.height = `${(value('height') / PAGE.height) * 100}%`;
  };
  fieldset.addEventListener('input', redraw);
  redraw();
  return fieldset;
}

/** multipart/form-data: a JSON `metadata` field describing the documents, then one file part per PDF in the same order. */
function signingForm(form, files) {
  const documents = [...files].map((file, index) => {
    const value = (field) => form.querySelector(`[name="documents.${index}.${field}"]`);
    const document = { title: value('title').value };
    if (value('visible').checked) {
      document.visibleSignature = Object.fromEntries(
        ['page', 'x', 'y', 'width', 'height'].map((field) => [field, Number(value(`visibleSignature.${field}`).value)]),
      );
    }
    return document;
  });
  const back = (outcome) => new URL(`signed.html${outcome ? `?outcome=${outcome}` : ''}`, location.href).href;
  const body = new FormData();
  body.append(
    'metadata',
    JSON.stringify({
      documents,
      emailSignedDocuments: form.querySelector('[name=emailSignedDocuments]').checked,
      successUrl: back(),
      cancelUrl: back('cancelled'),
    }),
  );
  for (const file of files) body.append('files', file, file.name);
  return body;
}
