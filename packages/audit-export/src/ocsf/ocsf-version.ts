/**
 * The OCSF schema version the export writes (`metadata.version` of every event) and validates
 * against: the JSON Schema shipped as `ocsf/ocsf-1.3.0-schema.json` in this package.
 */
export const OCSF_VERSION = '1.3.0';
