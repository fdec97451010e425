import { promisify } from "node:util";
import { gzip as gzipCallback, constants } from "node:zlib";

const gzip = promisify(gzipCallback);

export interface CompressedBody {
  etag: string;
  body: Buffer;
}

/**
 * Gzipped answers kept by query, made off the event loop (zlib's thread pool). A query whose
 * answer changed gets the last one made (with that answer's own ETag) while the new one is
 * compressed, so no request waits for a compression but the first of a query.
 */
export class CompressedBodies {
  private readonly made = new Map<string, CompressedBody>();
  private readonly making = new Map<string, Promise<CompressedBody>>();

  constructor(private readonly kept = 64) {}

  async get(query: string, etag: string, parts: () => readonly Buffer[]): Promise<CompressedBody> {
    const last = this.made.get(query);
    if (last?.etag === etag) return last;
    const pending = this.making.get(query) ?? this.make(query, etag, parts());
    return last ?? pending;
  }

  private make(query: string, etag: string, parts: readonly Buffer[]): Promise<CompressedBody> {
    const pending = gzip(Buffer.concat(parts), { level: constants.Z_BEST_SPEED })
      .then((body) => {
        if (!this.made.has(query) && this.made.size >= this.kept) this.made.delete(this.made.keys().next().value!);
        const made = { etag, body };
        this.made.set(query, made);
        return made;
      })
      .finally(() => this.making.delete(query));
    this.making.set(query, pending);
    return pending;
  }
}
