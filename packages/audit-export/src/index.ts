export { OCSF_VERSION } from './ocsf/ocsf-version.js';
export { validateOcsfEvent } from './ocsf/validate-ocsf-event.js';
export type { OcsfValidation } from './ocsf/validate-ocsf-event.js';
