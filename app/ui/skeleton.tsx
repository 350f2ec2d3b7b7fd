// Placeholders shown while a page's data loads (each route's loading.tsx, and Suspense fallbacks).
export function TableSkeleton({ title, rows = 8 }: { title: string; rows?: number }) {
  return (
    <main className="page wide" aria-busy="true">
      <h1>{title}</h1>
      <p className="muted" role="status">
        Loading…
      </p>
      <div className="card">
        {Array.from({ length: rows }, (_, i) => (
          <div key={i} className="skeleton" style={{ marginBottom: "0.6rem", width: `${90 - (i % 3) * 10}%` }} />
        ))}
      </div>
    </main>
  );
}

export function FormSkeleton({ title, fields = 4 }: { title: string; fields?: number }) {
  return (
    <main className="page" aria-busy="true">
      <h1>{title}</h1>
      <p className="muted" role="status">
        Loading…
      </p>
      <div className="card form">
        {Array.from({ length: fields }, (_, i) => (
          <div key={i} className="field">
            <div className="skeleton" style={{ width: "8rem" }} />
            <div className="skeleton" style={{ minHeight: i === 0 ? "6rem" : "2rem" }} />
          </div>
        ))}
      </div>
    </main>
  );
}

/** The rows of a table, for a Suspense boundary keyed by the filters. */
export function RowsSkeleton({ rows = 5 }: { rows?: number }) {
  return (
    <div className="card" aria-busy="true">
      <p className="muted" role="status">
        Loading…
      </p>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="skeleton" style={{ marginBottom: "0.6rem", width: `${95 - (i % 3) * 12}%` }} />
      ))}
    </div>
  );
}
