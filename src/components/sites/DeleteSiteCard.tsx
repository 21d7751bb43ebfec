"use client";

import { Dialog, DialogPanel } from "@tremor/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { formatInteger } from "@/components/format";
import { Skeleton } from "@/components/ui/states";
import { dangerButton, inputClass, secondaryButton } from "@/components/ui/styles";
import { api } from "@/trpc/react";
import type { SiteView } from "./SettingsView";

function count(n: number, one: string, many: string): string {
  return `${formatInteger(n)} ${n === 1 ? one : many}`;
}

/** Admins only: deleting a site after reading what goes with it and typing its name. */
export function DeleteSiteCard({ site }: { site: SiteView }) {
  const [open, setOpen] = useState(false);
  return (
    <section aria-labelledby="danger-zone" className="rounded-xl border border-red-900/50 bg-red-950/10 p-4 sm:p-6">
      <h2 id="danger-zone" className="text-base font-semibold text-red-200">
        Danger zone
      </h2>
      <div className="mt-2 flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
        <p className="text-sm text-gray-400">Deleting the site removes its sessions, aggregates, keys and members. It cannot be undone.</p>
        <button type="button" className={`${dangerButton} shrink-0`} onClick={() => setOpen(true)}>
          Delete site
        </button>
      </div>
      <DeleteSiteDialog site={site} open={open} onClose={() => setOpen(false)} />
    </section>
  );
}

function DeleteSiteDialog({ site, open, onClose }: { site: SiteView; open: boolean; onClose: () => void }) {
  const router = useRouter();
  const [typed, setTyped] = useState("");
  // Counted when the dialog opens, so the numbers are the ones the delete will remove.
  const preview = api.sites.deletionPreview.useQuery({ siteId: site.id }, { enabled: open, staleTime: 0 });
  const remove = api.sites.delete.useMutation({
    onSuccess: () => {
      router.push("/sites");
      router.refresh();
    },
  });
  const matches = typed.trim() === site.name;

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (matches) remove.mutate({ siteId: site.id, confirmName: typed });
  }

  function close() {
    onClose();
    setTyped("");
    remove.reset();
  }

  const p = preview.data;
  return (
    <Dialog open={open} onClose={close} role="alertdialog" aria-label={`Delete “${site.name}”?`}>
      <DialogPanel className="max-w-md !bg-gray-900 ring-1 ring-gray-800">
        <form onSubmit={submit} className="space-y-4">
          <h2 className="break-words text-lg font-semibold text-gray-50">Delete “{site.name}”?</h2>
          <div className="text-sm text-gray-400" aria-busy={preview.isLoading}>
            {p ? (
              <>
                <p>This removes, at once and for good:</p>
                <ul className="mt-2 list-inside list-disc space-y-0.5 text-gray-200" data-testid="deletion-preview">
                  <li>{count(p.sessions, "session", "sessions")}</li>
                  <li>{count(p.days, "day of aggregates", "days of aggregates")}</li>
                  <li>{count(p.keys, "API key", "API keys")}</li>
                  <li>
                    {count(p.members, "member", "members")}
                    {p.members === 0 ? null : p.members === 1 ? " (the account stays)" : " (the accounts stay)"}
                  </li>
                </ul>
                <p className="mt-2">The raw event log files stay on disk; the ETL skips them from now on.</p>
              </>
            ) : preview.isError ? (
              <p className="text-red-300">{preview.error.message}</p>
            ) : (
              <Skeleton className="h-20 w-full" />
            )}
          </div>
          <div>
            <label htmlFor="confirm-site-name" className="block text-sm font-medium text-gray-300">
              Type <span className="font-mono text-gray-100">{site.name}</span> to confirm
            </label>
            <input
              id="confirm-site-name"
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              autoComplete="off"
              spellCheck={false}
              className={inputClass}
            />
          </div>
          {remove.error ? (
            <p role="alert" className="rounded-md border border-red-900/60 bg-red-950/40 px-3 py-2 text-sm text-red-200">
              {remove.error.message}
            </p>
          ) : null}
          <div className="flex justify-end gap-2">
            <button type="button" className={secondaryButton} onClick={close}>
              Cancel
            </button>
            <button type="submit" className={dangerButton} disabled={!matches || remove.isPending || remove.isSuccess}>
              {remove.isPending || remove.isSuccess ? "Deleting…" : "Delete site"}
            </button>
          </div>
        </form>
      </DialogPanel>
    </Dialog>
  );
}
