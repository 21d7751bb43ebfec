/** The two lines of docs/collector.md, "The snippet", with this app's origin and a publishable key filled in. */
export function snippetFor(origin: string, key: string): string {
  return (
    "<script>window.pulse=window.pulse||function(){(window.pulse.q=window.pulse.q||[]).push(arguments)};window.pulse.track=window.pulse.track||window.pulse</script>\n" +
    `<script defer src="${origin}/pulse.js" data-key="${key}"></script>`
  );
}
