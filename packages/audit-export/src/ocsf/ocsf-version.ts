/** The OCSF schema version the events follow and are validated against. */
export const OCSF_VERSION = '1.3.0';
