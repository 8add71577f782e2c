/**
 * A connection string fit for a log line: the password replaced by `***`. Anything that does
 * not parse as a URL (a libpq `key=value` string) has every `password=` value replaced instead.
 */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) {
      if (/pass/i.test(key)) parsed.searchParams.set(key, '***');
    }
    return parsed.toString();
  } catch {
    return url.replace(/(password\s*=\s*)('[^']*'|\S+)/gi, '$1***');
  }
}

/** The password of a connection string, to scrub from error messages; undefined when it has none. */
export function readDatabasePassword(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    const password = parsed.password === '' ? undefined : decodeURIComponent(parsed.password);
    return password ?? parsed.searchParams.get('password') ?? undefined;
  } catch {
    return /password\s*=\s*('[^']*'|\S+)/i.exec(url)?.[1]?.replace(/^'|'$/g, '');
  }
}
