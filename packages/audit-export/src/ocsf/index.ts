// The OCSF schema check, behind its own entry point: Ajv and the schema load only for those who check.
export { OCSF_VERSION } from './ocsf-version.js';
export { validateOcsfEvent } from './validate-ocsf-event.js';
export type { OcsfValidation } from './validate-ocsf-event.js';
