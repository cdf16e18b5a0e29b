import type { Pool } from 'pg';
import type { SessionIdMatch } from '../../callbacks/callback-inbox.entity';

/**
 * Which of a web identification flow's ids a webhook's sessionId is: the web
 * session (2.1), the registration's session (2.2), a sign session one of its
 * signings used (3.1), or the sign session it was handed last (2.5, 3.3).
 * An SQL expression over `web_identifications w`, the sessionId its parameter
 * `sessionIdParameter`, so the webhook's first read can carry it.
 *
 * Reading: the document calls all of these `sessionId` and its examples carry
 * more than one of them in webhooks, so the answer is recorded for operators
 * and never decides whether a webhook is processed; the resultId ties it.
 */
export function sessionIdMatchSql(sessionIdParameter: string): string {
  return `CASE
      WHEN w.web_session_id = ${sessionIdParameter} THEN 'WEB_SESSION'
      WHEN w.registration_session_id = ${sessionIdParameter} THEN 'REGISTRATION_SESSION'
      WHEN EXISTS (SELECT 1 FROM signings s WHERE s.web_identification_id = w.id AND s.sign_session_id = ${sessionIdParameter}) THEN 'SIGN_SESSION_USED'
      WHEN w.sign_session_id = ${sessionIdParameter} THEN 'SIGN_SESSION_HANDED'
      ELSE 'NONE'
    END`;
}

const SESSION_ID_MATCH_SQL = `SELECT ${sessionIdMatchSql('$2')} AS "match" FROM web_identifications w WHERE w.id = $1`;

/** The match once B-Trust has been asked: a sign session it has just handed out counts as known. */
export async function sessionIdMatchOf(pool: Pool, identificationId: string, sessionId: string | null): Promise<SessionIdMatch> {
  const { rows } = await pool.query<{ match: SessionIdMatch }>({
    name: 'webhook-session-id-match',
    text: SESSION_ID_MATCH_SQL,
    values: [identificationId, sessionId],
  });
  return rows[0]?.match ?? 'NONE';
}
