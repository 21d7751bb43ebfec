"use client";

import { useSyncExternalStore } from "react";

const subscribe = () => () => {};

/** The page's origin (e.g. "https://analytics.example.com"); "" during server rendering. */
export function useOrigin(): string {
  return useSyncExternalStore(
    subscribe,
    () => window.location.origin,
    () => "",
  );
}
