/**
 * `npm run bench`: runs every section in order and prints its results for a human to read. Figures
 * are printed with their targets and PASS/MISS; nothing here is asserted by the test suite.
 * `npm run bench -- delivery` runs only the sections whose title contains one of the words given.
 */
import { cpus } from 'node:os';
import { deliverySection } from './delivery.js';
import { ingressBundleSection } from './ingress-bundle.js';
import { verifySection } from './verify.js';

/** One part of the bench. `print` writes a line of its report as soon as it is known. */
export interface BenchSection {
  readonly title: string;
  run(print: (line: string) => void): Promise<void>;
}

/** In the order they run; add new sections at the end. */
const SECTIONS: readonly BenchSection[] = [ingressBundleSection, verifySection, deliverySection];

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
  if (chosen.length === 0) {
    console.log(
      `no section title contains ${words.join(' or ')}; titles: ${SECTIONS.map((s) => s.title).join('; ')}`,
    );
    process.exitCode = 2;
    return;
  }
  let failed = false;
  for (const section of chosen) {
    const sectionStarted = performance.now();
    console.log(`\n== ${section.title} ==`);
    try {
      await section.run((line) => console.log(line));
    } catch (error: unknown) {
      failed = true;
      console.log(
        `!! section failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    }
    console.log(`(${((performance.now() - sectionStarted) / 1000).toFixed(1)} s)`);
  }
  console.log(`\nbench finished in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (failed) process.exitCode = 1;
}

await main();
