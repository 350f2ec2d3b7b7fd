// Next.js calls register() once when the server starts.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startServer } = await import("@/lib/server/startup");
  try {
    await startServer();
  } catch (error) {
    console.error("[memoric] start-up failed:", error);
    process.exit(1);
  }
}
