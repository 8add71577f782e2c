import { defineKoraVitestConfig } from '@kora/vitest-config';

const config = defineKoraVitestConfig();
// Without the `module` condition here: vitest hands the conditions to Node, which would then
// load the `module` build of `@opentelemetry/api` (files imported without extensions, for
// bundlers) where the OpenTelemetry SDK of `kora-audit export`, and the test receiver, require it.
const withoutModule = (conditions: string[] | undefined): string[] | undefined => conditions?.filter((name) => name !== 'module');
if (config.resolve) config.resolve.conditions = withoutModule(config.resolve.conditions);
if (config.ssr?.resolve) config.ssr.resolve.conditions = withoutModule(config.ssr.resolve.conditions);

export default config;
