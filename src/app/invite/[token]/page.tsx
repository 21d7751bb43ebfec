import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AuthCard } from "@/components/auth/AuthCard";
import { SetPasswordForm } from "@/components/auth/SetPasswordForm";
import { inviteFor } from "@/core/db/members";
import { MIN_PASSWORD_LENGTH } from "@/core/db/users";

export const metadata: Metadata = { title: "Set a password" };
export const dynamic = "force-dynamic";

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invite = await inviteFor(token);
  if (!invite) notFound();
  return (
    <AuthCard title="Set a password" subtitle={<>for {invite.email}</>}>
      <SetPasswordForm token={token} email={invite.email} minLength={MIN_PASSWORD_LENGTH} />
    </AuthCard>
  );
}
