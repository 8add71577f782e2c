export { createCaptureSink } from './create-capture-sink.js';
export type { CaptureSink, CapturedLogLine } from './create-capture-sink.js';
export { expectSeamContract } from './expect-seam-contract.js';
export type { SeamContractOptions } from './expect-seam-contract.js';
export { readGoldenHeaders, readGoldenLines } from './read-golden-lines.js';
export type { GoldenHeaders, GoldenLine } from './read-golden-lines.js';
export { checkLineFields } from './check-line-fields.js';
export type { LineFieldsOptions } from './check-line-fields.js';
export { createOutputChecker } from './create-output-checker.js';
export type { CheckedOutputs, OutputChecker } from './create-output-checker.js';
export { createHostileArbitraries } from './hostile-arbitraries.js';
export type { Carrier, HostileArbitraries, Planted } from './hostile-arbitraries.js';
export {
  CREDENTIAL_FAMILIES,
  HOSTILE_STRINGS,
  HOSTILE_VALUE_KINDS,
  SECRET_SEPARATORS,
  buildCredential,
  makeHostileValue,
  ruleExampleSecrets,
} from './hostile-values.js';
export type { HostileValueKind, PlantedSecret } from './hostile-values.js';
