"use client";

// The explorer's rows, with a live tail: when switched on, new events matching the filters arrive
// over Server-Sent Events from GET /audit/stream and appear at the top, highlighted.
import { useEffect, useState } from "react";
import type { AuditLogJson, AuditLogSummary } from "@/lib/audit/query";
import { AuditTable, type TimeSort } from "./audit-table";

const MAX_LIVE_ROWS = 500;

type TailState = "off" | "connecting" | "live" | "reconnecting";

export function ExplorerResults({ logs, sort, streamQuery }: { logs: AuditLogSummary[]; sort: TimeSort; streamQuery: string }) {
  const [tail, setTail] = useState<TailState>("off");
  const [live, setLive] = useState<AuditLogJson[]>([]);
  const on = tail !== "off";

  useEffect(() => {
    if (!on) return;
    const source = new EventSource(`/audit/stream?${streamQuery}`);
    source.onopen = () => setTail("live");
    source.onerror = () => setTail("reconnecting");
    source.addEventListener("audit", (event) => {
      const log = JSON.parse((event as MessageEvent<string>).data) as AuditLogJson;
      setLive((rows) => (rows.some((r) => r.id === log.id) ? rows : [log, ...rows].slice(0, MAX_LIVE_ROWS)));
    });
    return () => source.close();
  }, [on, streamQuery]);

  const shown = live.length ? [...live, ...logs.filter((l) => !live.some((r) => r.id === l.id))] : logs;
  const status = { off: "", connecting: "Connecting…", live: "Live", reconnecting: "Connection lost; reconnecting…" }[tail];
  return (
    <>
      <div className="actions toolbar">
        <button
          type="button"
          aria-pressed={on}
          className={on ? "toggle on" : "toggle"}
          onClick={() => {
            setTail(on ? "off" : "connecting");
            if (on) setLive([]);
          }}
        >
          Live tail {on ? "on" : "off"}
        </button>
        <span role="status" aria-live="polite" data-testid="live-status">
          {on && `${status}: ${live.length} new ${live.length === 1 ? "event" : "events"} since switched on`}
        </span>
      </div>
      {shown.length === 0 ? (
        <p className="card empty">
          No events match these filters. Widen the time range or clear a filter{on ? "; new matching events will appear here." : "."}
        </p>
      ) : (
        <AuditTable logs={shown} sort={sort} fresh={new Set(live.map((l) => l.id))} />
      )}
    </>
  );
}
