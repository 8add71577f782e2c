import { Hono } from 'hono';

/** Where OAuth 2.0 Protected Resource Metadata lives (RFC 9728, section 3). */
export const PROTECTED_RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

/** The MCP endpoint's path: the protected resource. */
const MCP_PATH = '/mcp';

// A host name, an IPv4 address or a bracketed IPv6 address, with an optional port: what is
// echoed into the metadata and the WWW-Authenticate header. Anything else (a quote, a comma:
// the URL parser lets both through) is not echoed anywhere.
const PLAIN_HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/**
 * The origin the client reached the daemon at, from the request's URL (its `Host` header),
 * or undefined when that is not a plain host and port.
 */
function originOf(requestUrl: string): string | undefined {
  let url;
  try {
    url = new URL(requestUrl);
  } catch {
    return undefined;
  }
  return PLAIN_HOST.test(url.host) ? url.origin : undefined;
}

/**
 * The URL of the MCP endpoint's metadata, for the `resource_metadata` of a 401's
 * `WWW-Authenticate` header: `{origin}/.well-known/oauth-protected-resource/mcp`, the origin
 * being the one the request came to. Undefined when its `Host` header is not a plain host.
 */
export function resourceMetadataUrlFor(requestUrl: string): string | undefined {
  const origin = originOf(requestUrl);
  return origin === undefined ? undefined : `${origin}${PROTECTED_RESOURCE_METADATA_PATH}${MCP_PATH}`;
}

/**
 * The Protected Resource Metadata (RFC 9728) of the MCP endpoint, which MCP clients (the MCP
 * Inspector, the MCP SDK's OAuth support) fetch when `/mcp` answers 401: the resource,
 * `{origin}/mcp`, takes a bearer token in the `Authorization` header. It names no
 * authorization server: the tokens are the callers file's, handed to each caller by the
 * operator, and no OAuth flow issues them. Served both where RFC 9728 puts it for the
 * resource `/mcp` (`/.well-known/oauth-protected-resource/mcp`) and at the well-known path
 * itself, where clients look next. Mount it with `app.route(PROTECTED_RESOURCE_METADATA_PATH, …)`.
 * The document takes no input but the `Host` header, which is echoed only when it is a plain
 * host and port (else 400).
 */
export function createProtectedResourceRoutes(): Hono {
  const app = new Hono();
  for (const path of ['/', MCP_PATH]) {
    app.get(path, (c) => {
      const origin = originOf(c.req.url);
      if (origin === undefined) return c.json({ error: 'bad_request', message: 'the Host header is not a host name and port' }, 400);
      c.header('Cache-Control', 'max-age=3600');
      return c.json({
        resource: `${origin}${MCP_PATH}`,
        bearer_methods_supported: ['header'],
        resource_name: 'kora MCP server',
      });
    });
  }
  return app;
}
