/** @type {import('next').NextConfig} */
const nextConfig = {
  // PGlite loads its WebAssembly and data files relative to its own module, and
  // postgres.js keeps sockets: both must stay plain Node modules, not bundled.
  serverExternalPackages: ["@electric-sql/pglite", "postgres"],
  // Lets two builds of one checkout coexist (e.g. a benchmark beside a development build).
  distDir: process.env.NEXT_DIST_DIR || ".next",
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
