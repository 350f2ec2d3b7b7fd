"use client";

// The log explorer's table (TanStack Table v9): one row per event in the order the server sent
// them; the Time header links to the other sort order (sorting happens in the query, not here).
import { flexRender, tableFeatures, useTable, type ColumnDef } from "@tanstack/react-table";
import Link from "next/link";
import type { AuditLogSummary } from "@/lib/audit/query";

const features = tableFeatures({});

const columns: ColumnDef<typeof features, AuditLogSummary>[] = [
  { id: "time", header: "Time", accessorFn: (log) => log.timestamp, cell: (info) => <time dateTime={String(info.getValue())}>{String(info.getValue()).replace("T", " ").slice(0, 19)}</time> },
  {
    accessorKey: "event_type",
    header: "Event",
    cell: (info) => <Link href={`/admin/audit/${info.row.original.id}`}>{String(info.getValue())}</Link>,
  },
  { accessorKey: "severity", header: "Severity", cell: (info) => <span className={`sev sev-${String(info.getValue())}`}>{String(info.getValue())}</span> },
  {
    id: "user",
    header: "User",
    accessorFn: (log) => log.username ?? log.user_id ?? "",
    cell: (info) => {
      const log = info.row.original;
      return log.user_id ? <Link href={`/admin/audit/users/${encodeURIComponent(log.user_id)}`}>{log.username ?? log.user_id}</Link> : "—";
    },
  },
  { id: "resource", header: "Resource", accessorFn: (log) => [log.resource_type, log.resource_id].filter(Boolean).join(" ") || "—" },
  { accessorKey: "action", header: "Action", cell: (info) => String(info.getValue() ?? "—") },
  { accessorKey: "success", header: "Success", cell: (info) => (info.getValue() ? "yes" : <span className="bad">no</span>) },
  { accessorKey: "ip_address", header: "IP", cell: (info) => String(info.getValue() ?? "—") },
];

export interface TimeSort {
  order: "desc" | "asc";
  /** The URL of this view sorted the other way. */
  toggleHref: string;
}

export function AuditTable({ logs, sort, fresh }: { logs: AuditLogSummary[]; sort?: TimeSort; fresh?: ReadonlySet<number> }) {
  const table = useTable({ features, columns, data: logs });
  return (
    <div className="table-wrap">
      <table className="data-table">
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const sorted = sort && header.column.id === "time";
                return (
                  <th key={header.id} scope="col" aria-sort={sorted ? (sort.order === "asc" ? "ascending" : "descending") : undefined}>
                    {sorted ? (
                      <Link href={sort.toggleHref} title={sort.order === "asc" ? "Oldest first; show newest first" : "Newest first; show oldest first"}>
                        Time {sort.order === "asc" ? "↑" : "↓"}
                      </Link>
                    ) : (
                      flexRender(header.column.columnDef.header, header.getContext())
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr
              key={row.id}
              data-id={row.original.id}
              data-event-type={row.original.event_type}
              data-severity={row.original.severity}
              data-success={String(row.original.success)}
              data-user-id={row.original.user_id ?? ""}
              data-time={row.original.timestamp}
              className={fresh?.has(row.original.id) ? "fresh" : undefined}>
              {row.getAllCells().map((cell) => (
                <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
