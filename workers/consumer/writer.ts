import { constants as fsConstants } from "node:fs";
import { mkdir, open, stat, type FileHandle } from "node:fs/promises";
import path from "node:path";

/**
 * Durable JSON Lines appender.
 *
 * `appendDurable(lines)` appends every file's lines with ONE write per file, then fsyncs each
 * touched file (and the directories of files it created), so when it resolves the lines survive
 * a crash or power loss: only then may the consumer commit their Kafka offsets.
 *
 * Before the first append to a file in this process, a trailing partial line (left by a process
 * killed mid-write) is cut off: its message was never committed, so it is consumed again.
 * Readers (the ETL) only read up to the last '\n', so they never see the partial line either.
 */
export interface JsonlWriterOptions {
  /** File handles kept open between batches (least recently used ones are closed beyond this). */
  maxOpenFiles?: number;
  /** Called when a partial trailing line is cut off, for logging. */
  onRepair?: (file: string, droppedBytes: number) => void;
}

/** One JSON line without its '\n': bytes (the hot path) or text. */
export type JsonLine = Uint8Array | string;

/** Lines + '\n' after each, in one buffer, so a file gets one write(2) per batch. */
function joinLines(lines: readonly JsonLine[]): Buffer {
  const bufs = lines.map((l) => (typeof l === "string" ? Buffer.from(l, "utf8") : l));
  let size = bufs.length;
  for (const b of bufs) size += b.length;
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  for (const b of bufs) {
    out.set(b, pos);
    pos += b.length;
    out[pos++] = 0x0a;
  }
  return out;
}

interface OpenFile {
  handle: FileHandle;
  lastUsed: number;
}

export class JsonlWriter {
  private readonly open = new Map<string, OpenFile>();
  /** Files already checked for a partial trailing line in this process lifetime. */
  private readonly repaired = new Set<string>();
  /** Directories known to exist (created or seen), so mkdir is not called per batch. */
  private readonly knownDirs = new Set<string>();
  private readonly maxOpenFiles: number;
  private readonly onRepair?: (file: string, droppedBytes: number) => void;
  /** Serialises appends: batches of different partitions may run concurrently. */
  private queue: Promise<unknown> = Promise.resolve();
  private useCounter = 0;
  private closed = false;

  constructor(options: JsonlWriterOptions = {}) {
    this.maxOpenFiles = options.maxOpenFiles ?? 32;
    this.onRepair = options.onRepair;
  }

  /**
   * Appends `lines` (file path -> lines without '\n') and fsyncs. Resolves once everything is on disk.
   * Appends are serialised so two concurrent callers never interleave inside one file.
   */
  appendDurable(lines: ReadonlyMap<string, readonly JsonLine[]>): Promise<void> {
    const run = this.queue.then(() => this.appendNow(lines));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async appendNow(lines: ReadonlyMap<string, readonly JsonLine[]>): Promise<void> {
    if (this.closed) throw new Error("JsonlWriter is closed");
    const dirsToSync = new Set<string>();
    const touched: FileHandle[] = [];
    const files: string[] = [];
    try {
      for (const [file, fileLines] of lines) {
        if (fileLines.length === 0) continue;
        files.push(file);
        const handle = await this.handleFor(file, dirsToSync);
        await writeAll(handle, joinLines(fileLines));
        touched.push(handle);
      }
      // fdatasync covers the appended bytes and the new file size; directory fsyncs make new
      // directory entries (new hour files, new day directories) durable too.
      await Promise.all([...touched.map((h) => h.datasync()), ...[...dirsToSync].map(fsyncDir)]);
    } catch (err) {
      // A failed write (e.g. disk full) may have left part of a line: forget these files so the
      // retry reopens them and cuts that partial line before appending again.
      await this.forget(files);
      throw err;
    }
    await this.evictBeyondLimit();
  }

  private async forget(files: readonly string[]): Promise<void> {
    for (const file of files) {
      const open = this.open.get(file);
      this.open.delete(file);
      this.repaired.delete(file);
      await open?.handle.close().catch(() => undefined);
    }
    this.knownDirs.clear();
  }

  private async handleFor(file: string, dirsToSync: Set<string>): Promise<FileHandle> {
    const known = this.open.get(file);
    if (known) {
      known.lastUsed = ++this.useCounter;
      return known.handle;
    }
    await this.ensureDir(path.dirname(file), dirsToSync);
    let created = false;
    let handle: FileHandle;
    try {
      // Exclusive create first, so we know whether the directory entry is new and must be fsynced.
      handle = await open(file, fsConstants.O_WRONLY | fsConstants.O_APPEND | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o644);
      created = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      handle = await open(file, fsConstants.O_RDWR | fsConstants.O_APPEND);
    }
    if (created) {
      dirsToSync.add(path.dirname(file));
    } else if (!this.repaired.has(file)) {
      const dropped = await repairPartialLine(handle);
      if (dropped > 0) this.onRepair?.(file, dropped);
    }
    this.repaired.add(file);
    this.open.set(file, { handle, lastUsed: ++this.useCounter });
    return handle;
  }

  private async ensureDir(dir: string, dirsToSync: Set<string>): Promise<void> {
    if (this.knownDirs.has(dir)) return;
    // mkdir -p returns the first directory it created (undefined if all existed).
    const firstCreated = await mkdir(dir, { recursive: true });
    if (firstCreated !== undefined) {
      // Every directory from the first created one down to `dir` is new: fsync each one's parent.
      let d = dir;
      while (true) {
        dirsToSync.add(path.dirname(d));
        if (d === firstCreated || path.dirname(d) === d) break;
        d = path.dirname(d);
      }
    }
    this.knownDirs.add(dir);
  }

  /** Runs after a batch is synced, so closing a handle never loses unsynced data. */
  private async evictBeyondLimit(): Promise<void> {
    if (this.open.size <= this.maxOpenFiles) return;
    const byAge = [...this.open.entries()].sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    const evicted = byAge.slice(0, this.open.size - this.maxOpenFiles);
    for (const [file] of evicted) this.open.delete(file);
    await Promise.all(evicted.map(([, f]) => f.handle.close()));
  }

  /** Waits for pending appends and closes every file. */
  async close(): Promise<void> {
    await this.queue;
    this.closed = true;
    const handles = [...this.open.values()].map((f) => f.handle);
    this.open.clear();
    await Promise.all(handles.map((h) => h.close()));
  }
}

async function writeAll(handle: FileHandle, buf: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buf.length) {
    const { bytesWritten } = await handle.write(buf, offset, buf.length - offset);
    offset += bytesWritten;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const REPAIR_CHUNK = 64 * 1024;

/**
 * If the file does not end with '\n', truncates it to just after its last '\n' (or to empty).
 * Returns how many bytes were dropped. The handle must be open for writing.
 */
export async function repairPartialLine(handle: FileHandle): Promise<number> {
  const { size } = await handle.stat();
  if (size === 0) return 0;
  const chunk = Buffer.alloc(Math.min(REPAIR_CHUNK, size));
  let end = size;
  let first = true;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const len = end - start;
    await handle.read(chunk, 0, len, start);
    if (first && chunk[len - 1] === 0x0a) return 0;
    first = false;
    const nl = chunk.lastIndexOf(0x0a, len - 1);
    if (nl !== -1) {
      const keep = start + nl + 1;
      await handle.truncate(keep);
      await handle.datasync();
      return size - keep;
    }
    end = start;
  }
  await handle.truncate(0);
  await handle.datasync();
  return size;
}

/** Repairs a file by path (for tools and tests); a missing file needs no repair. */
export async function repairPartialLineAt(file: string): Promise<number> {
  try {
    await stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw err;
  }
  const handle = await open(file, fsConstants.O_RDWR);
  try {
    return await repairPartialLine(handle);
  } finally {
    await handle.close();
  }
}
