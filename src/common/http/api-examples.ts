/**
 * The origin the OpenAPI examples' URLs are written on; the served document
 * puts this server's own origin in its place (see setupSwagger).
 */
export const EXAMPLE_ORIGIN = 'http://localhost:3000';

/** An example URL on this server, e.g. `exampleUrl('/signed')`. */
export function exampleUrl(path: string): string {
  return `${EXAMPLE_ORIGIN}${path}`;
}
