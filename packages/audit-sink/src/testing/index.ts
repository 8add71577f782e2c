export { createCaptureSink } from './create-capture-sink.js';
export type { CaptureSink, CapturedLogLine } from './create-capture-sink.js';
export { expectSeamContract } from './expect-seam-contract.js';
export type { SeamContractOptions } from './expect-seam-contract.js';
export { findRepositoryRoot, goldenLinesPath, readGoldenHeaders, readGoldenLines } from './read-golden-lines.js';
export type { GoldenHeaders, GoldenLine } from './read-golden-lines.js';
