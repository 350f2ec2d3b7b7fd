// The catalog of audit events: the single source of every event value, its category, default
// severity and description. API listings and UI filters are generated from it.

export const SEVERITIES = [
  { value: "debug", name: "DEBUG", description: "Detailed diagnostic information for troubleshooting" },
  { value: "info", name: "INFO", description: "Normal operations, such as a successful login or a new memory" },
  { value: "warning", name: "WARNING", description: "Potential issues, such as failed logins and permission denials" },
  { value: "error", name: "ERROR", description: "Errors that need attention, such as system errors and failed operations" },
  { value: "critical", name: "CRITICAL", description: "Critical security events, such as breach attempts and data corruption" },
] as const;

export type Severity = (typeof SEVERITIES)[number]["value"];
export const SEVERITY_VALUES = SEVERITIES.map((s) => s.value) as [Severity, ...Severity[]];

const severityRank: Record<Severity, number> = { debug: 0, info: 1, warning: 2, error: 3, critical: 4 };

/** The more severe of two severities. */
export function maxSeverity(a: Severity, b: Severity): Severity {
  return severityRank[a] >= severityRank[b] ? a : b;
}

/** Severities that make an event a security event (as does success=false). */
export const SECURITY_SEVERITIES: Severity[] = ["warning", "error", "critical"];

export type EventCategory =
  | "custom"
  | "authentication"
  | "user_management"
  | "memory"
  | "cluster"
  | "policy"
  | "authorization"
  | "system"
  | "security";

interface EventDefinition {
  value: string;
  name: string;
  category: EventCategory;
  severity: Severity;
  description: string;
}

const event = <const V extends string>(
  value: V,
  category: EventCategory,
  severity: Severity,
  description: string,
) => ({ value, name: value.toUpperCase().replaceAll(".", "_"), category, severity, description }) satisfies EventDefinition;

export const EVENT_TYPES = [
  event("auth.login.success", "authentication", "info", "Successful login"),
  event("auth.login.failed", "authentication", "warning", "Failed login attempt"),
  event("auth.logout", "authentication", "info", "User logout"),
  event("auth.token.created", "authentication", "info", "Access token issued"),
  event("auth.token.expired", "authentication", "warning", "Request with an expired token"),
  event("auth.token.invalid", "authentication", "warning", "Request with a malformed, revoked or wrongly signed token"),
  event("user.created", "user_management", "info", "User account created"),
  event("user.updated", "user_management", "info", "User profile or roles changed"),
  event("user.deleted", "user_management", "warning", "User account deleted"),
  event("user.password.changed", "user_management", "info", "Password changed by its owner"),
  event("user.password.reset", "user_management", "warning", "Password reset by an admin"),
  event("user.activated", "user_management", "info", "User account activated"),
  event("user.deactivated", "user_management", "warning", "User account deactivated"),
  event("user.personal_data.erased", "user_management", "warning", "A user's personal data erased from the audit log (GDPR)"),
  event("memory.created", "memory", "info", "Memory created"),
  event("memory.retrieved", "memory", "info", "Memory read or listed"),
  event("memory.updated", "memory", "info", "Memory modified"),
  event("memory.deleted", "memory", "info", "Memory deleted"),
  event("memory.searched", "memory", "info", "Memory search performed"),
  event("cluster.created", "cluster", "info", "Cluster created"),
  event("cluster.retrieved", "cluster", "info", "Cluster read or listed"),
  event("cluster.updated", "cluster", "info", "Cluster modified"),
  event("cluster.deleted", "cluster", "info", "Cluster deleted"),
  event("policy.executed", "policy", "info", "Policy run completed"),
  event("policy.failed", "policy", "error", "Policy run failed"),
  event("authz.access.granted", "authorization", "info", "Access to a protected resource granted"),
  event("authz.access.denied", "authorization", "warning", "Access denied"),
  event("authz.permission.checked", "authorization", "debug", "Permission checked for a sensitive operation"),
  event("system.startup", "system", "info", "Server started"),
  event("system.shutdown", "system", "info", "Server shutting down"),
  event("system.error", "system", "error", "Unexpected error while handling a request"),
  event("system.retention.applied", "system", "info", "Expired audit events archived with their proofs and removed"),
  event("security.breach.attempt", "security", "critical", "Breach attempt detected (forged token or tampered log)"),
  event("security.rate_limit.exceeded", "security", "warning", "Request refused by a rate limit"),
  event("security.suspicious.activity", "security", "critical", "Suspicious activity such as brute force detected"),
] as const;

export type EventType = (typeof EVENT_TYPES)[number]["value"];
export const EVENT_TYPE_VALUES = EVENT_TYPES.map((e) => e.value) as [EventType, ...EventType[]];

const byValue = new Map<string, EventDefinition>(EVENT_TYPES.map((e) => [e.value, e]));

/**
 * Other services may record their own event types through the ingest API, under the `custom.`
 * prefix and a namespace of their own: `custom.<namespace>.<name>` (lower case, digits, _ and -).
 */
export type CustomEventType = `custom.${string}`;
export const CUSTOM_EVENT_TYPE = /^custom\.[a-z0-9_-]{1,64}(\.[a-z0-9_-]{1,64}){1,4}$/;

export function isCustomEventType(value: string): value is CustomEventType {
  return CUSTOM_EVENT_TYPE.test(value);
}

export function eventDefinition(value: string): EventDefinition | undefined {
  const known = byValue.get(value);
  if (known || !isCustomEventType(value)) return known;
  return { value, name: value.toUpperCase().replaceAll(".", "_").replaceAll("-", "_"), category: "custom", severity: "info", description: `Custom event ${value}` };
}

export function isEventType(value: string): value is EventType {
  return byValue.has(value);
}

/** Compliance tags every event of a category carries (callers may add more). */
export const COMPLIANCE_TAGS_BY_CATEGORY: Partial<Record<EventCategory, string[]>> = {
  authentication: ["auth", "security"],
  user_management: ["auth", "security"],
  memory: ["data_access"],
  cluster: ["data_access"],
  authorization: ["authorization", "security"],
  security: ["security"],
};
