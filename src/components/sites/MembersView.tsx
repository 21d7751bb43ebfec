"use client";

import { Card, Dialog, DialogPanel } from "@tremor/react";
import { useState, type FormEvent } from "react";
import { formatDateTime, formatRelative } from "@/components/format";
import { CopyButton } from "@/components/ui/CopyButton";
import { UsersIcon } from "@/components/ui/icons";
import { EmptyState, ErrorState, Skeleton } from "@/components/ui/states";
import { cardClass, dangerButton, inputClass, primaryButton, secondaryButton } from "@/components/ui/styles";
import { INVITE_DAYS } from "@/core/sites/invites";
import { api, type RouterOutputs } from "@/trpc/react";
import { Field } from "./fields";

type Member = RouterOutputs["members"]["list"][number];
type Role = Member["role"];

/** A one-time link to pass on (Pulse sends no email): shown once, right after it was made. */
interface IssuedLink {
  email: string;
  url: string;
}

export function MembersView({ siteId, siteName }: { siteId: string; siteName: string }) {
  const members = api.members.list.useQuery({ siteId });
  const [link, setLink] = useState<IssuedLink | null>(null);
  const [removing, setRemoving] = useState<Member | null>(null);
  const list = members.data ?? [];

  return (
    <div className="space-y-5 sm:space-y-6">
      <div>
        <h1 className="text-xl font-semibold tracking-tight text-gray-50 sm:text-2xl">Members</h1>
        <p className="mt-1 max-w-2xl text-sm text-gray-400">
          People with a role on <span className="text-gray-200">{siteName}</span>. Viewers read its dashboard; editors also manage its keys
          and settings. Admins see every site and are not listed here.
        </p>
      </div>

      <InviteForm siteId={siteId} onLink={setLink} />

      {link ? <LinkNotice link={link} onDismiss={() => setLink(null)} /> : null}

      <Card className="p-0">
        {members.isLoading ? (
          <div className="space-y-2 p-4" aria-busy="true" aria-label="Loading members">
            {Array.from({ length: 3 }, (_, i) => (
              <Skeleton key={i} className="h-10 w-full" />
            ))}
          </div>
        ) : members.isError ? (
          <div className="p-4">
            <ErrorState title="Could not load the members" message={members.error.message} onRetry={() => void members.refetch()} />
          </div>
        ) : list.length === 0 ? (
          <div className="p-4">
            <EmptyState icon={<UsersIcon width={28} height={28} />} title="No members yet">
              Invite someone above by email. A viewer sees the dashboard; an editor also manages keys and settings.
            </EmptyState>
          </div>
        ) : (
          <>
            <div className="hidden overflow-x-auto md:block">
              <table className="w-full text-left text-sm" aria-label="Members">
                <thead className="border-b border-gray-800 text-xs uppercase tracking-wide text-gray-400">
                  <tr>
                    <th scope="col" className="px-4 py-3 font-medium">
                      Email
                    </th>
                    <th scope="col" className="px-4 py-3 font-medium">
                      Role
                    </th>
                    <th scope="col" className="px-4 py-3 font-medium">
                      Since
                    </th>
                    <th scope="col" className="px-4 py-3 font-medium">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-gray-800/70">
                  {list.map((m) => (
                    <tr key={m.userId} className="text-gray-200">
                      <td className="max-w-[22rem] px-4 py-3">
                        <p className="truncate font-medium" title={m.email}>
                          {m.email}
                        </p>
                        {m.hasPassword ? null : <NoPassword siteId={siteId} member={m} onLink={setLink} />}
                      </td>
                      <td className="px-4 py-3">
                        <RoleSelect siteId={siteId} member={m} />
                      </td>
                      <td className="whitespace-nowrap px-4 py-3 text-gray-400" title={formatDateTime(m.since)}>
                        {formatRelative(m.since)}
                      </td>
                      <td className="px-4 py-3 text-right">
                        <RemoveButton member={m} onClick={() => setRemoving(m)} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <ul className="divide-y divide-gray-800/70 md:hidden" aria-label="Members">
              {list.map((m) => (
                <li key={m.userId} className="space-y-2 p-4 text-gray-200">
                  <p className="truncate font-medium" title={m.email}>
                    {m.email}
                  </p>
                  {m.hasPassword ? null : <NoPassword siteId={siteId} member={m} onLink={setLink} />}
                  <div className="flex items-center justify-between gap-3">
                    <RoleSelect siteId={siteId} member={m} />
                    <RemoveButton member={m} onClick={() => setRemoving(m)} />
                  </div>
                </li>
              ))}
            </ul>
          </>
        )}
      </Card>

      <RemoveDialog siteId={siteId} siteName={siteName} member={removing} onClose={() => setRemoving(null)} />
    </div>
  );
}

function InviteForm({ siteId, onLink }: { siteId: string; onLink: (link: IssuedLink | null) => void }) {
  const utils = api.useUtils();
  const [signedUp, setSignedUp] = useState<{ email: string; role: Role } | null>(null);
  const invite = api.members.invite.useMutation({
    onSuccess: (res, input) => {
      void utils.members.list.invalidate({ siteId });
      if (res.inviteUrl) {
        setSignedUp(null);
        onLink({ email: res.member.email, url: res.inviteUrl });
      } else {
        onLink(null);
        setSignedUp({ email: res.member.email, role: input.role });
      }
    },
  });

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    invite.mutate(
      { siteId, email: String(form.get("email") ?? ""), role: form.get("role") === "editor" ? "editor" : "viewer" },
      { onSuccess: () => formEl.reset() },
    );
  }

  return (
    <section aria-labelledby="invite" className={cardClass}>
      <h2 id="invite" className="text-base font-semibold text-gray-100">
        Invite someone
      </h2>
      <form onSubmit={submit} className="mt-4 flex flex-col gap-4 sm:flex-row sm:items-start">
        <div className="min-w-0 flex-1">
          <Field id="invite-email" label="Email">
            <input
              id="invite-email"
              name="email"
              type="email"
              required
              maxLength={320}
              autoComplete="off"
              placeholder="name@example.com"
              aria-invalid={Boolean(invite.error)}
              aria-describedby={invite.error ? "invite-error" : undefined}
              className={inputClass}
            />
          </Field>
        </div>
        <div className="sm:w-40">
          <Field id="invite-role" label="Role">
            <select id="invite-role" name="role" defaultValue="viewer" className={inputClass}>
              <option value="viewer">Viewer</option>
              <option value="editor">Editor</option>
            </select>
          </Field>
        </div>
        <button type="submit" className={`${primaryButton} sm:mt-7`} disabled={invite.isPending}>
          {invite.isPending ? "Inviting…" : "Invite"}
        </button>
      </form>
      {invite.error ? (
        <p id="invite-error" role="alert" className="mt-3 rounded-md border border-red-900/60 bg-red-950/40 px-3 py-2 text-sm text-red-200">
          {invite.error.message}
        </p>
      ) : null}
      {signedUp ? (
        <p role="status" className="mt-3 rounded-md border border-emerald-900/50 bg-emerald-950/30 px-3 py-2 text-sm text-emerald-200">
          {signedUp.email} already has a password: they can sign in now and see this site as {signedUp.role}.
        </p>
      ) : null}
    </section>
  );
}

function LinkNotice({ link, onDismiss }: { link: IssuedLink; onDismiss: () => void }) {
  return (
    <section
      aria-labelledby="invite-link-title"
      className="space-y-3 rounded-xl border border-amber-900/50 bg-amber-950/20 p-4 sm:p-5"
      data-testid="invite-link"
    >
      <p id="invite-link-title" role="status" className="text-sm text-amber-100">
        Send this one-time link to <span className="break-words font-medium">{link.email}</span>; it sets their password and is valid for{" "}
        {INVITE_DAYS} days. It is not shown again.
      </p>
      <div className="flex gap-2">
        <input
          readOnly
          aria-label={`Invitation link for ${link.email}`}
          value={link.url}
          onFocus={(e) => e.currentTarget.select()}
          className="block w-full min-w-0 rounded-md border border-gray-700 bg-gray-950 px-3 py-2 font-mono text-xs text-gray-100 focus:border-indigo-500 focus:outline-none"
        />
        <CopyButton text={link.url} label="Copy invitation link" />
      </div>
      <button type="button" className="text-xs font-medium text-amber-200/80 hover:text-amber-100" onClick={onDismiss}>
        Done, hide it
      </button>
    </section>
  );
}

function NoPassword({ siteId, member, onLink }: { siteId: string; member: Member; onLink: (link: IssuedLink) => void }) {
  const renew = api.members.newInviteLink.useMutation({ onSuccess: (res) => onLink({ email: member.email, url: res.inviteUrl }) });
  return (
    <div className="mt-1 flex flex-wrap items-center gap-2">
      <span className="rounded-full bg-amber-500/10 px-2 py-0.5 text-xs font-medium text-amber-300 ring-1 ring-inset ring-amber-500/30">
        has not set a password yet
      </span>
      <button
        type="button"
        onClick={() => renew.mutate({ siteId, userId: member.userId })}
        disabled={renew.isPending}
        aria-label={`New invitation link for ${member.email}`}
        className="rounded px-1.5 py-0.5 text-xs font-medium text-indigo-300 hover:bg-indigo-950/60 hover:text-indigo-200 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 disabled:cursor-wait"
      >
        {renew.isPending ? "Making a link…" : "New link"}
      </button>
      {renew.error ? <span className="text-xs text-red-300">{renew.error.message}</span> : null}
    </div>
  );
}

function RoleSelect({ siteId, member }: { siteId: string; member: Member }) {
  const utils = api.useUtils();
  const setRole = api.members.setRole.useMutation({ onSettled: () => void utils.members.list.invalidate({ siteId }) });
  const value = setRole.isPending && setRole.variables ? setRole.variables.role : member.role;
  return (
    <div>
      <select
        aria-label={`Role of ${member.email}`}
        value={value}
        disabled={setRole.isPending}
        onChange={(e) => setRole.mutate({ siteId, userId: member.userId, role: e.target.value === "editor" ? "editor" : "viewer" })}
        className="rounded-md border border-gray-700 bg-gray-950 px-2.5 py-1.5 text-sm text-gray-100 focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/40 disabled:opacity-70"
      >
        <option value="viewer">Viewer</option>
        <option value="editor">Editor</option>
      </select>
      {setRole.error ? <p className="mt-1 text-xs text-red-300">{setRole.error.message}</p> : null}
    </div>
  );
}

function RemoveButton({ member, onClick }: { member: Member; onClick: () => void }) {
  return (
    <button
      type="button"
      onClick={onClick}
      aria-label={`Remove ${member.email}`}
      className="rounded-md px-2.5 py-1 text-sm font-medium text-red-300 hover:bg-red-950/50 hover:text-red-200 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-500"
    >
      Remove
    </button>
  );
}

function RemoveDialog({
  siteId,
  siteName,
  member,
  onClose,
}: {
  siteId: string;
  siteName: string;
  member: Member | null;
  onClose: () => void;
}) {
  const utils = api.useUtils();
  // Keep showing the member's email while the dialog animates closed.
  const [shown, setShown] = useState<Member | null>(member);
  if (member && member !== shown) setShown(member);
  const remove = api.members.remove.useMutation({
    onSuccess: () => {
      void utils.members.list.invalidate({ siteId });
      onClose();
    },
  });
  return (
    <Dialog open={member !== null} onClose={onClose} role="alertdialog" aria-label={`Remove ${shown?.email ?? "member"}?`}>
      <DialogPanel className="max-w-md !bg-gray-900 ring-1 ring-gray-800">
        <h2 className="break-words text-lg font-semibold text-gray-50">Remove {shown?.email}?</h2>
        <p className="mt-2 text-sm text-gray-400">
          They lose their role on {siteName} at once. Their account stays, with its roles on other sites.
        </p>
        {remove.error ? (
          <p role="alert" className="mt-3 rounded-md border border-red-900/60 bg-red-950/40 px-3 py-2 text-sm text-red-200">
            {remove.error.message}
          </p>
        ) : null}
        <div className="mt-6 flex justify-end gap-2">
          <button type="button" className={secondaryButton} onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className={dangerButton}
            disabled={remove.isPending || !shown}
            onClick={() => shown && remove.mutate({ siteId, userId: shown.userId })}
          >
            {remove.isPending ? "Removing…" : "Remove"}
          </button>
        </div>
      </DialogPanel>
    </Dialog>
  );
}
