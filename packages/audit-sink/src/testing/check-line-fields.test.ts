import { describe, expect, it } from 'vitest';
import { checkLineFields } from './check-line-fields.js';

const MCP = ['tool', 'caller_actor_kind', 'args_keys', 'result'];

describe('checkLineFields', () => {
  it('accepts a line that starts each field once, in order, whatever its values and lists hold', () => {
    expect(() =>
      checkLineFields("[kora.mcp.tool_called] tool=a=b caller_actor_kind=v args_keys=['x', 'result=ok', \"it's\"] result=count=2", MCP),
    ).not.toThrow();
    expect(() =>
      checkLineFields(
        "[kora.webhook.dead_letter] source=slack reason=r ts=1.000 peer_ip=- request_id=- body_bytes=- headers={'user-agent': 'a reason=ok'}",
        ['source', 'reason', 'ts', 'peer_ip', 'request_id', 'body_bytes', 'headers'],
        { spacedLast: true },
      ),
    ).not.toThrow();
  });

  it('refuses a line where a value reads as another field', () => {
    expect(() => checkLineFields('[kora.mcp.tool_called] tool=t caller_actor_kind=x result=ok args_keys=[] result=denied', MCP)).toThrow(
      /each field once/,
    );
    expect(() => checkLineFields("[kora.mcp.tool_called] tool=t caller_actor_kind=v args_keys=['x result=ok'] result=denied", MCP)).toThrow(
      /each field once/,
    );
  });

  it('lets the guard take a field into a redaction, but not add or repeat one', () => {
    expect(() =>
      checkLineFields('[kora.mcp.tool_called] tool=bearer\\x20 [REDACTED:bearer-token]v args_keys=[] result=ok', MCP),
    ).not.toThrow();
    expect(() =>
      checkLineFields('[kora.mcp.tool_called] tool=[REDACTED:x] result=ok caller_actor_kind=v args_keys=[] result=ok', MCP),
    ).toThrow(/out of order or twice/);
  });
});
