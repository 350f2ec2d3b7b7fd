// Shown while a user's manage panel loads.
import "../users.css";

export default function ManageUserLoading() {
  return (
    <main className="page users-panel" aria-busy="true">
      <p className="visually-hidden" role="status">Loading the user…</p>
      <div className="skeleton" style={{ height: "2.2rem", maxWidth: "20rem", margin: "1rem 0" }} />
      <div className="card" aria-hidden="true">
        {Array.from({ length: 5 }, (_, i) => (
          <div key={i} className="skeleton loading-row" />
        ))}
      </div>
      <div className="panel-forms" aria-hidden="true">
        {Array.from({ length: 3 }, (_, i) => (
          <div key={i} className="card">
            <div className="skeleton" style={{ height: "8rem" }} />
          </div>
        ))}
      </div>
    </main>
  );
}
