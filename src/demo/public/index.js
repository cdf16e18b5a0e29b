import { api, downloadPdf, followStatus } from './api.js';
import { clearProblems, describe, details, el, formatDate, setUpTokenBox, showProblem, timeline } from './ui.js';

setUpTokenBox();
showSandboxLinks();

/** The sandbox's pages are wherever the server started them (SANDBOX_PAGES_PORT): the server says where. */
async function showSandboxLinks() {
  const response = await fetch('environment.json', { headers: { accept: 'application/json' } });
  if (!response.ok) return;
  const { sandboxPagesUrl } = await response.json();
  if (!sandboxPagesUrl) return;
  document.querySelector('#sandbox-mobile-link').href = `${sandboxPagesUrl}/mobile`;
  document.querySelector('#sandbox-mobile-hint').hidden = false;
}

/** The form's filled-in fields; empty optional fields are left out rather than sent empty. */
function fieldsOf(form) {
  return Object.fromEntries([...new FormData(form)].filter(([, value]) => value !== ''));
}

const mobileForm = document.querySelector('#mobile-form');
mobileForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const button = mobileForm.querySelector('button');
  button.disabled = true;
  try {
    const created = await api('/api/v1/mobile-identifications', { method: 'POST', body: fieldsOf(mobileForm) });
    clearProblems(mobileForm);
    await watchMobile(created.id);
  } catch (error) {
    showProblem(mobileForm, error);
  } finally {
    button.disabled = false;
  }
});

async function watchMobile(id) {
  const panel = document.querySelector('#mobile-status');
  const list = document.querySelector('#mobile-timeline');
  const badge = document.querySelector('#mobile-badge');
  const result = document.querySelector('#mobile-result');
  panel.hidden = false;
  list.replaceChildren();
  result.replaceChildren();
  const addToTimeline = timeline(list);
  try {
    await followStatus(`/api/v1/mobile-identifications/${id}/events`, (event) => {
      addToTimeline(event);
      badge.textContent = event.status;
      badge.dataset.status = event.status;
    });
    const identification = await api(`/api/v1/mobile-identifications/${id}`);
    result.append(
      details([
        ['Identification', el('code', { text: identification.id })],
        ['Identifier', `${identification.docType} ${identification.identifierMasked}`],
        ['Completed', formatDate(identification.completedAt)],
        ['eID identificator', identification.identificator],
        ['Failure', identification.failure ? `${identification.failure.code}: ${identification.failure.message}` : undefined],
      ]),
    );
    if (identification.status === 'COMPLETED') {
      result.append(
        el('button', {
          type: 'button',
          id: 'mobile-certificate',
          text: 'Download the eID certificate (PDF)',
          onclick: () => downloadPdf(`/api/v1/mobile-identifications/${id}/certificate`, `eid-certificate-${id}.pdf`),
        }),
      );
    }
  } catch (error) {
    result.append(el('p', { class: 'form-error', role: 'alert', text: describe(error) }));
  }
}

const webForm = document.querySelector('#web-form');
webForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const button = webForm.querySelector('button');
  button.disabled = true;
  // B-Trust sends the person back here; this origin must be on ALLOWED_REDIRECT_ORIGINS.
  const resultPage = new URL('identified.html', location.href);
  const cancelPage = new URL('identified.html?outcome=cancelled', location.href);
  try {
    const created = await api('/api/v1/web-identifications', {
      method: 'POST',
      body: { ...fieldsOf(webForm), successUrl: resultPage.href, cancelUrl: cancelPage.href },
    });
    // The frontend remembers its own record: the person comes back without it in the URL.
    sessionStorage.setItem('demo.webIdentificationId', created.id);
    location.assign(created.redirectUrl);
  } catch (error) {
    showProblem(webForm, error);
    button.disabled = false;
  }
});
