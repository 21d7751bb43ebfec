import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";

/**
 * Chunks gzip-compressed as a web stream for a route's Response. The generator is pulled only as
 * fast as the client reads; when the client goes away the stream is cancelled, the pipeline is
 * destroyed and the generator's finally blocks run (its open files close).
 * Each pull takes one chunk from the gzip stream's own backpressured iterator (one chunk queued
 * at most), and cancelling returns that iterator, which destroys the pipeline.
 */
export function gzipWebStream(chunks: AsyncIterable<Buffer>, onEnd?: (error?: Error) => void): ReadableStream<Uint8Array> {
  const gzip = createGzip();
  pipeline(Readable.from(chunks), gzip).then(
    () => onEnd?.(),
    (err: Error) => onEnd?.(err),
  );
  const iterator: AsyncIterator<Buffer> = gzip[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { value, done } = await iterator.next();
        if (done) controller.close();
        else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      },
      async cancel() {
        await iterator.return?.();
      },
    },
    { highWaterMark: 1 },
  );
}
