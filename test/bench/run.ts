/**
 * `npm run bench`: runs every section in order and prints its results for a human to read, each
 * figure with its target and PASS/MISS, then a summary of the targets and, as the very last line,
 * the figures as one JSON object (figures.ts: the contract). Nothing here is asserted by the test
 * suite. `npm run bench -- delivery` runs only the sections whose title contains one of the words
 * given; the figures of the others are `null` in the JSON.
 */
import { cpus } from 'node:os';
import { prepareOutDir } from './bundles.js';
import { deliverySection } from './delivery.js';
import { type BenchFigures, emptyFigures, figuresJson, mergeFigures, targetLines } from './figures.js';
import { ingressBundleSection } from './ingress-bundle.js';
import { handlerPeerSection } from './peer-handler.js';
import { ingressPeerSection } from './peer-ingress.js';
import { verifySection } from './verify.js';

/** One part of the bench. `print` writes a line of its report as soon as it is known. */
export interface BenchSection {
  readonly title: string;
  /** Prints its report and fills in the figures it measures (a section that fails leaves them null). */
  run(print: (line: string) => void, figures: BenchFigures): Promise<void>;
}

/** In the order they run; add new sections at the end. */
const SECTIONS: readonly BenchSection[] = [
  ingressBundleSection,
  verifySection,
  ingressPeerSection,
  handlerPeerSection,
  deliverySection,
];

async function main(): Promise<void> {
  const started = performance.now();
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  console.log(
    `Hookline bench — Node ${process.version} ${process.platform}/${process.arch}, ${cpus().length} × ${cpu}`,
  );
  const words = process.argv.slice(2).map((word) => word.toLowerCase());
  const chosen = SECTIONS.filter(
    (section) => words.length === 0 || words.some((word) => section.title.toLowerCase().includes(word)),
  );
  const figures = emptyFigures();
  if (chosen.length === 0) {
    console.log(
      `no section title contains ${words.join(' or ')}; titles: ${SECTIONS.map((s) => s.title).join('; ')}`,
    );
    console.log(figuresJson(figures));
    process.exitCode = 2;
    return;
  }
  prepareOutDir();
  let failed = false;
  for (const section of chosen) {
    const sectionStarted = performance.now();
    console.log(`\n== ${section.title} ==`);
    // A failed section's figures stay null rather than half-measured.
    const own = emptyFigures();
    try {
      await section.run((line) => console.log(line), own);
      mergeFigures(figures, own);
    } catch (error: unknown) {
      failed = true;
      console.log(
        `!! section failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    }
    console.log(`(${((performance.now() - sectionStarted) / 1000).toFixed(1)} s)`);
  }
  console.log('\n== targets ==');
  for (const line of targetLines(figures)) console.log(line);
  console.log(`\nbench finished in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (failed) process.exitCode = 1;
  console.log(figuresJson(figures));
}

await main();
