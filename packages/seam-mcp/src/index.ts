export { mcpToolCalledDetails, seam } from './mcp-tool-called.js';
export type { McpToolCalledDetails } from './mcp-tool-called.js';
export { emitMcpToolCalled } from './emit-mcp-tool-called.js';
export type { EmitMcpToolCalledInput, McpToolOutcome } from './emit-mcp-tool-called.js';
