import type { ReactNode } from "react";
import { TRPCReactProvider } from "@/trpc/react";

/** Shared dashboards: no session, no app shell; only the tRPC client for shared.report. */
export default function ShareLayout({ children }: { children: ReactNode }) {
  return <TRPCReactProvider>{children}</TRPCReactProvider>;
}
