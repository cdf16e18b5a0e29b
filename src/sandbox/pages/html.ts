/**
 * A tagged template that escapes every interpolated value unless it is
 * already `SafeHtml` (the output of another `html` template), so a page
 * cannot forget to escape.
 */
export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

type Interpolation = SafeHtml | string | number | boolean | null | undefined | Interpolation[];

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let result = strings[0];
  values.forEach((value, index) => {
    result += render(value) + strings[index + 1];
  });
  return new SafeHtml(result);
}

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `
  body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #1d2733; }
  header { border-bottom: 3px solid #0b5394; margin-bottom: 1.5rem; }
  header p { color: #a61c1c; font-size: .9rem; }
  h1 { font-size: 1.5rem; }
  fieldset { border: 1px solid #c7d0da; border-radius: 6px; margin: 1rem 0; }
  label { display: block; margin: .5rem 0; }
  input[type=text] { padding: .4rem; width: 18rem; font-size: 1rem; }
  button { padding: .5rem 1.2rem; margin: .3rem .5rem .3rem 0; font-size: 1rem; cursor: pointer; }
  button.primary { background: #0b5394; color: #fff; border: 0; border-radius: 4px; }
  .sms { font-size: 2rem; letter-spacing: .4rem; font-family: monospace; background: #eef3f8; padding: .3rem .8rem; }
  .error { color: #a61c1c; font-weight: bold; }
  table { border-collapse: collapse; width: 100%; }
  td, th { border-bottom: 1px solid #dde3ea; padding: .4rem; text-align: left; vertical-align: top; }
  code { background: #eef3f8; padding: 0 .2rem; }
`;

export function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · B-Trust sandbox</title>
<style>${new SafeHtml(STYLE)}</style>
</head>
<body>
<header><h1>${title}</h1><p>B-Trust sandbox: a simulator for development. Nothing here identifies anyone or signs anything for real.</p></header>
${body}
</body>
</html>
`.value;
}

export function messagePage(title: string, text: string): string {
  return page(title, html`<p>${text}</p><p><a href="/">Sandbox home</a></p>`);
}
