export { main, COMMANDS, USAGE } from './main.js';
export type { CliIo } from './cli-io.js';
export type { Command, CommandEntry } from './command.js';
export { EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
export { findSecretsInJson } from './commands/scan.js';
export type { ScanFinding } from './commands/scan.js';
export type { AuditFileStats } from './commands/stats.js';
