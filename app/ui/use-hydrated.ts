"use client";

// Whether React has hydrated this page. A form whose submit is handled in the browser keeps its
// button disabled until then: clicked earlier, the browser would submit it natively — for a sign-in
// form, as a GET with the password in the URL.
import { useSyncExternalStore } from "react";

const subscribe = () => () => undefined;

export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}
