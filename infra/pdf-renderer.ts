import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

/** A document for @react-pdf/renderer as plain data: its primitives by name, with style and children. */
export interface PdfNode {
  type: 'Document' | 'Page' | 'View' | 'Text';
  style?: Record<string, string | number>;
  props?: Record<string, string | number | boolean>;
  children?: Array<PdfNode | string>;
}

export interface PdfRenderer { render(doc: PdfNode): Promise<Buffer>; close(): Promise<void> }

type Reply = { id: number; pdf?: Uint8Array; error?: string };

/** A small pool of render threads, started on first use; `threads` defaults to the cores there are, up to 4. */
export function createPdfRenderer(threads = Math.min(4, availableParallelism())): PdfRenderer {
  const pool: Worker[] = [];
  const waiting = new Map<number, { resolve(b: Buffer): void; reject(e: Error): void }>();
  let nextId = 0;
  // Threads keep the process alive only while a render is waiting on them.
  const holdProcess = () => {
    for (const w of pool) if (waiting.size > 0) w.ref(); else w.unref();
  };

  const spawn = () => {
    const worker = new Worker(path.join(__dirname, 'pdf-render-thread.cjs'));
    worker.on('message', (reply: Reply) => {
      const w = waiting.get(reply.id);
      waiting.delete(reply.id);
      holdProcess();
      if (reply.pdf) w?.resolve(Buffer.from(reply.pdf));
      else w?.reject(new Error(`PDF rendering failed: ${reply.error}`));
    });
    worker.on('error', (err) => {
      for (const w of waiting.values()) w.reject(err);
      waiting.clear();
      pool.splice(pool.indexOf(worker), 1);
      holdProcess();
    });
    return worker;
  };

  return {
    render(doc) {
      const id = nextId++;
      if (pool.length < threads) pool.push(spawn());
      const worker = pool[id % pool.length]!;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        holdProcess();
        worker.postMessage({ id, doc });
      });
    },
    async close() {
      await Promise.all(pool.splice(0).map((w) => w.terminate()));
    },
  };
}
