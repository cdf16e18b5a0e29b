import type { AppConfig } from './config/app-config';
import type { ResolvedAppConfig } from './config/config.module';

export interface StartupFacts {
  version: string;
  /** The configuration as read from the environment, before local services filled the gaps. */
  configured: AppConfig;
  /** The configuration the server runs with. */
  running: ResolvedAppConfig;
  warnings: readonly string[];
}

export interface SummaryLine {
  msg: string;
  /** The same facts as fields, for whoever reads the JSON lines with a machine. */
  fields: Record<string, unknown>;
}

/**
 * What a person starting the server needs to know, in a few lines at info:
 * where everything is, what it talks to, and what is worth fixing. The
 * details (each module, each route) are at debug.
 */
export function startupSummary(facts: StartupFacts): SummaryLine[] {
  const { running, configured } = facts;
  const base = running.publicBaseUrl;
  const lines: SummaryLine[] = [
    { msg: `btrust-cas ${facts.version} started in ${running.nodeEnv} mode`, fields: { version: facts.version, mode: running.nodeEnv } },
    { msg: `API: ${base}/api/v1`, fields: { url: `${base}/api/v1` } },
    running.swaggerEnabled
      ? { msg: `Swagger UI: ${base}/docs (OpenAPI document at ${base}/docs-json)`, fields: { url: `${base}/docs` } }
      : { msg: 'Swagger UI: off (SWAGGER_ENABLED=true serves it)', fields: {} },
    running.demoEnabled
      ? { msg: `Demo: ${base}/demo`, fields: { url: `${base}/demo` } }
      : { msg: 'Demo: off (DEMO_ENABLED=true serves it)', fields: {} },
    running.sandboxPagesUrl
      ? {
          msg: `B-Trust: the built-in sandbox; its pages at ${running.sandboxPagesUrl} (B-Trust MOBILE at ${running.sandboxPagesUrl}/mobile), its CLI: npm run sandbox:cli -- --help`,
          fields: { url: running.sandboxPagesUrl, api: running.btrust.baseUrl },
        }
      : { msg: `B-Trust: ${running.btrust.baseUrl}`, fields: { url: running.btrust.baseUrl } },
    {
      msg: `Database: ${configured.database.url ? '' : 'embedded PostgreSQL, '}${withoutPassword(running.database.url)}`,
      fields: { embedded: !configured.database.url },
    },
  ];
  if (facts.warnings.length > 0) {
    lines.push({
      msg: `${facts.warnings.length} warning(s) above: ${facts.warnings.map(firstSentence).join(' | ')}`,
      fields: { warnings: facts.warnings.length },
    });
  }
  return lines;
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

function firstSentence(message: string): string {
  const text = message.replace(/^!+\s*/, '');
  const end = text.search(/[.:!](\s|$)/);
  return end > 0 ? text.slice(0, end) : text;
}
