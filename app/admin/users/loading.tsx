// Shown while the users list loads.
import "./users.css";

export default function UsersLoading() {
  return (
    <main className="page wide" aria-busy="true">
      <h1>Users</h1>
      <p className="visually-hidden" role="status">Loading users…</p>
      <div className="card">
        <div className="skeleton" style={{ height: "2.2rem", maxWidth: "28rem" }} />
      </div>
      <div className="card" aria-hidden="true">
        {Array.from({ length: 8 }, (_, i) => (
          <div key={i} className="skeleton loading-row" />
        ))}
      </div>
    </main>
  );
}
