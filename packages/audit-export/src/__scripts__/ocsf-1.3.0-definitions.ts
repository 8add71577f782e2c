// The OCSF 1.3.0 definitions the shipped JSON Schema is built from, transcribed from the schema
// sources of the 1.3.0 release (https://github.com/ocsf/ocsf-schema, Apache License 2.0):
// events/base_event.json with includes/classification.json and includes/occurrence.json, the
// category classes (application, network, system), the three event classes, the objects the
// export populates, and the types and enums of dictionary.json. Attribute order follows OCSF.

/** An OCSF scalar data type (dictionary `types`). */
export type OcsfScalarType =
  | 'boolean_t'
  | 'datetime_t'
  | 'email_t'
  | 'file_hash_t'
  | 'file_name_t'
  | 'float_t'
  | 'hostname_t'
  | 'integer_t'
  | 'ip_t'
  | 'json_t'
  | 'long_t'
  | 'mac_t'
  | 'object_t'
  | 'port_t'
  | 'process_name_t'
  | 'string_t'
  | 'subnet_t'
  | 'timestamp_t'
  | 'url_t'
  | 'username_t'
  | 'uuid_t';

/** How an attribute is typed: a scalar, an object expanded under `$defs`, or one typed loosely. */
export type OcsfAttributeType = OcsfScalarType | { readonly object: string } | { readonly looseObject: string };

/** OCSF attribute requirement. */
export type OcsfRequirement = 'required' | 'recommended' | 'optional';

/** One attribute of an event class or object. */
export interface OcsfAttribute {
  readonly name: string;
  readonly type: OcsfAttributeType;
  readonly requirement: OcsfRequirement;
  readonly isArray?: boolean;
  /** Allowed values of an `*_id` enum (always with 0 Unknown and 99 Other where OCSF has them). */
  readonly enum?: readonly (number | string)[];
  /** Where the attribute comes from when it is not the class itself (a profile or a parent). */
  readonly source?: string;
}

/** An object definition, with its inherited attributes already merged. */
export interface OcsfObject {
  readonly name: string;
  readonly caption: string;
  readonly attributes: readonly OcsfAttribute[];
  /** OCSF `constraints.at_least_one`. */
  readonly atLeastOne?: readonly string[];
}

/** An event class, with base event, category and profile attributes merged. */
export interface OcsfClass {
  readonly name: string;
  readonly caption: string;
  readonly classUid: number;
  readonly categoryUid: number;
  readonly categoryName: string;
  readonly activities: readonly { readonly id: number; readonly caption: string }[];
  readonly attributes: readonly OcsfAttribute[];
  readonly atLeastOne?: readonly string[];
}

const S = 'string_t';
const I = 'integer_t';
const L = 'long_t';
const T = 'timestamp_t';
const B = 'boolean_t';

function attr(
  name: string,
  type: OcsfAttributeType,
  requirement: OcsfRequirement,
  extra: Omit<OcsfAttribute, 'name' | 'type' | 'requirement'> = {},
): OcsfAttribute {
  return { name, type, requirement, ...extra };
}

const obj = (name: string): OcsfAttributeType => ({ object: name });
const loose = (name: string): OcsfAttributeType => ({ looseObject: name });

/** `severity_id` (dictionary). */
export const SEVERITY_IDS = [0, 1, 2, 3, 4, 5, 6, 99] as const;
/** `status_id` (dictionary). */
export const STATUS_IDS = [0, 1, 2, 99] as const;
/** `endpoint.type_id`, inherited by `network_endpoint` and `device`. */
const ENDPOINT_TYPE_IDS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 99];
const RISK_LEVEL_IDS = [0, 1, 2, 3, 4, 99];
const CONFIDENTIALITY_IDS = [0, 1, 2, 3, 4, 5, 6, 99];
const DISPOSITION_IDS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 99];

// Base event: includes/classification.json, includes/occurrence.json, then base_event.json.
const CLASSIFICATION_AND_OCCURRENCE: readonly OcsfAttribute[] = [
  attr('activity_id', I, 'required'),
  attr('activity_name', S, 'optional'),
  attr('category_name', S, 'optional'),
  attr('category_uid', I, 'required'),
  attr('class_name', S, 'optional'),
  attr('class_uid', I, 'required'),
  attr('type_name', S, 'optional'),
  attr('type_uid', L, 'required'),
  attr('count', I, 'optional'),
  attr('duration', L, 'optional'),
  attr('end_time', T, 'optional'),
  attr('start_time', T, 'optional'),
  attr('time', T, 'required'),
  attr('timezone_offset', I, 'recommended'),
];

const BASE_EVENT: readonly OcsfAttribute[] = [
  ...CLASSIFICATION_AND_OCCURRENCE,
  attr('enrichments', loose('enrichment'), 'optional', { isArray: true }),
  attr('message', S, 'recommended'),
  attr('metadata', obj('metadata'), 'required'),
  attr('observables', loose('observable'), 'recommended', { isArray: true }),
  attr('raw_data', S, 'optional'),
  attr('severity', S, 'optional'),
  attr('severity_id', I, 'required', { enum: SEVERITY_IDS }),
  attr('status', S, 'recommended'),
  attr('status_code', S, 'recommended'),
  attr('status_detail', S, 'recommended'),
  attr('status_id', I, 'recommended', { enum: STATUS_IDS }),
  attr('unmapped', 'object_t', 'optional'),
  // Profiles of base_event. `cloud` is required only where the cloud profile is applied
  // (metadata.profiles names it), which the export never does, so it is optional here.
  attr('cloud', loose('cloud'), 'optional', { source: 'profile cloud' }),
  attr('api', obj('api'), 'optional', { source: 'profile cloud' }),
  attr('osint', loose('osint'), 'optional', { isArray: true, source: 'profile osint' }),
  attr('time_dt', 'datetime_t', 'optional', { source: 'profile datetime' }),
  attr('start_time_dt', 'datetime_t', 'optional', { source: 'profile datetime' }),
  attr('end_time_dt', 'datetime_t', 'optional', { source: 'profile datetime' }),
];

const HOST_PROFILE: readonly OcsfAttribute[] = [
  attr('actor', obj('actor'), 'optional', { source: 'profile host' }),
  attr('device', obj('device'), 'recommended', { source: 'profile host' }),
];

const SECURITY_CONTROL_PROFILE: readonly OcsfAttribute[] = [
  attr('action', S, 'optional', { source: 'profile security_control' }),
  attr('action_id', I, 'recommended', { enum: [0, 1, 2, 99], source: 'profile security_control' }),
  attr('attacks', loose('attack'), 'optional', { isArray: true, source: 'profile security_control' }),
  attr('authorizations', loose('authorization'), 'optional', { isArray: true, source: 'profile security_control' }),
  attr('disposition', S, 'optional', { source: 'profile security_control' }),
  attr('disposition_id', I, 'recommended', { enum: DISPOSITION_IDS, source: 'profile security_control' }),
  attr('firewall_rule', loose('firewall_rule'), 'optional', { source: 'profile security_control' }),
  attr('malware', loose('malware'), 'optional', { isArray: true, source: 'profile security_control' }),
  attr('policy', loose('policy'), 'optional', { source: 'profile security_control' }),
];

const NETWORK_PROXY_PROFILE: readonly OcsfAttribute[] = [
  attr('proxy_connection_info', loose('network_connection_info'), 'optional', { source: 'profile network_proxy' }),
  attr('proxy_endpoint', loose('network_proxy'), 'optional', { source: 'profile network_proxy' }),
  attr('proxy_http_request', obj('http_request'), 'optional', { source: 'profile network_proxy' }),
  attr('proxy_http_response', obj('http_response'), 'optional', { source: 'profile network_proxy' }),
  attr('proxy_tls', loose('tls'), 'optional', { source: 'profile network_proxy' }),
  attr('proxy_traffic', loose('network_traffic'), 'optional', { source: 'profile network_proxy' }),
];

const LOAD_BALANCER_PROFILE: readonly OcsfAttribute[] = [
  attr('load_balancer', loose('load_balancer'), 'optional', { source: 'profile load_balancer' }),
];

/**
 * Merge attribute lists the way OCSF's `extends` does: a later definition of the same name
 * overrides the earlier one in place.
 */
function merge(...lists: readonly (readonly OcsfAttribute[])[]): readonly OcsfAttribute[] {
  const byName = new Map<string, OcsfAttribute>();
  for (const list of lists) {
    for (const attribute of list) {
      const previous = byName.get(attribute.name);
      byName.set(attribute.name, previous === undefined ? attribute : { ...previous, ...attribute });
    }
  }
  return [...byName.values()];
}

const activityIdEnum = (activities: readonly { id: number }[]): readonly number[] => activities.map((a) => a.id);

const API_ACTIVITIES = [
  { id: 0, caption: 'Unknown' },
  { id: 1, caption: 'Create' },
  { id: 2, caption: 'Read' },
  { id: 3, caption: 'Update' },
  { id: 4, caption: 'Delete' },
  { id: 99, caption: 'Other' },
];

const HTTP_ACTIVITIES = [
  { id: 0, caption: 'Unknown' },
  { id: 1, caption: 'Connect' },
  { id: 2, caption: 'Delete' },
  { id: 3, caption: 'Get' },
  { id: 4, caption: 'Head' },
  { id: 5, caption: 'Options' },
  { id: 6, caption: 'Post' },
  { id: 7, caption: 'Put' },
  { id: 8, caption: 'Trace' },
  { id: 99, caption: 'Other' },
];

const EVENT_LOG_ACTIVITIES = [
  { id: 0, caption: 'Unknown' },
  { id: 1, caption: 'Clear' },
  { id: 2, caption: 'Delete' },
  { id: 3, caption: 'Export' },
  { id: 4, caption: 'Archive' },
  { id: 5, caption: 'Rotate' },
  { id: 6, caption: 'Start' },
  { id: 7, caption: 'Stop' },
  { id: 8, caption: 'Restart' },
  { id: 9, caption: 'Enable' },
  { id: 10, caption: 'Disable' },
  { id: 99, caption: 'Other' },
];

/** API Activity (6003): base_event, the application category (no attributes of its own), the class. */
const API_ACTIVITY: OcsfClass = {
  name: 'api_activity',
  caption: 'API Activity',
  classUid: 6003,
  categoryUid: 6,
  categoryName: 'Application Activity',
  activities: API_ACTIVITIES,
  attributes: merge(BASE_EVENT, [
    attr('activity_id', I, 'required', { enum: activityIdEnum(API_ACTIVITIES) }),
    attr('actor', obj('actor'), 'required'),
    // The class overrides the cloud profile's optional `api`.
    attr('api', obj('api'), 'required', { source: undefined }),
    attr('dst_endpoint', obj('network_endpoint'), 'recommended'),
    attr('http_request', obj('http_request'), 'recommended'),
    attr('resources', loose('resource_details'), 'recommended', { isArray: true }),
    attr('src_endpoint', obj('network_endpoint'), 'required'),
  ]),
};

/** HTTP Activity (4002): base_event, the network category class and its profiles, the class. */
const HTTP_ACTIVITY: OcsfClass = {
  name: 'http_activity',
  caption: 'HTTP Activity',
  classUid: 4002,
  categoryUid: 4,
  categoryName: 'Network Activity',
  activities: HTTP_ACTIVITIES,
  attributes: merge(
    BASE_EVENT,
    HOST_PROFILE,
    NETWORK_PROXY_PROFILE,
    SECURITY_CONTROL_PROFILE,
    LOAD_BALANCER_PROFILE,
    [
      attr('app_name', S, 'optional', { source: 'network' }),
      attr('connection_info', loose('network_connection_info'), 'recommended', { source: 'network' }),
      attr('dst_endpoint', obj('network_endpoint'), 'required', { source: 'network' }),
      attr('ja4_fingerprint_list', loose('ja4_fingerprint'), 'optional', { isArray: true, source: 'network' }),
      attr('proxy', loose('network_proxy'), 'recommended', { source: 'network' }),
      attr('src_endpoint', obj('network_endpoint'), 'recommended', { source: 'network' }),
      attr('tls', loose('tls'), 'optional', { source: 'network' }),
      attr('traffic', loose('network_traffic'), 'recommended', { source: 'network' }),
    ],
    [
      attr('activity_id', I, 'required', { enum: activityIdEnum(HTTP_ACTIVITIES) }),
      attr('http_cookies', loose('http_cookie'), 'recommended', { isArray: true }),
      attr('http_request', obj('http_request'), 'required'),
      attr('http_response', obj('http_response'), 'required'),
      attr('http_status', I, 'recommended'),
      attr('file', obj('file'), 'optional'),
    ],
  ),
};

/**
 * Event Log Activity (1008, named `event_log` in 1.3.0): base_event, the system category class
 * (which makes `actor` and `device` required, the class relaxes both to recommended) and its
 * host and security_control profiles, the class.
 */
const EVENT_LOG_ACTIVITY: OcsfClass = {
  name: 'event_log',
  caption: 'Event Log Activity',
  classUid: 1008,
  categoryUid: 1,
  categoryName: 'System Activity',
  activities: EVENT_LOG_ACTIVITIES,
  attributes: merge(
    BASE_EVENT,
    HOST_PROFILE,
    SECURITY_CONTROL_PROFILE,
    [attr('actor', obj('actor'), 'required', { source: 'system' }), attr('device', obj('device'), 'required', { source: 'system' })],
    [
      attr('activity_id', I, 'required', { enum: activityIdEnum(EVENT_LOG_ACTIVITIES) }),
      attr('actor', obj('actor'), 'recommended', { source: undefined }),
      attr('device', obj('device'), 'recommended', { source: undefined }),
      attr('dst_endpoint', obj('network_endpoint'), 'recommended'),
      attr('file', obj('file'), 'recommended'),
      attr('log_name', S, 'recommended'),
      attr('log_provider', S, 'recommended'),
      attr('log_type', S, 'recommended'),
      attr('log_type_id', I, 'recommended', { enum: [0, 1, 2, 99] }),
      attr('src_endpoint', obj('network_endpoint'), 'recommended'),
      attr('status_code', S, 'recommended'),
      attr('status_detail', S, 'recommended'),
    ],
  ),
  // OCSF 1.3.0 lists `log_file` first, which is no attribute of the class; the other four are.
  atLeastOne: ['log_name', 'log_provider', 'log_type', 'log_type_id'],
};

/** The three classes the export emits. */
export const OCSF_CLASSES: readonly OcsfClass[] = [API_ACTIVITY, HTTP_ACTIVITY, EVENT_LOG_ACTIVITY];

/** Datetime-profile siblings (`<name>_dt`) of an object's timestamp attributes. */
function withDatetimeSiblings(attributes: readonly OcsfAttribute[]): readonly OcsfAttribute[] {
  const siblings = attributes
    .filter((attribute) => attribute.type === T)
    .map((attribute) => attr(`${attribute.name}_dt`, 'datetime_t', 'optional', { source: 'profile datetime' }));
  return [...attributes, ...siblings];
}

const ENTITY: readonly OcsfAttribute[] = [attr('name', S, 'recommended'), attr('uid', S, 'recommended')];

const DATA_CLASSIFICATION_PROFILE: readonly OcsfAttribute[] = [
  attr('data_classification', loose('data_classification'), 'optional', { source: 'profile data_classification' }),
];

const CONTAINER_PROFILE: readonly OcsfAttribute[] = [
  attr('container', loose('container'), 'optional', { source: 'profile container' }),
  attr('namespace_pid', I, 'optional', { source: 'profile container' }),
];

const ENDPOINT: readonly OcsfAttribute[] = merge(ENTITY, CONTAINER_PROFILE, [
  attr('agent_list', loose('agent'), 'optional', { isArray: true }),
  attr('domain', S, 'optional'),
  attr('hostname', 'hostname_t', 'recommended'),
  attr('hw_info', loose('device_hw_info'), 'optional'),
  attr('instance_uid', S, 'recommended'),
  attr('interface_name', S, 'recommended'),
  attr('interface_uid', S, 'recommended'),
  attr('ip', 'ip_t', 'recommended'),
  attr('location', loose('location'), 'optional'),
  attr('mac', 'mac_t', 'optional'),
  attr('os', loose('os'), 'optional'),
  attr('owner', obj('user'), 'recommended'),
  attr('subnet_uid', S, 'optional'),
  attr('type', S, 'optional'),
  attr('type_id', I, 'recommended', { enum: ENDPOINT_TYPE_IDS }),
  attr('vlan_uid', S, 'optional'),
  attr('vpc_uid', S, 'optional'),
  attr('zone', S, 'optional'),
]);

const ENDPOINT_AT_LEAST_ONE = ['ip', 'uid', 'name', 'hostname', 'instance_uid', 'interface_uid', 'interface_name'];

/** The objects expanded under `$defs` and closed with `additionalProperties: false`. */
export const OCSF_OBJECTS: readonly OcsfObject[] = [
  {
    name: 'metadata',
    caption: 'Metadata',
    attributes: withDatetimeSiblings(
      merge(DATA_CLASSIFICATION_PROFILE, [
        attr('correlation_uid', S, 'optional'),
        attr('event_code', S, 'optional'),
        attr('extension', loose('extension'), 'optional'),
        attr('extensions', loose('extension'), 'optional', { isArray: true }),
        attr('labels', S, 'optional', { isArray: true }),
        attr('log_level', S, 'optional'),
        attr('log_name', S, 'recommended'),
        attr('log_provider', S, 'recommended'),
        attr('log_version', S, 'optional'),
        attr('logged_time', T, 'optional'),
        attr('modified_time', T, 'optional'),
        attr('loggers', loose('logger'), 'optional', { isArray: true }),
        attr('original_time', S, 'recommended'),
        attr('processed_time', T, 'optional'),
        attr('product', obj('product'), 'required'),
        attr('profiles', S, 'optional', { isArray: true }),
        attr('sequence', I, 'optional'),
        attr('tenant_uid', S, 'recommended'),
        attr('uid', S, 'optional'),
        attr('version', S, 'required'),
      ]),
    ),
  },
  {
    name: 'product',
    caption: 'Product',
    attributes: merge(ENTITY, DATA_CLASSIFICATION_PROFILE, [
      attr('feature', loose('feature'), 'optional'),
      attr('cpe_name', S, 'optional'),
      attr('lang', S, 'optional'),
      attr('path', S, 'optional'),
      attr('url_string', 'url_t', 'optional'),
      attr('vendor_name', S, 'required'),
      attr('version', S, 'recommended'),
    ]),
    atLeastOne: ['name', 'uid'],
  },
  {
    name: 'actor',
    caption: 'Actor',
    attributes: [
      attr('app_name', S, 'optional'),
      attr('app_uid', S, 'optional'),
      attr('authorizations', loose('authorization'), 'optional', { isArray: true }),
      attr('idp', loose('idp'), 'optional'),
      attr('invoked_by', S, 'optional'),
      attr('process', obj('process'), 'recommended'),
      attr('session', obj('session'), 'optional'),
      attr('user', obj('user'), 'recommended'),
    ],
    atLeastOne: ['process', 'user', 'invoked_by', 'session', 'app_name', 'app_uid'],
  },
  {
    name: 'user',
    caption: 'User',
    attributes: merge(ENTITY, [
      attr('account', loose('account'), 'optional'),
      attr('credential_uid', S, 'optional'),
      attr('domain', S, 'optional'),
      attr('email_addr', 'email_t', 'optional'),
      attr('full_name', S, 'optional'),
      attr('groups', loose('group'), 'optional', { isArray: true }),
      attr('ldap_person', loose('ldap_person'), 'optional'),
      attr('name', 'username_t', 'recommended'),
      attr('org', loose('organization'), 'optional'),
      attr('risk_level', S, 'optional'),
      attr('risk_level_id', I, 'optional', { enum: RISK_LEVEL_IDS }),
      attr('risk_score', I, 'optional'),
      attr('type', S, 'optional'),
      attr('type_id', I, 'recommended', { enum: [0, 1, 2, 3, 99] }),
      attr('uid_alt', S, 'optional'),
    ]),
    atLeastOne: ['account', 'name', 'uid'],
  },
  {
    name: 'session',
    caption: 'Session',
    attributes: withDatetimeSiblings([
      attr('count', I, 'optional'),
      attr('created_time', T, 'recommended'),
      attr('credential_uid', S, 'optional'),
      attr('expiration_time', T, 'optional'),
      attr('expiration_reason', S, 'optional'),
      attr('is_remote', B, 'recommended'),
      attr('is_mfa', B, 'optional'),
      attr('is_vpn', B, 'optional'),
      attr('issuer', S, 'recommended'),
      attr('terminal', S, 'optional'),
      attr('uid', S, 'recommended'),
      attr('uid_alt', S, 'optional'),
      attr('uuid', 'uuid_t', 'optional'),
    ]),
  },
  {
    name: 'api',
    caption: 'API',
    attributes: [
      attr('group', loose('group'), 'optional'),
      attr('operation', S, 'required'),
      attr('request', obj('request'), 'recommended'),
      attr('response', obj('response'), 'recommended'),
      attr('service', obj('service'), 'optional'),
      attr('version', S, 'optional'),
    ],
  },
  {
    name: 'service',
    caption: 'Service',
    attributes: merge(ENTITY, [attr('labels', S, 'optional', { isArray: true }), attr('version', S, 'recommended')]),
    atLeastOne: ['name', 'uid'],
  },
  {
    name: 'request',
    caption: 'Request Elements',
    attributes: [
      attr('containers', loose('container'), 'optional', { isArray: true }),
      attr('data', 'json_t', 'optional'),
      attr('flags', S, 'optional', { isArray: true }),
      attr('uid', S, 'required'),
    ],
  },
  {
    name: 'response',
    caption: 'Response Elements',
    attributes: [
      attr('code', I, 'recommended'),
      attr('containers', loose('container'), 'optional', { isArray: true }),
      attr('data', 'json_t', 'optional'),
      attr('error', S, 'recommended'),
      attr('error_message', S, 'recommended'),
      attr('flags', S, 'optional', { isArray: true }),
      attr('message', S, 'recommended'),
    ],
  },
  {
    name: 'network_endpoint',
    caption: 'Network Endpoint',
    attributes: merge(ENDPOINT, [
      attr('autonomous_system', loose('autonomous_system'), 'optional'),
      attr('intermediate_ips', 'ip_t', 'optional', { isArray: true }),
      attr('proxy_endpoint', loose('network_proxy'), 'optional'),
      attr('port', 'port_t', 'recommended'),
      attr('svc_name', S, 'recommended'),
    ]),
    atLeastOne: ['ip', 'uid', 'name', 'hostname', 'svc_name', 'instance_uid', 'interface_uid', 'interface_name'],
  },
  {
    name: 'device',
    caption: 'Device',
    attributes: withDatetimeSiblings(
      merge(ENDPOINT, [
        attr('autoscale_uid', S, 'optional'),
        attr('boot_time', T, 'optional'),
        attr('created_time', T, 'optional'),
        attr('desc', S, 'optional'),
        attr('domain', S, 'optional'),
        attr('first_seen_time', T, 'optional'),
        attr('groups', loose('group'), 'optional', { isArray: true }),
        attr('hostname', 'hostname_t', 'recommended'),
        attr('hypervisor', S, 'optional'),
        attr('image', loose('image'), 'optional'),
        attr('imei', S, 'optional'),
        attr('ip', 'ip_t', 'optional'),
        attr('is_compliant', B, 'optional'),
        attr('is_managed', B, 'optional'),
        attr('is_personal', B, 'optional'),
        attr('is_trusted', B, 'optional'),
        attr('last_seen_time', T, 'optional'),
        attr('location', loose('location'), 'optional'),
        attr('modified_time', T, 'optional'),
        attr('name', S, 'optional'),
        attr('network_interfaces', loose('network_interface'), 'optional', { isArray: true }),
        attr('org', loose('organization'), 'optional'),
        attr('region', S, 'recommended'),
        attr('risk_level', S, 'optional'),
        attr('risk_level_id', I, 'optional', { enum: RISK_LEVEL_IDS }),
        attr('risk_score', I, 'optional'),
        attr('subnet', 'subnet_t', 'optional'),
        attr('type', S, 'recommended'),
        attr('type_id', I, 'required', { enum: ENDPOINT_TYPE_IDS }),
        attr('uid', S, 'recommended'),
        attr('uid_alt', S, 'optional'),
      ]),
    ),
    atLeastOne: ENDPOINT_AT_LEAST_ONE,
  },
  {
    name: 'process',
    caption: 'Process',
    attributes: withDatetimeSiblings(
      merge(ENTITY, CONTAINER_PROFILE, [
        attr('cmd_line', S, 'recommended'),
        attr('created_time', T, 'recommended'),
        attr('file', obj('file'), 'recommended'),
        attr('integrity', S, 'optional'),
        attr('integrity_id', I, 'optional', { enum: [0, 1, 2, 3, 4, 5, 6, 99] }),
        attr('lineage', S, 'optional', { isArray: true }),
        attr('loaded_modules', S, 'optional', { isArray: true }),
        attr('name', 'process_name_t', 'recommended'),
        attr('parent_process', obj('process'), 'recommended'),
        attr('pid', I, 'recommended'),
        attr('sandbox', S, 'optional'),
        attr('session', obj('session'), 'optional'),
        attr('terminated_time', T, 'optional'),
        attr('tid', I, 'optional'),
        attr('user', obj('user'), 'recommended'),
        attr('xattributes', 'object_t', 'optional'),
      ]),
    ),
    atLeastOne: ['pid', 'uid'],
  },
  {
    name: 'file',
    caption: 'File',
    attributes: withDatetimeSiblings(
      merge(ENTITY, DATA_CLASSIFICATION_PROFILE, [
        attr('accessed_time', T, 'optional'),
        attr('accessor', obj('user'), 'optional'),
        attr('attributes', I, 'optional'),
        attr('company_name', S, 'optional'),
        attr('confidentiality', S, 'optional'),
        attr('confidentiality_id', I, 'optional', { enum: CONFIDENTIALITY_IDS }),
        attr('created_time', T, 'optional'),
        attr('creator', obj('user'), 'optional'),
        attr('desc', S, 'optional'),
        attr('ext', S, 'recommended'),
        attr('hashes', obj('fingerprint'), 'recommended', { isArray: true }),
        attr('is_system', B, 'optional'),
        attr('mime_type', S, 'optional'),
        attr('modified_time', T, 'optional'),
        attr('modifier', obj('user'), 'optional'),
        attr('name', 'file_name_t', 'required'),
        attr('owner', obj('user'), 'optional'),
        attr('parent_folder', S, 'optional'),
        attr('path', S, 'recommended'),
        attr('product', obj('product'), 'optional'),
        attr('security_descriptor', S, 'optional'),
        attr('signature', loose('digital_signature'), 'optional'),
        attr('size', L, 'optional'),
        attr('type', S, 'optional'),
        attr('type_id', I, 'required', { enum: [0, 1, 2, 3, 4, 5, 6, 7, 99] }),
        attr('uid', S, 'optional'),
        attr('version', S, 'optional'),
        attr('xattributes', 'object_t', 'optional'),
      ]),
    ),
    // file.json overrides the entity constraint with none: `name` is required anyway.
  },
  {
    name: 'fingerprint',
    caption: 'Fingerprint',
    attributes: [
      attr('algorithm', S, 'optional'),
      attr('algorithm_id', I, 'required', { enum: [0, 1, 2, 3, 4, 5, 6, 7, 99] }),
      attr('value', 'file_hash_t', 'required'),
    ],
  },
  {
    name: 'http_request',
    caption: 'HTTP Request',
    attributes: [
      attr('args', S, 'optional'),
      attr('http_headers', obj('http_header'), 'recommended', { isArray: true }),
      attr('http_method', S, 'recommended', {
        enum: ['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'TRACE'],
      }),
      attr('length', I, 'optional'),
      attr('referrer', S, 'optional'),
      attr('uid', S, 'optional'),
      attr('url', obj('url'), 'recommended'),
      attr('user_agent', S, 'recommended'),
      attr('version', S, 'recommended'),
      attr('x_forwarded_for', 'ip_t', 'optional', { isArray: true }),
    ],
  },
  {
    name: 'http_response',
    caption: 'HTTP Response',
    attributes: [
      attr('code', I, 'required'),
      attr('content_type', S, 'optional'),
      attr('http_headers', obj('http_header'), 'recommended', { isArray: true }),
      attr('latency', I, 'optional'),
      attr('length', I, 'optional'),
      attr('message', S, 'optional'),
      attr('status', S, 'optional'),
    ],
  },
  {
    name: 'http_header',
    caption: 'HTTP Header',
    attributes: [attr('name', S, 'required'), attr('value', S, 'required')],
  },
  {
    name: 'url',
    caption: 'Uniform Resource Locator',
    attributes: [
      attr('categories', S, 'optional', { isArray: true }),
      attr('category_ids', I, 'recommended', { isArray: true }),
      attr('domain', S, 'optional'),
      attr('hostname', 'hostname_t', 'recommended'),
      attr('path', S, 'recommended'),
      attr('port', 'port_t', 'recommended'),
      attr('query_string', S, 'recommended'),
      attr('resource_type', S, 'optional'),
      attr('scheme', S, 'recommended'),
      attr('subdomain', S, 'optional'),
      attr('url_string', 'url_t', 'recommended'),
    ],
    atLeastOne: ['url_string', 'path'],
  },
];

/** Objects the export never populates: typed as any JSON object. */
export const OCSF_LOOSE_OBJECTS: readonly string[] = [
  ...new Set(
    [...OCSF_CLASSES.flatMap((c) => c.attributes), ...OCSF_OBJECTS.flatMap((o) => o.attributes)].flatMap((attribute) =>
      typeof attribute.type === 'object' && 'looseObject' in attribute.type ? [attribute.type.looseObject] : [],
    ),
  ),
].sort();
