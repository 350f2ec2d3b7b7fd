// How every CLI ends: its exit code, or the error's message (a settings error names the variable).
import { EnvError } from "@/lib/env";

export function runCli(main: () => Promise<number>, failureCode = 1): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof EnvError ? error.message : error instanceof Error ? error.message : error);
      process.exit(failureCode);
    },
  );
}
