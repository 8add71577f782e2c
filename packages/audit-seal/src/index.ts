// @kora/audit-seal: the audit file sealed as Certificate Transparency seals its logs.
export {};
