import { OAuthProtectedResourceMetadataSchema } from '@modelcontextprotocol/sdk/shared/auth.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createProtectedResourceRoutes,
  PROTECTED_RESOURCE_METADATA_PATH,
  resourceMetadataUrlFor,
} from './create-protected-resource-routes.js';

const app = createProtectedResourceRoutes();
const request = (path: string, host: string): Promise<Response> => Promise.resolve(app.request(new Request(`http://${host}${path}`)));

describe('createProtectedResourceRoutes', () => {
  it('describes the MCP endpoint at the origin the request came to, at both well-known paths', async () => {
    for (const host of ['127.0.0.1:8787', 'kora.example.org', '[::1]:9000']) {
      for (const path of ['/', '/mcp']) {
        const response = await request(path, host);
        expect(response.status).toBe(200);
        const metadata = await response.json();
        expect(metadata).toEqual({
          resource: `http://${host}/mcp`,
          bearer_methods_supported: ['header'],
          resource_name: 'kora MCP server',
        });
        // What the MCP SDK's discovery accepts.
        expect(OAuthProtectedResourceMetadataSchema.parse(metadata).resource).toBe(`http://${host}/mcp`);
      }
    }
  });

  it('answers 400 to a Host header that is not a plain host and port, echoing nothing', async () => {
    for (const host of ['a"b', 'x,y', "a'b:80", 'evil!.example']) {
      const response = await request('/mcp', host);
      expect(response.status, host).toBe(400);
      const text = await response.text();
      expect(text).not.toContain(host);
    }
  });
});

describe('resourceMetadataUrlFor', () => {
  it('is the path RFC 9728 derives from the resource /mcp, at the request origin', () => {
    expect(resourceMetadataUrlFor('http://127.0.0.1:8787/mcp')).toBe(`http://127.0.0.1:8787${PROTECTED_RESOURCE_METADATA_PATH}/mcp`);
    expect(resourceMetadataUrlFor('http://[::1]:9000/mcp?x=1')).toBe(`http://[::1]:9000${PROTECTED_RESOURCE_METADATA_PATH}/mcp`);
    expect(resourceMetadataUrlFor('not a url')).toBeUndefined();
  });

  it('for any Host header, is either nothing or a URL safe inside a quoted header parameter', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80, unit: 'binary' }), (host) => {
        const url = resourceMetadataUrlFor(`http://${host}/mcp`);
        if (url === undefined) return;
        expect(url).toMatch(/^http:\/\/[A-Za-z0-9.\-:[\]]+\/\.well-known\/oauth-protected-resource\/mcp$/);
        expect(new URL(url).pathname).toBe('/.well-known/oauth-protected-resource/mcp');
      }),
      { numRuns: 2000 },
    );
  });
});
