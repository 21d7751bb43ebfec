import type { ReactNode } from "react";
import { TRPCReactProvider } from "@/trpc/react";

/** Setting a password through an invitation: no session yet, only the tRPC client for invite.redeem. */
export default function InviteLayout({ children }: { children: ReactNode }) {
  return <TRPCReactProvider>{children}</TRPCReactProvider>;
}
