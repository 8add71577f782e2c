import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { OperatorSessions } from './operator-sessions.js';

/** The session cookie's name. */
export const OPERATOR_COOKIE = 'kora_operator';

/**
 * Whether the request comes from the operator: the operator token as `Authorization: Bearer`,
 * or, without that header, a live session cookie. A header that is present decides alone: a
 * wrong token is not rescued by a cookie.
 */
export function isOperator(c: Context, sessions: OperatorSessions): boolean {
  const header = c.req.header('authorization');
  if (header !== undefined) return sessions.checkToken(readBearer(header) ?? '');
  const id = getCookie(c, OPERATOR_COOKIE);
  return id !== undefined && sessions.isActive(id);
}

/** The token of an `Authorization: Bearer <token>` header. */
export function readBearer(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match?.[1];
}
