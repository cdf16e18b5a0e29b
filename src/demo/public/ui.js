// Small DOM helpers shared by the demo pages: elements, problem display per
// form field, the status timeline and the access-token box.

import { accessToken, ApiProblem, setAccessToken } from './api.js';

/** Creates an element; `attributes` may hold `class`, `text`, event handlers (`onclick`) and attributes. */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') element.textContent = value;
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(...children.filter((child) => child !== undefined && child !== null));
  return element;
}

export function clearProblems(form) {
  form.querySelectorAll('.field-error, .form-error').forEach((node) => node.remove());
  form.querySelectorAll('[aria-invalid]').forEach((node) => node.removeAttribute('aria-invalid'));
}

/**
 * Shows an error in the form: each entry of a VALIDATION_FAILED problem's
 * `errors` under the input whose name is its field (below the input's
 * `.field-group` when it is in one), a nested field without an input of its
 * own (e.g. `documents.0.content`) in the closest enclosing `data-field`
 * element, and everything else on top.
 */
export function showProblem(form, error) {
  clearProblems(form);
  const general = [];
  if (error instanceof ApiProblem && error.errors.length > 0) {
    for (const fieldError of error.errors) {
      const input = inputFor(form, fieldError.field);
      if (!input) {
        general.push(`${fieldError.field}: ${fieldError.messages.join('; ')}`);
        continue;
      }
      input.setAttribute('aria-invalid', 'true');
      const message = el('p', { class: 'field-error', 'data-error-for': fieldError.field, text: fieldError.messages.join('; ') });
      if (input.tagName === 'FIELDSET') input.append(message);
      else (input.closest('.field-group') ?? input.closest('label') ?? input).after(message);
    }
  } else {
    general.push(describe(error));
  }
  if (general.length > 0) form.prepend(el('div', { class: 'form-error', role: 'alert' }, ...general.map((text) => el('p', { text }))));
}

function inputFor(form, field) {
  for (let path = field; path; path = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '') {
    const input = form.querySelector(`[name="${CSS.escape(path)}"], [data-field="${CSS.escape(path)}"]`);
    if (input) return input;
  }
  return undefined;
}

/** One line for an error: the problem's code and detail, or the message. */
export function describe(error) {
  if (error instanceof ApiProblem) return `${error.code}: ${error.message}${error.requestId ? ` (request ${error.requestId})` : ''}`;
  return error instanceof Error ? error.message : String(error);
}

/** A list that grows with every status event, newest last. */
export function timeline(list) {
  return ({ status, final }) => {
    const time = new Date().toLocaleTimeString();
    list.append(el('li', { class: final ? 'final' : undefined, 'data-status': status }, el('code', { text: status }), ` ${time}`));
  };
}

export function formatDate(value) {
  return value ? new Date(value).toLocaleString() : '—';
}

/** A definition list of label → value pairs (values may be nodes). */
export function details(pairs) {
  return el('dl', {}, ...pairs.flatMap(([label, value]) => [el('dt', { text: label }), el('dd', {}, value ?? '—')]));
}

/** The optional access token, kept for this tab only (sessionStorage). */
export function setUpTokenBox() {
  const input = document.querySelector('#access-token');
  if (!input) return;
  input.value = accessToken();
  input.addEventListener('change', () => setAccessToken(input.value.trim()));
}
