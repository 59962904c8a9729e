import fs from 'node:fs';

/** One measured figure next to its baseline from the same run, and the target it is held to. */
export interface Figure {
  bench: string;
  figure: string;
  unit: string;
  value: number;
  baseline?: number;
  /** e.g. "< 5" or ">= 100 % of baseline"; words, since benchmarks never pass or fail. */
  target?: string;
}

/**
 * Hands a benchmark's headline figures to `npm run bench`, which collects them into one table and a
 * results file. A benchmark run on its own just prints as before; the file is only written when the
 * runner names it.
 */
export function reportFigures(figures: Figure[]): void {
  const file = process.env.BENCH_FIGURES_FILE;
  if (!file) return;
  fs.appendFileSync(file, figures.map((f) => JSON.stringify(f)).join('\n') + '\n');
}

export function readFigures(file: string): Figure[] {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Figure);
}
