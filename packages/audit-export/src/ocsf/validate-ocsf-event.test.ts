import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OCSF_EXAMPLE_EVENTS, auditLogOpenedEvent, mcpToolCallEvent, rejectedWebhookEvent } from './__fixtures__/ocsf-example-events.js';
import { validateOcsfEvent } from './validate-ocsf-event.js';
import type { OcsfValidation } from './validate-ocsf-event.js';

function errorsOf(result: OcsfValidation): readonly string[] {
  expect(result.valid).toBe(false);
  return result.valid ? [] : result.errors;
}

// Tests edit nested attributes by name, which a typed copy of the examples would not allow.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Editable = Record<string, any>;

/** A deep copy with `change` applied, so the shared examples stay intact. */
function changed(event: object, change: (copy: Editable) => void): Record<string, unknown> {
  const copy = structuredClone(event) as Editable;
  change(copy);
  return copy;
}

describe('validateOcsfEvent', () => {
  it.each(Object.entries(OCSF_EXAMPLE_EVENTS))('accepts %s as the export maps it', (_name, event) => {
    expect(validateOcsfEvent(event)).toEqual({ valid: true });
  });

  it('names the pointer of each missing required attribute', () => {
    const event = changed(mcpToolCallEvent, (copy) => {
      delete copy.api;
      delete copy.metadata.version;
      delete copy.metadata.product.vendor_name;
    });
    expect(errorsOf(validateOcsfEvent(event))).toEqual(
      expect.arrayContaining([
        '/api required: is missing',
        '/metadata/version required: is missing',
        '/metadata/product/vendor_name required: is missing',
      ]),
    );
  });

  it('requires the HTTP response and the destination endpoint of an HTTP Activity', () => {
    const event = changed(rejectedWebhookEvent, (copy) => {
      delete copy.http_response;
      delete copy.dst_endpoint;
    });
    expect(errorsOf(validateOcsfEvent(event))).toEqual(['/dst_endpoint required: is missing', '/http_response required: is missing']);
  });

  it('rejects wrong types: a timestamp that is not integer milliseconds, a string count, a non-array', () => {
    const event = changed(mcpToolCallEvent, (copy) => {
      copy.time = '2025-12-06T05:46:40.123Z';
      copy.duration = 4.2;
      copy.metadata.logged_time = '1765000000130';
      copy.unmapped = ['not', 'an', 'object'];
    });
    expect(errorsOf(validateOcsfEvent(event))).toEqual(
      expect.arrayContaining([
        '/time type: must be integer',
        '/duration type: must be integer',
        '/metadata/logged_time type: must be integer',
        '/unmapped type: must be object',
      ]),
    );
  });

  it('rejects an enum value OCSF does not define and lists the allowed ones', () => {
    const event = changed(auditLogOpenedEvent, (copy) => {
      copy.severity_id = 7;
      copy.activity_id = 11;
    });
    expect(errorsOf(validateOcsfEvent(event))).toEqual(
      expect.arrayContaining([
        '/severity_id enum: must be one of 0, 1, 2, 3, 4, 5, 6, 99',
        '/activity_id enum: must be one of 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 99',
      ]),
    );
  });

  it('rejects an attribute the class or an expanded object does not have', () => {
    const event = changed(mcpToolCallEvent, (copy) => {
      copy.tool_name = 'search_issues';
      copy.actor.user.role = 'pm';
    });
    expect(errorsOf(validateOcsfEvent(event))).toEqual([
      '/tool_name additionalProperties: is not an OCSF 1.3.0 attribute here',
      '/actor/user/role additionalProperties: is not an OCSF 1.3.0 attribute here',
    ]);
  });

  it('accepts any content in unmapped and in objects it types loosely', () => {
    const event = changed(mcpToolCallEvent, (copy) => {
      copy.unmapped = { anything: { nested: [1, 'two', null] } };
      copy.observables = [{ whatever: true }];
    });
    expect(validateOcsfEvent(event)).toEqual({ valid: true });
  });

  it('rejects a type_uid that is not class_uid * 100 + a defined activity_id', () => {
    expect(errorsOf(validateOcsfEvent({ ...mcpToolCallEvent, type_uid: 600305 }))).toEqual([
      '/type_uid enum: must be one of 600300, 600301, 600302, 600303, 600304, 600399',
    ]);
    expect(errorsOf(validateOcsfEvent({ ...rejectedWebhookEvent, type_uid: 600399 }))).toContain(
      '/type_uid enum: must be one of 400200, 400201, 400202, 400203, 400204, 400205, 400206, 400207, 400208, 400299',
    );
  });

  it('rejects a category_uid that is not the class category', () => {
    expect(errorsOf(validateOcsfEvent({ ...auditLogOpenedEvent, category_uid: 6 }))).toEqual(['/category_uid const: must be 1']);
  });

  it('rejects an event of a class the export does not write, or with no class', () => {
    const unknownClass = '/class_uid enum: must be one of 6003, 4002, 1008 (the OCSF classes this export writes)';
    expect(errorsOf(validateOcsfEvent({ ...mcpToolCallEvent, class_uid: 3002 }))).toEqual([unknownClass]);
    expect(errorsOf(validateOcsfEvent({ ...mcpToolCallEvent, class_uid: '6003' }))).toEqual([unknownClass]);
    const classless = changed(mcpToolCallEvent, (copy) => delete copy.class_uid);
    expect(errorsOf(validateOcsfEvent(classless))).toEqual(['/class_uid required: is missing']);
    for (const notAnEvent of [null, [], 'event', 6003]) {
      expect(errorsOf(validateOcsfEvent(notAnEvent))).toEqual(['(root) type: must be an object']);
    }
  });

  it('applies OCSF at_least_one constraints', () => {
    const event = changed(mcpToolCallEvent, (copy) => {
      copy.actor = {};
      copy.src_endpoint = { port: 443 };
    });
    expect(errorsOf(validateOcsfEvent(event))).toEqual([
      '/actor anyOf: must have at least one of process, user, invoked_by, session, app_name, app_uid',
      '/src_endpoint anyOf: must have at least one of ip, uid, name, hostname, svc_name, instance_uid, interface_uid, interface_name',
    ]);
    const withoutLog = changed(auditLogOpenedEvent, (copy) => {
      delete copy.log_name;
      delete copy.log_provider;
      delete copy.log_type;
      delete copy.log_type_id;
    });
    expect(errorsOf(validateOcsfEvent(withoutLog))).toEqual([
      '(root) anyOf: must have at least one of log_name, log_provider, log_type, log_type_id',
    ]);
  });

  it('checks the peer address is an IP address and the port a port', () => {
    const event = changed(rejectedWebhookEvent, (copy) => {
      copy.src_endpoint = { ip: '203.0.113.300', port: 70_000 };
    });
    expect(errorsOf(validateOcsfEvent(event))).toEqual([
      '/src_endpoint/ip anyOf: must match format ipv4 or ipv6',
      '/src_endpoint/port maximum: must be <= 65535',
    ]);
    const ipv6 = changed(rejectedWebhookEvent, (copy) => {
      copy.src_endpoint = { ip: '::ffff:127.0.0.1' };
    });
    expect(validateOcsfEvent(ipv6)).toEqual({ valid: true });
  });

  it('never echoes a value from the event, and escapes and bounds the attribute names it names', () => {
    const secret = 'xoxb-1234567890-SECRET-VALUE';
    const event = changed(mcpToolCallEvent, (copy) => {
      copy.time = secret;
      copy.message = { text: secret };
      copy.api.operation = [secret];
      copy[`a/b~c${'x'.repeat(100)}`] = secret;
    });
    const errors = errorsOf(validateOcsfEvent(event));
    expect(errors.join('\n')).not.toContain('SECRET');
    expect(errors).toContain(`/a~1b~0c${'x'.repeat(59)}... additionalProperties: is not an OCSF 1.3.0 attribute here`);
  });

  it('survives random mutations of a valid event: still valid, or errors that are pointers and never values', () => {
    const marker = 'MUTATED-VALUE';
    const valueArbitrary = fc.oneof(
      fc.jsonValue(),
      fc.string().map((text) => `${marker}${text}`),
      fc.constantFrom(NaN, Infinity, -0, undefined, 2 ** 53),
    );
    const mutation = fc.record({
      base: fc.constantFrom(...Object.values(OCSF_EXAMPLE_EVENTS)),
      target: fc.nat(),
      kind: fc.constantFrom('replace', 'delete', 'add'),
      key: fc.string({ maxLength: 20 }).filter((key) => !key.includes(marker) && key !== '__proto__'),
      value: valueArbitrary,
    });
    fc.assert(
      fc.property(mutation, ({ base, target, kind, key, value }) => {
        const event = structuredClone(base);
        const containers = collectContainers(event);
        const container = containers[target % containers.length]!;
        const keys = Object.keys(container);
        const chosen = keys.length === 0 ? key : keys[target % keys.length]!;
        if (kind === 'delete') delete container[chosen];
        else if (kind === 'replace') container[chosen] = value;
        else container[key] = value;

        const result = validateOcsfEvent(event);
        if (!result.valid) {
          expect(result.errors.length).toBeGreaterThan(0);
          for (const error of result.errors) {
            expect(error).toMatch(/^(\/|\(root\)|\.\.\. and \d+ more)/);
            expect(error).not.toContain(marker);
          }
        }
      }),
      { numRuns: 400 },
    );
  });
});

/** Every object in the event (itself included), to pick one to mutate. */
function collectContainers(value: unknown, into: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (typeof value === 'object' && value !== null) {
    if (!Array.isArray(value)) into.push(value as Record<string, unknown>);
    for (const child of Object.values(value)) collectContainers(child, into);
  }
  return into;
}
