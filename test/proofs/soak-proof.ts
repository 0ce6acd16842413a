/**
 * The soak proof: the whole local stack (`startDevStack`, what `npm start` runs) under steady load for
 * a while, webhooks sent over real HTTP and delivered by the real pollers and handler module. It
 * reports the errors, how fast RSS and heap grow per minute once warm, the event loop's p99 delay,
 * and what is left once the stack stops: open handles and file descriptors beyond the baseline, and
 * emulator processes still alive.
 */
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { DevStack } from '../../shared/local/dev-stack.js';
import { isProcessAlive } from '../../shared/local-state/state-file.js';
import { startProjectStack } from '../helpers/temp-project.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const ROUTE_PATH = '/soak/';

/** The contract: the proof's last line. */
export interface SoakReport {
  readonly seconds: number;
  readonly events: number;
  readonly errors: number;
  readonly rssMbPerMinute: number;
  readonly heapMbPerMinute: number;
  readonly openHandles: number;
  readonly orphans: number;
}

/** Figures printed beside the contract. */
export interface SoakDetails {
  readonly eventLoopDelayP99Ms: number;
  readonly openFileDescriptors: number;
  /** What the descriptors beyond the baseline point at (`/proc/self/fd` links). */
  readonly leftDescriptors: readonly string[];
  readonly rssMb: { readonly start: number; readonly end: number };
  readonly undelivered: number;
}

export interface SoakOptions {
  readonly seconds: number;
  /** Webhooks sent per second. @default 20 */
  readonly ratePerSecond?: number;
}

export async function runSoakProof(
  options: SoakOptions,
): Promise<{ report: SoakReport; details: SoakDetails }> {
  const rate = options.ratePerSecond ?? 20;
  const folder = writeProject();
  const baseline = { handles: activeHandles(), fds: openFds() };
  const baselineTargets = new Set(descriptorTargets());
  const delay = monitorEventLoopDelay({ resolution: 10 });
  let stack: DevStack | undefined;
  try {
    stack = await startProjectStack(folder);
    delay.enable();
    const { ids, errors, samples } = await load(stack, options.seconds, rate);
    const undelivered = await undeliveredAfter(stack, ids, 60_000);
    delay.disable();
    const emulatorPids = [stack.sqs.pid, stack.dynamoDb.pid];
    await stack.stop();
    stack = undefined;
    // Sockets closing and child processes being reaped settle within a moment of stop().
    await new Promise((settle) => setTimeout(settle, 500));
    const warm = samples.slice(Math.floor(samples.length / 3));
    const report: SoakReport = {
      seconds: options.seconds,
      events: ids.length,
      errors: errors + undelivered,
      rssMbPerMinute: round(slopePerMinute(warm.map((s) => [s.at, s.rss]))),
      heapMbPerMinute: round(slopePerMinute(warm.map((s) => [s.at, s.heap]))),
      openHandles: Math.max(0, activeHandles() - baseline.handles),
      orphans: emulatorPids.filter((pid) => isProcessAlive(pid)).length,
    };
    return {
      report,
      details: {
        eventLoopDelayP99Ms: round(delay.percentile(99) / 1e6),
        openFileDescriptors: Math.max(0, openFds() - baseline.fds),
        leftDescriptors: descriptorTargets().filter((target) => !baselineTargets.has(target)),
        rssMb: { start: samples[0]?.rss ?? 0, end: samples.at(-1)?.rss ?? 0 },
        undelivered,
      },
    };
  } finally {
    await stack?.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}

interface Sample {
  /** Seconds since the load began. */
  readonly at: number;
  readonly rss: number;
  readonly heap: number;
}

/** Sends `rate` webhooks a second for `seconds`, sampling memory every second. */
async function load(
  stack: DevStack,
  seconds: number,
  rate: number,
): Promise<{ ids: string[]; errors: number; samples: Sample[] }> {
  const ids: string[] = [];
  let errors = 0;
  const samples: Sample[] = [];
  const started = performance.now();
  const url = `${stack.url}${ROUTE_PATH}`;
  for (let second = 0; second < seconds; second += 1) {
    const tick = started + (second + 1) * 1000;
    const replies = await Promise.all(
      Array.from({ length: rate }, async (_, n) => {
        try {
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ second, n, pad: 'x'.repeat(512) }),
          });
          const reply = (await response.json()) as { id?: string };
          return response.status === 202 && reply.id !== undefined ? reply.id : undefined;
        } catch {
          return undefined;
        }
      }),
    );
    for (const id of replies) {
      if (id === undefined) errors += 1;
      else ids.push(id);
    }
    const memory = process.memoryUsage();
    samples.push({
      at: (performance.now() - started) / 1000,
      rss: mb(memory.rss),
      heap: mb(memory.heapUsed),
    });
    await new Promise((wake) => setTimeout(wake, Math.max(0, tick - performance.now())));
  }
  return { ids, errors, samples };
}

/** How many of `ids` are not `delivered` once `timeoutMs` has passed (or sooner, when all are). */
async function undeliveredAfter(stack: DevStack, ids: readonly string[], timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let pending = [...ids];
  while (pending.length > 0 && Date.now() < deadline) {
    const still: string[] = [];
    // A few at a time: thousands of requests at once would be refused by the server's backlog.
    for (let start = 0; start < pending.length; start += STATUS_CHECKS_AT_ONCE) {
      const chunk = pending.slice(start, start + STATUS_CHECKS_AT_ONCE);
      const delivered = await Promise.all(chunk.map((id) => isDelivered(stack, id)));
      still.push(...chunk.filter((_, index) => !delivered[index]));
    }
    pending = still;
    if (pending.length > 0) await new Promise((wake) => setTimeout(wake, 500));
  }
  return pending.length;
}

const STATUS_CHECKS_AT_ONCE = 50;

/** False too when the admin API cannot be reached: the event is checked again on the next round. */
async function isDelivered(stack: DevStack, id: string): Promise<boolean> {
  try {
    const response = await fetch(`${stack.adminUrl}/events/${id}`);
    const reply = (await response.json()) as { event?: { status: string } };
    return reply.event?.status === 'delivered';
  } catch {
    return false;
  }
}

/** A temporary project: one unsigned route whose handler does nothing. */
function writeProject(): string {
  const folder = mkdtempSync(join(tmpdir(), 'hookline-soak-'));
  const source = (file: string) => JSON.stringify(pathToFileURL(join(ROOT, file)).href);
  mkdirSync(join(folder, 'handlers'));
  writeFileSync(join(folder, 'package.json'), `${JSON.stringify({ type: 'module', private: true })}\n`);
  writeFileSync(join(folder, '.env'), '\n');
  writeFileSync(
    join(folder, 'hookline.config.ts'),
    `import { defineConfig } from ${source('shared/config/types.ts')};
export default defineConfig({
  name: 'soak${process.pid}',
  routes: [{ path: '${ROUTE_PATH}', verify: { scheme: 'none' }, handler: 'handlers/soak.ts', dedupe: { source: 'none' } }],
});
`,
  );
  writeFileSync(
    join(folder, 'handlers/soak.ts'),
    `import { defineHandler } from ${source('shared/handler/index.ts')};
export const handler = defineHandler(async () => {});
`,
  );
  return folder;
}

/** Least-squares slope of [seconds, MB] points, in MB per minute. */
function slopePerMinute(points: readonly (readonly [number, number])[]): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const covariance = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  const variance = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  return variance === 0 ? 0 : (covariance / variance) * 60;
}

/** Handles keeping the event loop alive, timers included. */
function activeHandles(): number {
  return process.getActiveResourcesInfo().length;
}

function openFds(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return 0;
  }
}

function descriptorTargets(): string[] {
  try {
    return readdirSync('/proc/self/fd').map((fd) => {
      try {
        return `${fd} ${readlinkSync(`/proc/self/fd/${fd}`)}`;
      } catch {
        return `${fd} (closed)`;
      }
    });
  } catch {
    return [];
  }
}

const mb = (bytes: number) => bytes / (1024 * 1024);
const round = (value: number) => Math.round(value * 100) / 100;
