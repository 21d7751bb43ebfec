"use client";

import { useSyncExternalStore, type ReactNode } from "react";
import { inputClass, labelClass } from "@/components/ui/styles";

/** Field-by-field messages the server sends for a refused form (zodError in src/server/api/trpc.ts). */
export type FieldErrors = Record<string, string[] | undefined> | undefined;

export function fieldErrorsOf(error: { data?: { zodError?: { fieldErrors?: unknown } | null } | null } | null): FieldErrors {
  return (error?.data?.zodError?.fieldErrors ?? undefined) as FieldErrors;
}

/** "a.example, b.example\nc.example" → ["a.example", "b.example", "c.example"]; the server normalizes and checks them. */
export function parseHostnames(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((h) => h.trim())
    .filter(Boolean);
}

export function Field({
  id,
  label,
  hint,
  errors,
  children,
}: {
  id: string;
  label: string;
  hint?: ReactNode;
  errors?: string[];
  children: ReactNode;
}) {
  return (
    <div>
      <label htmlFor={id} className={labelClass}>
        {label}
      </label>
      {children}
      {errors?.[0] ? (
        <p id={`${id}-error`} className="mt-1 text-xs text-red-300">
          {errors[0]}
        </p>
      ) : hint ? (
        <p id={`${id}-hint`} className="mt-1 text-xs text-gray-500">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** aria props that tie an input to its error or hint line. */
export function describedBy(id: string, errors: string[] | undefined, hasHint: boolean) {
  return {
    "aria-invalid": Boolean(errors?.[0]),
    "aria-describedby": errors?.[0] ? `${id}-error` : hasHint ? `${id}-hint` : undefined,
  };
}

const subscribe = () => () => {};

/** The browser's time zone when the server knows it too, else UTC (also during server rendering). */
export function useBrowserTimeZone(known: string[]): string {
  const zone = useSyncExternalStore(
    subscribe,
    () => Intl.DateTimeFormat().resolvedOptions().timeZone,
    () => "UTC",
  );
  return known.includes(zone) ? zone : "UTC";
}

/** A select of the zones the server accepts (its list, src/core/sites/timeZone.ts, so both sides agree). */
export function TimeZoneSelect({
  id,
  zones,
  value,
  onChange,
  errors,
}: {
  id: string;
  zones: string[];
  value: string;
  onChange: (zone: string) => void;
  errors?: string[];
}) {
  return (
    <select
      id={id}
      name="timeZone"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      {...describedBy(id, errors, true)}
      className={inputClass}
    >
      {zones.map((z) => (
        <option key={z} value={z}>
          {z.replaceAll("_", " ")}
        </option>
      ))}
    </select>
  );
}
