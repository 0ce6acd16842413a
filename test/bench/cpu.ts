/**
 * CPU time (user + system) spent by the bench's processes over a window of work, for the delivery
 * bench: this Node process from `process.cpuUsage()`, other processes (the emulators) from
 * `/proc/<pid>/stat`, and the whole machine from `/proc/stat`. A process is read with every live
 * descendant, in case its pid is a wrapper around the process doing the work; a descendant that
 * exits inside the window is lost. The busiest processes outside the targets are named too, so a
 * reader can tell when other work competed for the cores. Where /proc cannot be read the figure is
 * `undefined` ("n/a").
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface CpuTarget {
  readonly label: string;
  /** The process to read with its descendants; `'self'` is this process, read with `process.cpuUsage()`. */
  readonly pid: number | 'self';
}

export interface ProcessCpu {
  readonly pid: number;
  readonly name: string;
  readonly cpuMs: number;
  /**
   * CPU time of its children that exited and were waited for inside the window (cutime + cstime),
   * their whole lifetime; how short-lived processes show up. Only for the processes outside the targets.
   */
  readonly exitedChildrenMs?: number;
}

export interface TargetCpu extends CpuTarget {
  /** CPU time of the process and its live descendants in the window, or undefined without /proc. */
  readonly cpuMs: number | undefined;
  /** For `'self'`: the main thread's share, the one thread JavaScript runs on (undefined without /proc). */
  readonly mainThreadMs?: number | undefined;
  /** The processes read for this target, busiest first (empty for `'self'` or without /proc). */
  readonly processes: readonly ProcessCpu[];
}

export interface CpuWindow {
  readonly wallMs: number;
  readonly targets: readonly TargetCpu[];
  /** Busy time of every CPU of the machine (all processes and the kernel), or undefined without /proc. */
  readonly machineBusyMs: number | undefined;
  /** The busiest processes outside the targets (named by command line), busiest first. */
  readonly others: readonly ProcessCpu[];
}

interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  readonly name: string;
  /** When it started, clock ticks after boot: tells a reused pid apart. */
  readonly startTicks: number;
  /** utime + stime, clock ticks. */
  readonly ticks: number;
  /** cutime + cstime: exited children that were waited for, clock ticks. */
  readonly childTicks: number;
}

let ticksPerSecond: number | undefined;

/** The kernel's clock tick (`getconf CLK_TCK`), asked once; 100 when it cannot be asked. */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      ticksPerSecond = Number.isInteger(value) && value > 0 ? value : 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/**
 * `/proc/<pid>/stat`, or with `tid` one thread's `/proc/<pid>/task/<tid>/stat`; undefined when the
 * process is gone or /proc is absent.
 */
function readStat(pid: number, tid?: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The name (field 2) is in parentheses and may hold spaces and parentheses itself.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  // From field 3 (state) on: ppid is field 4, utime 14, stime 15, cutime 16, cstime 17, starttime 22.
  const fields = text.slice(close + 2).split(' ');
  const numbers = [1, 11, 12, 13, 14, 19].map((i) => Number(fields[i]));
  if (!numbers.every(Number.isFinite)) return undefined;
  const [ppid = 0, utime = 0, stime = 0, cutime = 0, cstime = 0, startTicks = 0] = numbers;
  return {
    pid,
    ppid,
    name: text.slice(open + 1, close),
    startTicks,
    ticks: utime + stime,
    childTicks: cutime + cstime,
  };
}

/** Every process /proc shows, or undefined when /proc is absent. */
function readAllStats(): Map<number, ProcStat> | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const stats = new Map<number, ProcStat>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat !== undefined) stats.set(stat.pid, stat);
  }
  return stats;
}

/** `root` and its descendants among `stats` (by ppid: /proc/<pid>/task/<tid>/children is not always there). */
function tree(stats: ReadonlyMap<number, ProcStat>, root: number): ProcStat[] {
  const found: ProcStat[] = [];
  const pending = [root];
  for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
    const stat = stats.get(pid);
    if (stat === undefined) continue;
    found.push(stat);
    for (const other of stats.values()) if (other.ppid === pid) pending.push(other.pid);
  }
  return found;
}

/** Busy ticks of the whole machine: the `cpu` line of /proc/stat without idle and iowait. */
function machineBusyTicks(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [label, ...values] = line.trim().split(/\s+/);
    if (label !== 'cpu') return undefined;
    // user nice system idle iowait irq softirq steal (guest time is already counted in user).
    const [user, nice, system, , , irq, softirq, steal] = values.slice(0, 8).map(Number);
    const busy = [user, nice, system, irq, softirq, steal].reduce<number>((sum, v) => sum + (v ?? 0), 0);
    return Number.isFinite(busy) ? busy : undefined;
  } catch {
    return undefined;
  }
}

/** What a process runs, for a reader: its command line, or `[name]` for a kernel thread. */
function commandLine(stat: ProcStat): string {
  try {
    const line = readFileSync(`/proc/${stat.pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return line === '' ? `[${stat.name}]` : line;
  } catch {
    return stat.name;
  }
}

/** How many of the busiest processes outside the targets a window reports. */
const OTHERS_SHOWN = 3;

/**
 * Starts measuring; the returned function ends the window and reports CPU time per target. Reads
 * /proc twice (start, end), nothing in between.
 */
export function startCpuWindow(targets: readonly CpuTarget[]): () => CpuWindow {
  const tickMs = 1000 / clockTicksPerSecond();
  const startedMs = performance.now();
  const selfBefore = process.cpuUsage();
  const mainBefore = readStat(process.pid, process.pid);
  const before = readAllStats();
  const machineBefore = machineBusyTicks();
  return () => {
    const self = process.cpuUsage(selfBefore);
    const mainAfter = readStat(process.pid, process.pid);
    const after = readAllStats();
    const machineAfter = machineBusyTicks();
    const wallMs = performance.now() - startedMs;
    const earlier = (stat: ProcStat): ProcStat | undefined => {
      const found = before?.get(stat.pid);
      return found?.startTicks === stat.startTicks ? found : undefined;
    };
    // A process that started inside the window counts from zero.
    const cpuMs = (stat: ProcStat): number => (stat.ticks - (earlier(stat)?.ticks ?? 0)) * tickMs;
    const exitedChildrenMs = (stat: ProcStat): number =>
      (stat.childTicks - (earlier(stat)?.childTicks ?? 0)) * tickMs;
    const seen = new Set<number>([process.pid]);
    const measured = targets.map((target): TargetCpu => {
      if (target.pid === 'self') {
        const mainThreadMs =
          mainBefore === undefined || mainAfter === undefined
            ? undefined
            : (mainAfter.ticks - mainBefore.ticks) * tickMs;
        return { ...target, cpuMs: (self.user + self.system) / 1000, mainThreadMs, processes: [] };
      }
      if (before === undefined || after === undefined) {
        return { ...target, cpuMs: undefined, processes: [] };
      }
      const stats = tree(after, target.pid);
      for (const stat of stats) seen.add(stat.pid);
      const processes = stats
        .map((stat) => ({ pid: stat.pid, name: stat.name, cpuMs: cpuMs(stat) }))
        .sort((a, b) => b.cpuMs - a.cpuMs);
      return {
        ...target,
        cpuMs: processes.length === 0 ? undefined : processes.reduce((sum, p) => sum + p.cpuMs, 0),
        processes,
      };
    });
    const others = [...(after?.values() ?? [])]
      .filter((stat) => !seen.has(stat.pid))
      .map((stat) => ({ stat, cpuMs: cpuMs(stat), exitedChildrenMs: exitedChildrenMs(stat) }))
      .filter((other) => other.cpuMs + other.exitedChildrenMs > 0)
      .sort((a, b) => b.cpuMs + b.exitedChildrenMs - (a.cpuMs + a.exitedChildrenMs))
      .slice(0, OTHERS_SHOWN)
      .map(({ stat, ...cpu }) => ({ pid: stat.pid, name: commandLine(stat), ...cpu }));
    return {
      wallMs,
      targets: measured,
      machineBusyMs:
        machineBefore === undefined || machineAfter === undefined
          ? undefined
          : (machineAfter - machineBefore) * tickMs,
      others,
    };
  };
}
