import type { ExportContext } from '../mapping/export-row.js';
import { createOtelLogEncoder } from './create-otel-log-encoder.js';
import type { OtelLogEncoder } from './create-otel-log-encoder.js';

/** The OpenTelemetry encoder of an export: the service and host as its resource, kora-audit's exporter as its scope. */
export function createExportOtelEncoder(context: Pick<ExportContext, 'serviceName' | 'hostName' | 'productVersion'>): OtelLogEncoder {
  return createOtelLogEncoder({
    resource: { 'service.name': context.serviceName, 'host.name': context.hostName },
    scopeName: '@kora/audit-export',
    scopeVersion: context.productVersion,
  });
}
