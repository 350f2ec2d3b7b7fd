// Placeholders shown while a page's data loads (each route's loading.tsx).
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
