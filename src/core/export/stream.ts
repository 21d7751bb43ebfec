import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";

/**
 * Chunks gzip-compressed as a web stream for a route's Response. The generator is pulled only as
 * fast as the client reads; when the client goes away the stream is cancelled, the pipeline is
 * destroyed and the generator's finally blocks run (its open files close).
 */
export function gzipWebStream(chunks: AsyncIterable<Buffer>, onEnd?: (error?: Error) => void): ReadableStream<Uint8Array> {
  const gzip = createGzip();
  pipeline(Readable.from(chunks), gzip).then(
    () => onEnd?.(),
    (err: Error) => onEnd?.(err),
  );
  return Readable.toWeb(gzip) as ReadableStream<Uint8Array>;
}
