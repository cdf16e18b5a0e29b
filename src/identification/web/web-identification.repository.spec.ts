import { SESSION_ID_MATCH_SQL, WEBHOOK_SUBJECT_SQL } from './web-identification.repository';

/** The statement's CASE … END expression. */
const matchExpression = (sql: string) => /CASE\s[\s\S]*?\sEND/.exec(sql)?.[0];

describe('web identification webhook statements', () => {
  // The match is written out in both statements (an identifier is never interpolated): a webhook's
  // first read and the read after B-Trust was asked must name a sessionId the same way.
  it("write the sessionId's match word for word alike", () => {
    expect(matchExpression(WEBHOOK_SUBJECT_SQL)).toBeDefined();
    expect(matchExpression(WEBHOOK_SUBJECT_SQL)).toEqual(matchExpression(SESSION_ID_MATCH_SQL));
  });
});
