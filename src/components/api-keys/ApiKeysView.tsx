"use client";

import { Card, Dialog, DialogPanel } from "@tremor/react";
import { useId, useState, type FormEvent } from "react";
import { formatDateTime, formatRelative } from "@/components/format";
import { CopyButton } from "@/components/ui/CopyButton";
import { KeyIcon, PlusIcon } from "@/components/ui/icons";
import { EmptyState, ErrorState, Skeleton } from "@/components/ui/states";
import { useOrigin } from "@/components/ui/useOrigin";
import { SnippetCard } from "./SnippetCard";
import { api, type RouterOutputs } from "@/trpc/react";

type ApiKeyRow = RouterOutputs["apiKeys"]["list"][number];
type Scope = ApiKeyRow["scopes"][number];

const SCOPES: { id: Scope; label: string; hint: string }[] = [
  { id: "ingest", label: "ingest", hint: "Send events to POST /api/events" },
  { id: "read", label: "read", hint: "Read GET /api/analytics" },
  { id: "backfill", label: "backfill", hint: "Import old events (beyond ingest.max_past_days, 30 by default)" },
];

const primaryButton =
  "inline-flex items-center justify-center gap-2 rounded-md bg-indigo-500 px-3.5 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-400 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400 disabled:cursor-wait disabled:opacity-70";
const secondaryButton =
  "inline-flex items-center justify-center rounded-md border border-gray-700 px-3.5 py-2 text-sm font-medium text-gray-200 hover:bg-gray-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500";

function ScopeBadges({ scopes, kind }: { scopes: Scope[]; kind: ApiKeyRow["kind"] }) {
  if (kind === "publishable") {
    return (
      <span
        className="rounded bg-sky-500/10 px-1.5 py-0.5 text-xs text-sky-300 ring-1 ring-inset ring-sky-500/30"
        title="For web pages: /api/collect only"
      >
        publishable
      </span>
    );
  }
  return (
    <span className="flex flex-wrap gap-1">
      {scopes.map((s) => (
        <span key={s} className="rounded bg-gray-800 px-1.5 py-0.5 font-mono text-xs text-gray-300 ring-1 ring-inset ring-gray-700">
          {s}
        </span>
      ))}
    </span>
  );
}

function StatusBadge({ status }: { status: ApiKeyRow["status"] }) {
  return status === "active" ? (
    <span className="inline-flex items-center gap-1.5 rounded-full bg-emerald-500/10 px-2 py-0.5 text-xs font-medium text-emerald-300 ring-1 ring-inset ring-emerald-500/30">
      <span aria-hidden="true" className="h-1.5 w-1.5 rounded-full bg-emerald-400" />
      Active
    </span>
  ) : (
    <span className="inline-flex items-center gap-1.5 rounded-full bg-gray-800 px-2 py-0.5 text-xs font-medium text-gray-400 ring-1 ring-inset ring-gray-700">
      Revoked
    </span>
  );
}

export function ApiKeysView({
  siteId,
  siteName,
  hostnames,
  justCreated = false,
}: {
  siteId: string;
  siteName: string;
  hostnames: string[];
  justCreated?: boolean;
}) {
  const keys = api.apiKeys.list.useQuery({ siteId });
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKeyRow | null>(null);
  const list = keys.data ?? [];

  return (
    <div className="space-y-5 sm:space-y-6">
      <div className="flex flex-col gap-4 sm:flex-row sm:items-end sm:justify-between">
        <div>
          <h1 className="text-xl font-semibold tracking-tight text-gray-50 sm:text-2xl">API keys</h1>
          <p className="mt-1 max-w-2xl text-sm text-gray-400">
            Keys authenticate your sites, apps and servers when they send events (<span className="font-mono">ingest</span>) or read the
            analytics API (<span className="font-mono">read</span>). A secret key is shown once when you create it; only its hash is stored.
            Publishable keys are for the website snippet below.
          </p>
        </div>
        <button type="button" className={primaryButton} onClick={() => setCreating(true)}>
          <PlusIcon width={16} height={16} />
          Create API key
        </button>
      </div>

      {justCreated && keys.data?.length === 0 ? (
        <p role="status" className="rounded-lg border border-emerald-900/50 bg-emerald-950/30 px-4 py-3 text-sm text-emerald-200">
          Site “{siteName}” created. Next, add Pulse to your website with the snippet below, or create a key with the{" "}
          <span className="font-mono">ingest</span> scope: it comes with a curl line that sends a first event.
        </p>
      ) : null}

      <SnippetCard siteId={siteId} hostnames={hostnames} keys={keys.data} />

      <Card className="p-0">
        {keys.isLoading ? (
          <div className="space-y-2 p-4" aria-busy="true" aria-label="Loading API keys">
            {Array.from({ length: 3 }, (_, i) => (
              <Skeleton key={i} className="h-10 w-full" />
            ))}
          </div>
        ) : keys.isError ? (
          <div className="p-4">
            <ErrorState title="Could not load the API keys" message={keys.error.message} onRetry={() => void keys.refetch()} />
          </div>
        ) : list.length === 0 ? (
          <div className="p-4">
            <EmptyState
              icon={<KeyIcon width={28} height={28} />}
              title="No API keys yet"
              action={
                <button type="button" className={primaryButton} onClick={() => setCreating(true)}>
                  Create your first key
                </button>
              }
            >
              Create a key with the <span className="font-mono">ingest</span> scope, then send events to{" "}
              <span className="font-mono">POST /api/events</span> with it.
            </EmptyState>
          </div>
        ) : (
          <>
            <div className="hidden overflow-x-auto md:block">
              <table className="w-full text-left text-sm" aria-label="API keys">
                <thead className="border-b border-gray-800 text-xs uppercase tracking-wide text-gray-400">
                  <tr>
                    <th scope="col" className="px-4 py-3 font-medium">
                      Name
                    </th>
                    <th scope="col" className="px-4 py-3 font-medium">
                      Key
                    </th>
                    <th scope="col" className="px-4 py-3 font-medium">
                      Scopes
                    </th>
                    <th scope="col" className="px-4 py-3 font-medium">
                      Created
                    </th>
                    <th scope="col" className="px-4 py-3 font-medium">
                      Last used
                    </th>
                    <th scope="col" className="px-4 py-3 font-medium">
                      Status
                    </th>
                    <th scope="col" className="px-4 py-3 font-medium">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-gray-800/70">
                  {list.map((k) => (
                    <tr key={k.id} className={k.status === "revoked" ? "text-gray-500" : "text-gray-200"}>
                      <td className="max-w-[16rem] truncate px-4 py-3 font-medium" title={k.name}>
                        {k.name}
                      </td>
                      <td className="px-4 py-3 font-mono text-xs">{k.prefix}_…</td>
                      <td className="px-4 py-3">
                        <ScopeBadges scopes={k.scopes} kind={k.kind} />
                      </td>
                      <td className="whitespace-nowrap px-4 py-3" title={formatDateTime(k.createdAt)}>
                        {formatRelative(k.createdAt)}
                      </td>
                      <td className="whitespace-nowrap px-4 py-3" title={k.lastUsedAt ? formatDateTime(k.lastUsedAt) : undefined}>
                        {k.lastUsedAt ? formatRelative(k.lastUsedAt) : "Never"}
                      </td>
                      <td className="px-4 py-3">
                        <StatusBadge status={k.status} />
                      </td>
                      <td className="px-4 py-3 text-right">
                        {k.status === "active" ? (
                          <button
                            type="button"
                            onClick={() => setRevoking(k)}
                            aria-label={`Revoke ${k.name}`}
                            className="rounded-md px-2.5 py-1 text-sm font-medium text-red-300 hover:bg-red-950/50 hover:text-red-200 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-500"
                          >
                            Revoke
                          </button>
                        ) : (
                          <span className="text-xs" title={k.revokedAt ? formatDateTime(k.revokedAt) : undefined}>
                            {k.revokedAt ? `revoked ${formatRelative(k.revokedAt)}` : null}
                          </span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <ul className="divide-y divide-gray-800/70 md:hidden" aria-label="API keys">
              {list.map((k) => (
                <li key={k.id} className={`space-y-2 p-4 ${k.status === "revoked" ? "text-gray-500" : "text-gray-200"}`}>
                  <div className="flex items-start justify-between gap-3">
                    <div className="min-w-0">
                      <p className="truncate font-medium">{k.name}</p>
                      <p className="font-mono text-xs text-gray-400">{k.prefix}_…</p>
                    </div>
                    <StatusBadge status={k.status} />
                  </div>
                  <ScopeBadges scopes={k.scopes} kind={k.kind} />
                  <p className="text-xs text-gray-400">
                    Created {formatRelative(k.createdAt)} · last used {k.lastUsedAt ? formatRelative(k.lastUsedAt) : "never"}
                  </p>
                  {k.status === "active" ? (
                    <button
                      type="button"
                      onClick={() => setRevoking(k)}
                      aria-label={`Revoke ${k.name}`}
                      className="rounded-md border border-red-900/60 px-2.5 py-1 text-sm font-medium text-red-300 hover:bg-red-950/50 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-500"
                    >
                      Revoke
                    </button>
                  ) : null}
                </li>
              ))}
            </ul>
          </>
        )}
      </Card>

      <CreateKeyDialog siteId={siteId} open={creating} onClose={() => setCreating(false)} />
      <RevokeKeyDialog siteId={siteId} apiKey={revoking} onClose={() => setRevoking(null)} />
    </div>
  );
}

function CreateKeyDialog({ siteId, open, onClose }: { siteId: string; open: boolean; onClose: () => void }) {
  const utils = api.useUtils();
  const titleId = useId();
  const [created, setCreated] = useState<RouterOutputs["apiKeys"]["create"] | null>(null);
  const create = api.apiKeys.create.useMutation({
    onSuccess: (res) => {
      setCreated(res);
      void utils.apiKeys.list.invalidate();
    },
  });
  const origin = useOrigin();

  function close() {
    onClose();
    // Forget the secret as soon as the dialog closes; it cannot be shown again.
    setTimeout(() => {
      setCreated(null);
      create.reset();
    }, 250);
  }

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    create.mutate({ siteId, kind: "secret", name: String(form.get("name") ?? ""), scopes: form.getAll("scopes").map(String) as Scope[] });
  }

  const fieldErrors = create.error?.data?.zodError?.fieldErrors as Record<string, string[] | undefined> | undefined;
  const secret = created?.secret ?? "";
  const curl = created?.key.scopes.includes("ingest")
    ? `curl -X POST ${origin}/api/events \\\n  -H "Authorization: Bearer ${secret}" \\\n  -H "Content-Type: application/json" \\\n  -d '{"event_type":"page_visited","user_id":"user-1","session_id":"session-1","page_path":"/"}'`
    : `curl -H "Authorization: Bearer ${secret}" "${origin}/api/analytics"`;

  return (
    // Headless UI's Dialog sets aria-labelledby itself (empty without its own DialogTitle), so name it here.
    <Dialog open={open} onClose={close} static={false} aria-label={created ? "API key created" : "Create API key"}>
      <DialogPanel className="max-w-lg !bg-gray-900 ring-1 ring-gray-800">
        {!created ? (
          <form onSubmit={submit} className="space-y-5">
            <div>
              <h2 id={titleId} className="text-lg font-semibold text-gray-50">
                Create API key
              </h2>
              <p className="mt-1 text-sm text-gray-400">Name it after the site or service that will use it.</p>
            </div>
            <div>
              <label htmlFor="key-name" className="block text-sm font-medium text-gray-300">
                Name
              </label>
              <input
                id="key-name"
                name="name"
                required
                maxLength={100}
                autoFocus
                placeholder="e.g. Marketing site"
                aria-invalid={Boolean(fieldErrors?.name)}
                aria-describedby={fieldErrors?.name ? "key-name-error" : undefined}
                className="mt-1.5 block w-full rounded-md border border-gray-700 bg-gray-950 px-3 py-2 text-sm text-gray-100 placeholder:text-gray-600 focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/40"
              />
              {fieldErrors?.name ? (
                <p id="key-name-error" className="mt-1 text-xs text-red-300">
                  {fieldErrors.name[0]}
                </p>
              ) : null}
            </div>
            <fieldset>
              <legend className="text-sm font-medium text-gray-300">Scopes</legend>
              <div className="mt-2 space-y-2">
                {SCOPES.map((s) => (
                  <label
                    key={s.id}
                    className="flex cursor-pointer items-start gap-3 rounded-md border border-gray-800 p-3 hover:border-gray-700"
                  >
                    <input
                      type="checkbox"
                      name="scopes"
                      value={s.id}
                      defaultChecked={s.id === "ingest"}
                      className="mt-0.5 h-4 w-4 rounded border-gray-600 bg-gray-950 accent-indigo-500"
                    />
                    <span className="text-sm">
                      <span className="font-mono text-gray-100">{s.label}</span>
                      <span className="block text-gray-400">{s.hint}</span>
                    </span>
                  </label>
                ))}
              </div>
              {fieldErrors?.scopes ? <p className="mt-1 text-xs text-red-300">{fieldErrors.scopes[0]}</p> : null}
            </fieldset>
            {create.error && !fieldErrors ? (
              <p role="alert" className="rounded-md border border-red-900/60 bg-red-950/40 px-3 py-2 text-sm text-red-200">
                {create.error.message}
              </p>
            ) : null}
            <div className="flex justify-end gap-2">
              <button type="button" className={secondaryButton} onClick={close}>
                Cancel
              </button>
              <button type="submit" className={primaryButton} disabled={create.isPending}>
                {create.isPending ? "Creating…" : "Create key"}
              </button>
            </div>
          </form>
        ) : (
          <div className="space-y-5">
            <div>
              <h2 id={titleId} className="text-lg font-semibold text-gray-50">
                Key “{created.key.name}” created
              </h2>
              <p role="status" className="mt-2 rounded-md border border-amber-900/50 bg-amber-950/30 px-3 py-2 text-sm text-amber-200">
                Copy it now. It will not be shown again; if you lose it, revoke it and create a new one.
              </p>
            </div>
            <div>
              <label htmlFor="new-key-secret" className="block text-sm font-medium text-gray-300">
                Your API key
              </label>
              <div className="mt-1.5 flex gap-2">
                <input
                  id="new-key-secret"
                  readOnly
                  value={secret}
                  onFocus={(e) => e.currentTarget.select()}
                  className="block w-full min-w-0 rounded-md border border-gray-700 bg-gray-950 px-3 py-2 font-mono text-xs text-gray-100 focus:border-indigo-500 focus:outline-none"
                />
                <CopyButton text={secret} label="Copy API key" />
              </div>
            </div>
            <div>
              <div className="flex items-center justify-between">
                <p id="curl-label" className="text-sm font-medium text-gray-300">
                  {created.key.scopes.includes("ingest") ? "Send a test event" : "Read the analytics"}
                </p>
                <CopyButton text={curl} label="Copy curl command" />
              </div>
              <pre
                aria-labelledby="curl-label"
                className="mt-1.5 max-h-56 overflow-auto whitespace-pre-wrap break-all rounded-md border border-gray-800 bg-gray-950 p-3 font-mono text-xs leading-relaxed text-gray-300"
              >
                {curl}
              </pre>
            </div>
            <div className="flex justify-end">
              <button type="button" className={primaryButton} onClick={close}>
                I have copied it
              </button>
            </div>
          </div>
        )}
      </DialogPanel>
    </Dialog>
  );
}

function RevokeKeyDialog({ siteId, apiKey, onClose }: { siteId: string; apiKey: ApiKeyRow | null; onClose: () => void }) {
  const utils = api.useUtils();
  const titleId = useId();
  // Keep showing the key's name while the dialog animates closed.
  const [shown, setShown] = useState<ApiKeyRow | null>(apiKey);
  if (apiKey && apiKey !== shown) setShown(apiKey);
  const revoke = api.apiKeys.revoke.useMutation({
    onSuccess: () => {
      void utils.apiKeys.list.invalidate();
      onClose();
    },
  });
  return (
    <Dialog open={apiKey !== null} onClose={onClose} role="alertdialog" aria-label={`Revoke “${shown?.name ?? "key"}”?`}>
      <DialogPanel className="max-w-md !bg-gray-900 ring-1 ring-gray-800">
        <h2 id={titleId} className="text-lg font-semibold text-gray-50">
          Revoke “{shown?.name}”?
        </h2>
        <p className="mt-2 text-sm text-gray-400">
          Requests with the key <span className="font-mono text-gray-300">{shown?.prefix}_…</span> are refused with 401 from now on. This
          cannot be undone.
        </p>
        {revoke.error ? (
          <p role="alert" className="mt-3 rounded-md border border-red-900/60 bg-red-950/40 px-3 py-2 text-sm text-red-200">
            {revoke.error.message}
          </p>
        ) : null}
        <div className="mt-6 flex justify-end gap-2">
          <button type="button" className={secondaryButton} onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            disabled={revoke.isPending || !shown}
            onClick={() => shown && revoke.mutate({ siteId, id: shown.id })}
            className="inline-flex items-center justify-center rounded-md bg-red-600 px-3.5 py-2 text-sm font-semibold text-white hover:bg-red-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-400 disabled:cursor-wait disabled:opacity-70"
          >
            {revoke.isPending ? "Revoking…" : "Revoke key"}
          </button>
        </div>
      </DialogPanel>
    </Dialog>
  );
}
