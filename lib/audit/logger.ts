// The original system's AuditLogger API, for programmatic use: helpers that fill in the event
// shape for common cases, over the one writer and the shared queries. When disabled it writes
// nothing and its queries answer empty results.
import type { Database } from "@/lib/db/client";
import type { AuditLogRow } from "@/lib/db/schema";
import type { EventType } from "./events";
import {
  getSecurityEvents,
  getUserActivity,
  queryAuditLogs,
  type AuditLogFilters,
  type AuditLogPage,
  type AuditPage,
} from "./query";
import { isAuditEnabled, recordAuditEvent, type AuditEventInput } from "./record";
import { emptyStatistics, getAuditStatistics, type AuditStatistics } from "./stats";

type AuthEventType = Extract<EventType, `auth.${string}`>;
type MemoryEventType = Extract<EventType, `memory.${string}`>;

/** Where a request came from, as the audit log records it. */
export interface ActorContext {
  userId?: string | null;
  username?: string | null;
  sessionId?: string | null;
  ipAddress?: string | null;
  userAgent?: string | null;
  namespace?: string | null;
  requestMethod?: string | null;
  requestPath?: string | null;
  requestParams?: Record<string, unknown> | null;
}

export interface AuditLoggerOptions {
  /** Defaults to MEMORIC_AUDIT_ENABLED. */
  enabled?: boolean;
}

const emptyPage = (page: AuditPage): AuditLogPage => ({
  logs: [],
  total: 0,
  limit: page.limit ?? 100,
  offset: page.offset ?? 0,
  nextCursor: null,
});

export class AuditLogger {
  readonly enabled: boolean;

  constructor(
    private readonly db: Database,
    options: AuditLoggerOptions = {},
  ) {
    this.enabled = options.enabled ?? isAuditEnabled();
  }

  /** Records any event; pass `tx` to record it inside the transaction of the change. */
  logEvent(event: AuditEventInput, tx: Database = this.db): Promise<AuditLogRow | null> {
    return recordAuditEvent(tx, event, { enabled: this.enabled });
  }

  logAuthEvent(
    eventType: AuthEventType,
    details: ActorContext & { success?: boolean; errorMessage?: string; metadata?: Record<string, unknown> },
    tx?: Database,
  ): Promise<AuditLogRow | null> {
    return this.logEvent(
      {
        ...details,
        eventType,
        resourceType: "auth",
        resourceId: details.userId ?? details.username ?? null,
        action: eventType.split(".").slice(1).join("."),
      },
      tx,
    );
  }

  logMemoryEvent(
    eventType: MemoryEventType,
    details: ActorContext & {
      memoryId?: string | number | null;
      action?: string;
      beforeState?: Record<string, unknown> | null;
      afterState?: Record<string, unknown> | null;
      success?: boolean;
      errorMessage?: string;
      metadata?: Record<string, unknown>;
    },
    tx?: Database,
  ): Promise<AuditLogRow | null> {
    const { memoryId, action, ...rest } = details;
    return this.logEvent(
      {
        ...rest,
        eventType,
        resourceType: "memory",
        resourceId: memoryId ?? null,
        action: action ?? eventType.split(".")[1] ?? null,
      },
      tx,
    );
  }

  logAuthorizationEvent(
    details: ActorContext & {
      resourceType: string;
      resourceId?: string | number | null;
      action: string;
      granted: boolean;
      reason?: string;
      statusCode?: number;
    },
    tx?: Database,
  ): Promise<AuditLogRow | null> {
    const { granted, reason, ...rest } = details;
    return this.logEvent(
      {
        ...rest,
        eventType: granted ? "authz.access.granted" : "authz.access.denied",
        success: granted,
        errorMessage: granted ? null : (reason ?? "Access denied"),
        metadata: reason ? { reason } : null,
      },
      tx,
    );
  }

  async queryLogs(filters: AuditLogFilters = {}, page: AuditPage = {}): Promise<AuditLogPage> {
    return this.enabled ? queryAuditLogs(this.db, filters, page) : emptyPage(page);
  }

  async getUserActivity(
    userId: string,
    range: Pick<AuditLogFilters, "startTime" | "endTime"> = {},
    page: AuditPage = {},
  ): Promise<AuditLogPage> {
    return this.enabled ? getUserActivity(this.db, userId, range, page) : emptyPage(page);
  }

  async getSecurityEvents(
    range: Pick<AuditLogFilters, "startTime" | "endTime"> = {},
    page: AuditPage = {},
  ): Promise<AuditLogPage> {
    return this.enabled ? getSecurityEvents(this.db, range, page) : emptyPage(page);
  }

  async getStatistics(range: { startTime: Date; endTime?: Date }): Promise<AuditStatistics> {
    const endTime = range.endTime ?? new Date();
    if (this.enabled) return getAuditStatistics(this.db, { startTime: range.startTime, endTime });
    return emptyStatistics(range.startTime, endTime);
  }
}
