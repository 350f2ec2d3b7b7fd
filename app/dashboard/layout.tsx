import type { ReactNode } from "react";
import "./dashboard.css";

/**
 * The signed-in user's pages. Each page checks the session itself (a layout is not re-run on
 * navigation); the wrapper scopes dashboard.css to these pages.
 */
export default function DashboardLayout({ children }: { children: ReactNode }) {
  return <div className="user-page">{children}</div>;
}
