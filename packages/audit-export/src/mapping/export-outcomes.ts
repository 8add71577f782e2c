import type { ExportOutcome } from '@kora/audit-sink';

/** What an outcome is in each schema. */
export interface OutcomeTerms {
  /** OpenTelemetry severity: 9 INFO, 13 WARN, 17 ERROR. */
  readonly severityNumber: number;
  readonly severityText: string;
  /** OCSF `status_id`/`status` and `severity_id`/`severity`. */
  readonly ocsfStatusId: number;
  readonly ocsfStatus: string;
  readonly ocsfSeverityId: number;
  readonly ocsfSeverity: string;
  /** ECS `event.outcome`, and the `event.type` it adds (`allowed`, `denied`), if any. */
  readonly ecsOutcome: 'success' | 'failure' | 'unknown';
  readonly ecsType: 'allowed' | 'denied' | undefined;
}

/**
 * Outcomes in the three schemas. A denial is the security-relevant one: WARN, and OCSF Medium;
 * a rejected input or a failed delivery is WARN and Low; a tool's own error is ERROR to
 * OpenTelemetry (it is a failure of the tool) but Low to OCSF (no security impact by itself).
 */
export const OUTCOME_TERMS: Readonly<Record<ExportOutcome, OutcomeTerms>> = {
  success: {
    severityNumber: 9,
    severityText: 'INFO',
    ocsfStatusId: 1,
    ocsfStatus: 'Success',
    ocsfSeverityId: 1,
    ocsfSeverity: 'Informational',
    ecsOutcome: 'success',
    ecsType: 'allowed',
  },
  unknown: {
    severityNumber: 9,
    severityText: 'INFO',
    ocsfStatusId: 0,
    ocsfStatus: 'Unknown',
    ocsfSeverityId: 1,
    ocsfSeverity: 'Informational',
    ecsOutcome: 'unknown',
    ecsType: undefined,
  },
  denied: {
    severityNumber: 13,
    severityText: 'WARN',
    ocsfStatusId: 2,
    ocsfStatus: 'Failure',
    ocsfSeverityId: 3,
    ocsfSeverity: 'Medium',
    ecsOutcome: 'failure',
    ecsType: 'denied',
  },
  failure: {
    severityNumber: 13,
    severityText: 'WARN',
    ocsfStatusId: 2,
    ocsfStatus: 'Failure',
    ocsfSeverityId: 2,
    ocsfSeverity: 'Low',
    ecsOutcome: 'failure',
    ecsType: undefined,
  },
  error: {
    severityNumber: 17,
    severityText: 'ERROR',
    ocsfStatusId: 2,
    ocsfStatus: 'Failure',
    ocsfSeverityId: 2,
    ocsfSeverity: 'Low',
    ecsOutcome: 'failure',
    ecsType: undefined,
  },
};
