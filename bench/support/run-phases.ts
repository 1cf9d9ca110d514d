// The timed phases of bench/journeys.bench.ts and the history shape of one run: runs started
// with bounded concurrency and awaited, with the CPU this process, the dev server, the SMTP
// server and Postgres spent on them.
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

/** CPU seconds (user + system) a child process has used so far, from /proc (Linux). */
function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // CLK_TCK is 100 on Linux
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU seconds every Postgres process on this machine has used so far: the backends serving the
 * pools live as long as their connections, so a phase's difference is what Postgres spent on it
 * (a backend that exits during the phase takes its share with it).
 */
function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === 'postgres') {
        total += cpuSecondsOf(Number(entry));
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return total;
}

export interface Phase {
  label: string;
  runs: number;
  seconds: number;
  startSeconds: number;
  cpuSeconds: number;
  serverCpuSeconds: number;
  smtpCpuSeconds: number;
  postgresCpuSeconds: number;
  failed: number;
  emails: number;
  last: WorkflowHandle;
}

export interface Servers {
  devServerPid: number;
  smtp: { pid: number; count(): Promise<number> };
}

/**
 * Starts `runs` runs, at most `concurrency` starts in flight, and waits until every one has
 * finished. Timed from the first start to the last completion.
 */
export async function phase(
  label: string,
  runs: number,
  concurrency: number,
  servers: Servers,
  start: (index: number) => Promise<WorkflowHandle>,
  ok: (result: unknown) => boolean,
): Promise<Phase> {
  const emailsBefore = await servers.smtp.count();
  const results: Promise<boolean>[] = [];
  const handles: WorkflowHandle[] = [];
  let next = 0;
  const cpu = process.cpuUsage();
  const serverCpu = cpuSecondsOf(servers.devServerPid);
  const smtpCpu = cpuSecondsOf(servers.smtp.pid);
  const postgresCpu = postgresCpuSeconds();
  const began = performance.now();
  const lane = async () => {
    for (let index = next++; index < runs; index = next++) {
      const handle = await start(index);
      handles.push(handle);
      results.push(handle.result().then(ok, () => false));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, runs) }, lane));
  const startSeconds = (performance.now() - began) / 1000;
  const outcomes = await Promise.all(results);
  const seconds = (performance.now() - began) / 1000;
  const used = process.cpuUsage(cpu);
  const serverCpuSeconds = cpuSecondsOf(servers.devServerPid) - serverCpu;
  const smtpCpuSeconds = cpuSecondsOf(servers.smtp.pid) - smtpCpu;
  const postgresSeconds = postgresCpuSeconds() - postgresCpu;
  return {
    label,
    runs,
    seconds,
    startSeconds,
    cpuSeconds: (used.user + used.system) / 1e6,
    serverCpuSeconds,
    smtpCpuSeconds,
    postgresCpuSeconds: postgresSeconds,
    failed: outcomes.filter((passed) => !passed).length,
    emails: (await servers.smtp.count()) - emailsBefore,
    last: handles[handles.length - 1]!,
  };
}

export function printPhase(p: Phase): void {
  console.log(
    `${p.label.padEnd(6)} ${p.runs} runs in ${p.seconds.toFixed(2)} s (all started after ` +
      `${p.startSeconds.toFixed(2)} s): ${(p.runs / p.seconds).toFixed(1)} runs/s, ` +
      `${((p.cpuSeconds / p.runs) * 1000).toFixed(1)} ms CPU/run in this process ` +
      `(dev server ${((p.serverCpuSeconds / p.runs) * 1000).toFixed(1)} ms/run, ` +
      `SMTP server ${((p.smtpCpuSeconds / p.runs) * 1000).toFixed(1)} ms/run, ` +
      `Postgres ${((p.postgresCpuSeconds / p.runs) * 1000).toFixed(1)} ms/run); ` +
      `${p.emails} emails received, ${p.failed} runs failed`,
  );
}

const EventType = temporal.api.enums.v1.EventType;

export interface Shape {
  activities: number;
  workflowTasks: number;
  upserts: number;
  markers: number;
  signals: number;
  events: number;
  bytes: number;
}

export async function printShape(label: string, handle: WorkflowHandle): Promise<Shape> {
  const history = await handle.fetchHistory();
  const events = history.events ?? [];
  const count = (type: temporal.api.enums.v1.EventType) =>
    events.filter((event) => event.eventType === type).length;
  const activities = events
    .map((event) => event.activityTaskScheduledEventAttributes?.activityType?.name)
    .filter((name): name is string => Boolean(name));
  const shape: Shape = {
    activities: activities.length,
    workflowTasks: count(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED),
    upserts: count(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES),
    markers: count(EventType.EVENT_TYPE_MARKER_RECORDED),
    signals: count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
    events: events.length,
    bytes: temporal.api.history.v1.History.encode(history).finish().length,
  };
  console.log(
    `${label.padEnd(6)} ${shape.activities} activities (${activities.join(', ')}), ` +
      `${shape.workflowTasks} workflow tasks, ${shape.upserts} search-attribute upserts, ` +
      `${shape.markers} markers (patches, local activities), ${shape.signals} signals, ` +
      `${shape.events} history events, ${(shape.bytes / 1024).toFixed(1)} KB of history`,
  );
  if (process.argv.includes('--show-events')) {
    for (const event of events) {
      const name = EventType[event.eventType ?? 0]?.replace('EVENT_TYPE_', '') ?? '?';
      const upsert = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes;
      const keys = upsert ? ` ${Object.keys(upsert.indexedFields ?? {}).join(',')}` : '';
      console.log(`       ${String(event.eventId)} ${name}${keys}`);
    }
  }
  return shape;
}
