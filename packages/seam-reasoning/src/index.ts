export { TOOL_STATUSES, reasoningToolCalledDetails, seam } from './reasoning-tool-called.js';
export type { ReasoningToolCalledDetails, ToolStatus } from './reasoning-tool-called.js';
export { emitReasoningToolCalled } from './emit-reasoning-tool-called.js';
export type { EmitReasoningToolCalledInput } from './emit-reasoning-tool-called.js';
