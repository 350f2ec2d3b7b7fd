/** @type {import('next').NextConfig} */
const nextConfig = {
  // PGlite loads its WebAssembly and data files relative to its own module, and
  // postgres.js keeps sockets: both must stay plain Node modules, not bundled.
  // drizzle-orm too: bundled, the build held several copies of it (one per chunk group), and its
  // row mapper's `is()` checks took ~0.85 ms of a 100-row page in a CPU profile, ~0.3 ms with the
  // one copy from node_modules (the mapper 1.35 → 0.5 ms; A/B p50 0.2–0.8 ms off every request).
  serverExternalPackages: ["@electric-sql/pglite", "postgres", "drizzle-orm"],
  // Lets two builds of one checkout coexist (e.g. a benchmark beside a development build).
  distDir: process.env.NEXT_DIST_DIR || ".next",
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
