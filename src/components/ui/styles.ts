/** Class names the forms of the sites pages share (the API keys page has the same looks, src/components/api-keys). */

export const primaryButton =
  "inline-flex items-center justify-center gap-2 rounded-md bg-indigo-500 px-3.5 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-400 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400 disabled:cursor-wait disabled:opacity-70";

export const secondaryButton =
  "inline-flex items-center justify-center gap-2 rounded-md border border-gray-700 px-3.5 py-2 text-sm font-medium text-gray-200 hover:bg-gray-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 disabled:cursor-wait disabled:opacity-70";

export const dangerButton =
  "inline-flex items-center justify-center gap-2 rounded-md bg-red-600 px-3.5 py-2 text-sm font-semibold text-white hover:bg-red-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-400 disabled:cursor-not-allowed disabled:opacity-60";

export const inputClass =
  "mt-1.5 block w-full rounded-md border border-gray-700 bg-gray-950 px-3 py-2 text-sm text-gray-100 placeholder:text-gray-600 focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/40 aria-[invalid=true]:border-red-700";

export const labelClass = "block text-sm font-medium text-gray-300";

export const cardClass = "rounded-xl border border-gray-800 bg-gray-900/60 p-4 sm:p-6";
