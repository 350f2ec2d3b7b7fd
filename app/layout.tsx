import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { SiteHeader } from "./ui/site-header";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Memoric", template: "%s · Memoric" },
  description: "Self-hosted memory service for AI agents, with an audit log compliance teams can trust.",
};

// The header shows who is signed in, so no page (not even not-found) can be prerendered at build time.
export const dynamic = "force-dynamic";

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <SiteHeader />
        <div id="main">{children}</div>
      </body>
    </html>
  );
}
