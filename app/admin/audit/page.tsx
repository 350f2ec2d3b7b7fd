// The audit log explorer: every filter of GET /audit/logs, read from the URL and validated with the
// same schema as the API, so a copied link reproduces the view.
import Link from "next/link";
import { recordAuditRead } from "@/lib/audit/access";
import { EVENT_TYPES, SEVERITIES } from "@/lib/audit/events";
import { auditLogsQuery } from "@/lib/audit/filters";
import { AuditLogger } from "@/lib/audit/logger";
import { auditHistogram } from "@/lib/audit/histogram";
import { auditLogSummary } from "@/lib/audit/query";
import { requireAdminPage } from "@/lib/auth/pages";
import { getDb } from "@/lib/db/client";
import { Forbidden } from "@/app/ui/forbidden";
import { fieldErrorsOf } from "@/app/ui/form-state";
import { FilterForm } from "@/app/ui/filter-form";
import { queryValues, type SearchParams } from "@/app/ui/search-params";
import { ExplorerResults } from "./explorer-results";
import { AuditHistogramChart } from "./histogram";

export const dynamic = "force-dynamic";
export const metadata = { title: "Audit log" };

const PAGE_SIZES = [25, 50, 100, 250];
const RANGES = [
  { hours: "1", label: "Last hour" },
  { hours: "24", label: "Last 24 hours" },
  { hours: "168", label: "Last 7 days" },
  { hours: "720", label: "Last 30 days" },
];

export default async function AuditExplorerPage({ searchParams }: { searchParams: SearchParams }) {
  const values = queryValues(await searchParams);
  const guard = await requireAdminPage("/admin/audit", new URLSearchParams(values).toString());
  if (!guard) return <Forbidden />;
  const parsed = auditLogsQuery.safeParse(values);
  const errors = parsed.success ? {} : fieldErrorsOf(parsed.error);

  const db = await getDb();
  const [page, histogram] = parsed.success
    ? await Promise.all([
        new AuditLogger(db).queryLogs(parsed.data.filters, parsed.data.page),
        auditHistogram(db, { ...parsed.data.filters, startTime: parsed.data.filters.startTime!, endTime: parsed.data.filters.endTime! }),
      ])
    : [null, null];
  await recordAuditRead(db, { ...guard.audit, requestParams: values }, "read", { view: "explorer", returned: page?.logs.length ?? 0, total: page?.total ?? 0 });

  const selectedTypes = new Set((values.event_type ?? "").split(","));
  const selectedSeverities = new Set((values.severity ?? "").split(","));
  const limit = page?.limit ?? 100;
  const offset = page?.offset ?? 0;
  const link = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams({ ...values });
    for (const [k, v] of Object.entries(changes)) if (v === undefined) next.delete(k); else next.set(k, v);
    return `/admin/audit?${next.toString()}`;
  };
  const exportQuery = new URLSearchParams(Object.fromEntries(Object.entries(values).filter(([k]) => !["limit", "offset", "cursor", "order"].includes(k))));
  // The live tail follows new events whatever their time: the range does not apply to it.
  const streamQuery = new URLSearchParams(Object.fromEntries([...exportQuery].filter(([k]) => !["hours", "start_time", "end_time"].includes(k))));
  const order = parsed.success ? parsed.data.page.order : "desc";
  const pages = page ? Math.max(1, Math.ceil(page.total / limit)) : 1;

  return (
    <main className="page wide">
      <h1>Audit log</h1>
      <FilterForm key={new URLSearchParams(values).toString()} action="/admin/audit" className="card filters" aria-label="Filters">
        <div className="field">
          <label htmlFor="event_type">Event types</label>
          <select id="event_type" name="event_type" multiple size={6} defaultValue={[...selectedTypes]}>
            {EVENT_TYPES.map((e) => (
              <option key={e.value} value={e.value}>
                {e.value}
              </option>
            ))}
          </select>
          {errors.event_type && <p className="bad" role="alert">{errors.event_type}</p>}
        </div>
        <fieldset className="field">
          <legend>Severity</legend>
          {SEVERITIES.map((s) => (
            <label key={s.value} className="inline">
              <input type="checkbox" name="severity" value={s.value} defaultChecked={selectedSeverities.has(s.value)} /> {s.value}
            </label>
          ))}
        </fieldset>
        {(["username", "user_id", "resource_type", "resource_id", "ip_address", "q"] as const).map((name) => (
          <div className="field" key={name}>
            <label htmlFor={name}>{name === "q" ? "Text search" : name.replace("_", " ")}</label>
            <input id={name} name={name} defaultValue={values[name] ?? ""} />
            {errors[name] && <p className="bad" role="alert">{errors[name]}</p>}
          </div>
        ))}
        <div className="field">
          <label htmlFor="success">Outcome</label>
          <select id="success" name="success" defaultValue={values.success ?? ""}>
            <option value="">Any</option>
            <option value="true">Succeeded</option>
            <option value="false">Failed</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="hours">Time range</label>
          <select id="hours" name="hours" defaultValue={values.hours ?? "24"}>
            {RANGES.map((r) => (
              <option key={r.hours} value={r.hours}>
                {r.label}
              </option>
            ))}
          </select>
          {errors.hours && <p className="bad" role="alert">hours {errors.hours}</p>}
        </div>
        <div className="field">
          <label htmlFor="start_time">From (ISO 8601, overrides the range)</label>
          <input id="start_time" name="start_time" placeholder="2026-01-31T00:00:00Z" defaultValue={values.start_time ?? ""} />
          {errors.start_time && <p className="bad" role="alert">{errors.start_time}</p>}
        </div>
        <div className="field">
          <label htmlFor="end_time">To</label>
          <input id="end_time" name="end_time" placeholder="2026-01-31T23:59:59Z" defaultValue={values.end_time ?? ""} />
          {errors.end_time && <p className="bad" role="alert">{errors.end_time}</p>}
        </div>
        <div className="field">
          <label htmlFor="limit">Rows per page</label>
          <select id="limit" name="limit" defaultValue={String(limit)}>
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
        {values.order && <input type="hidden" name="order" value={values.order} />}
        <div className="actions">
          <button type="submit">Apply filters</button>
          <Link href="/admin/audit">Reset</Link>
        </div>
      </FilterForm>

      {!page ? (
        <div role="alert" className="bad">
          <p>Some filters are not valid; correct the fields marked above.</p>
          <ul>
            {Object.entries(errors).map(([field, message]) => (
              <li key={field}>
                {field}: {message}
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <>
          <p className="summary" aria-live="polite">
            <strong data-testid="total">{page.total}</strong> matching events{page.total ? `, showing ${offset + 1}–${offset + page.logs.length}` : ""}.{" "}
            Export: <a href={`/audit/export?${exportQuery}&format=csv`}>CSV</a> · <a href={`/audit/export?${exportQuery}&format=ndjson`}>NDJSON</a>
          </p>
          {histogram && page.total > 0 && <AuditHistogramChart histogram={histogram} />}
          <ExplorerResults
            key={`${streamQuery.toString()} ${order}`}
            logs={page.logs.map(auditLogSummary)}
            sort={{ order, toggleHref: link({ order: order === "asc" ? undefined : "asc", offset: undefined, cursor: undefined }) }}
            streamQuery={streamQuery.toString()}
          />
          <nav className="pagination" aria-label="Pages">
            {offset > 0 && <Link href={link({ offset: undefined, cursor: undefined })}>« First</Link>}
            {offset > 0 && <Link href={link({ offset: String(Math.max(0, offset - limit)), cursor: undefined })}>‹ Previous</Link>}
            <span data-testid="page-of">
              Page {Math.floor(offset / limit) + 1} of {pages}
            </span>
            {offset + limit < page.total && <Link href={link({ offset: String(offset + limit), cursor: undefined })}>Next ›</Link>}
          </nav>
        </>
      )}
    </main>
  );
}
