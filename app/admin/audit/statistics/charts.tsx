"use client";

// Charts of the statistics page (recharts): events over time (total and failed), by type, by severity.
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { AuditStatistics } from "@/lib/audit/stats";

export function StatisticsCharts({ stats }: { stats: AuditStatistics }) {
  const timeline = stats.timeline.map((b) => ({ ...b, label: b.bucket.slice(5, 16).replace("T", " ") }));
  const byType = Object.entries(stats.events_by_type)
    .map(([type, count]) => ({ type, count }))
    .sort((a, b) => b.count - a.count)
    .slice(0, 15);
  const bySeverity = ["debug", "info", "warning", "error", "critical"].map((severity) => ({ severity, count: stats.events_by_severity[severity] ?? 0 }));
  return (
    <div className="charts">
      <figure className="card">
        <figcaption>Events over time</figcaption>
        <ResponsiveContainer width="100%" height={240}>
        <LineChart data={timeline} accessibilityLayer>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="label" />
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Legend />
          <Line type="monotone" dataKey="total" name="All events" stroke="#0969da" dot={false} />
          <Line type="monotone" dataKey="failed" name="Failed" stroke="#cf222e" dot={false} />
        </LineChart>
        </ResponsiveContainer>
      </figure>
      <figure className="card">
        <figcaption>By event type (top 15)</figcaption>
        <ResponsiveContainer width="100%" height={Math.max(160, byType.length * 24)}>
        <BarChart data={byType} layout="vertical" accessibilityLayer>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis type="number" allowDecimals={false} />
          <YAxis type="category" dataKey="type" width={230} interval={0} />
          <Tooltip />
          <Bar dataKey="count" name="Events" fill="#0969da" />
        </BarChart>
        </ResponsiveContainer>
      </figure>
      <figure className="card">
        <figcaption>By severity</figcaption>
        <ResponsiveContainer width="100%" height={200}>
        <BarChart data={bySeverity} accessibilityLayer>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="severity" />
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Bar dataKey="count" name="Events" fill="#9a6700" />
        </BarChart>
        </ResponsiveContainer>
      </figure>
    </div>
  );
}
