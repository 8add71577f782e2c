import type { auditClosedDetails } from '../lifecycle/audit-closed.js';
import type { auditLostDetails } from '../lifecycle/audit-lost.js';
import type { auditOpenedDetails } from '../lifecycle/audit-opened.js';

/** The allow-lists of the core's own `audit.*` rows, by seam name. */
export interface LifecycleSchemas {
  readonly 'audit.opened': typeof auditOpenedDetails;
  readonly 'audit.lost': typeof auditLostDetails;
  readonly 'audit.closed': typeof auditClosedDetails;
}

let loaded: Promise<LifecycleSchemas> | undefined;

/**
 * Load the details schemas of `audit.opened`, `audit.lost` and `audit.closed` (and zod with
 * them), once: for a reader that checks a writer's account of its rows, which the envelope
 * alone does not (it takes any details object). Loaded when asked, so that readers that never
 * look at these rows start without zod.
 */
export async function loadLifecycleSchemas(): Promise<LifecycleSchemas> {
  loaded ??= Promise.all([
    import('../lifecycle/audit-opened.js'),
    import('../lifecycle/audit-lost.js'),
    import('../lifecycle/audit-closed.js'),
  ]).then(([opened, lost, closed]) => ({
    'audit.opened': opened.auditOpenedDetails,
    'audit.lost': lost.auditLostDetails,
    'audit.closed': closed.auditClosedDetails,
  }));
  return loaded;
}
