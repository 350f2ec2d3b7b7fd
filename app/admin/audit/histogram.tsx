"use client";

// The explorer's time histogram (recharts): matching events per bucket, failed ones stacked in red.
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { AuditHistogram } from "@/lib/audit/histogram";

function widthLabel(seconds: number): string {
  if (seconds % 86_400 === 0) return seconds === 86_400 ? "day" : `${seconds / 86_400} days`;
  if (seconds % 3600 === 0) return seconds === 3600 ? "hour" : `${seconds / 3600} hours`;
  return seconds === 60 ? "minute" : `${seconds / 60} minutes`;
}

function bucketLabel(iso: string, seconds: number): string {
  return seconds >= 86_400 ? iso.slice(5, 10) : iso.slice(5, 16).replace("T", " ");
}

export function AuditHistogramChart({ histogram }: { histogram: AuditHistogram }) {
  const data = histogram.buckets.map((b) => ({
    label: bucketLabel(b.start, histogram.bucketSeconds),
    succeeded: b.total - b.failed,
    failed: b.failed,
  }));
  const total = histogram.buckets.reduce((n, b) => n + b.total, 0);
  return (
    <figure className="card histogram" aria-describedby="histogram-summary">
      <figcaption>
        Matching events per {widthLabel(histogram.bucketSeconds)} (UTC){" "}
        <span id="histogram-summary" className="muted">
          — <span data-testid="histogram-total">{total}</span> in all
        </span>
      </figcaption>
      <ResponsiveContainer width="100%" height={160}>
        <BarChart data={data} accessibilityLayer margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" minTickGap={24} fontSize={12} />
          <YAxis allowDecimals={false} width={40} fontSize={12} />
          <Tooltip />
          <Legend />
          <Bar dataKey="succeeded" name="Succeeded" stackId="events" fill="#0969da" />
          <Bar dataKey="failed" name="Failed" stackId="events" fill="#cf222e" />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
