/** The schemas rows export to. */
export const EXPORT_FORMATS = ['otel', 'ocsf', 'ecs'] as const;

/** One of {@link EXPORT_FORMATS}. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
