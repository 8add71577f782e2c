/** A 401 from the API: the session has ended or never began. */
export class Unauthorized extends Error {}

/** Call the JSON API; a 401 becomes {@link Unauthorized}, other failures an Error with the server's message. */
export async function callApi(path: string, init: RequestInit = {}): Promise<unknown> {
  const headers = { accept: 'application/json', ...(init.headers as Record<string, string> | undefined) };
  const response = await fetch(path, { ...init, headers, credentials: 'same-origin', cache: 'no-store' });
  if (response.status === 401) throw new Unauthorized('unauthorized');
  if (response.status === 204) return null;
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const message = isRecord(body) && typeof body.message === 'string' ? body.message : `HTTP ${response.status}`;
    throw new Error(message);
  }
  return body;
}

/** Whether `value` is a plain object, so its fields may be read. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
