/**
 * The bare Temporal floor that bench:intake, bench:ship and bench:onestop compare against: N empty
 * workflows (bench/empty-workflow.ts, its own bundle and task queue) started with
 * client.workflow.execute, `concurrency` at a time, on the same dev server and in the same process
 * as the product's worker. Measured in the same run as the stage it is compared with, so other load
 * on the machine weighs on both; the ratio (stage items/s ÷ floor workflows/s) is the figure that
 * counts, not either rate alone.
 */
import { performance } from 'node:perf_hooks';
import { Worker } from '@temporalio/worker';
import type { emptyWorkflow } from './empty-workflow';
import { cpuSince, cpuSnapshot, MemorySampler, runPool, runWorker, type BenchOptions, type CpuSnapshot, type Stack } from './support';

const MiB = 1024 * 1024;
const POLL_MS = 250;
// An empty workflow that has not completed after this long is lost, not slow.
const STALL_MS = 120_000;

export interface BareResult {
  seconds: number;
  workflowsPerSec: number;
  peakRssMiB: number;
  cpu: CpuSnapshot;
}

/** `productWorker`: the failure promise of the worker the bench runs the product on (a bench that re-wired its worker passes its own). */
export async function runBareFloor(stack: Stack, opts: BenchOptions, runId: string, log: (message: string) => void, productWorker: Promise<never> = stack.workerFailure): Promise<BareResult> {
  const taskQueue = `bench-empty-${runId}`;
  const worker = await Worker.create({
    connection: stack.nativeConnection,
    namespace: stack.config.temporal.namespace,
    taskQueue,
    workflowsPath: require.resolve('./empty-workflow'),
  });
  const workerFailure = runWorker(worker, 'bare-floor worker', (step) => stack.onStop(step));

  const memory = new MemorySampler(POLL_MS);
  const cpuBefore = cpuSnapshot(stack);
  memory.start();
  const startedAt = performance.now();
  let completed = 0;
  const progress = setInterval(() => log(`bare floor ${((performance.now() - startedAt) / 1000).toFixed(0)} s: ${completed}/${opts.n} completed`), 5_000);
  try {
    await Promise.race([
      runPool(opts.n, opts.concurrency, async (i) => {
        await stack.client.workflow.execute<typeof emptyWorkflow>('emptyWorkflow', {
          taskQueue,
          workflowId: `bench-empty-${runId}-${i}`,
          // Turns a lost task into an error instead of a hung benchmark.
          workflowExecutionTimeout: STALL_MS,
        });
        completed += 1;
      }),
      workerFailure,
      productWorker,
    ]);
  } finally {
    clearInterval(progress);
    memory.stop();
  }
  const seconds = (performance.now() - startedAt) / 1000;
  const cpu = cpuSince(cpuBefore, cpuSnapshot(stack));

  // Stopped here, not at the stack's end, so the measured floor is the bare worker's alone.
  worker.shutdown();
  await workerFailure.catch(() => undefined);
  return { seconds, workflowsPerSec: opts.n / seconds, peakRssMiB: memory.peakRss / MiB, cpu };
}

/** CPU milliseconds the stack spends per item; unlike throughput, other load on the machine barely moves it. */
export function ownCpuMsPerItem(cpu: CpuSnapshot, n: number): number {
  return ((cpu.bench + (Number.isFinite(cpu.temporal) ? cpu.temporal : 0) + (Number.isFinite(cpu.postgres) ? cpu.postgres : 0)) * 1000) / n;
}

/** The report lines and JSON of a stage against the floor: throughput ratio and, for a CPU-bound machine, the CPU-per-item ratio. */
export function floorComparison(stage: { label: string; unit: string; n: number; perSec: number; cpu: CpuSnapshot }, bare: BareResult, floorN: number, target: number) {
  const ratio = stage.perSec / bare.workflowsPerSec;
  const stageCpuMs = ownCpuMsPerItem(stage.cpu, stage.n);
  const bareCpuMs = ownCpuMsPerItem(bare.cpu, floorN);
  const cpuRatio = bareCpuMs / stageCpuMs;
  const met = ratio >= target;
  const lines = [
    `bare floor     ${bare.workflowsPerSec.toFixed(1)} empty workflows/s (${floorN} in ${bare.seconds.toFixed(1)} s, same server and process, client.workflow.execute); CPU per workflow ${bareCpuMs.toFixed(1)} ms; peak RSS ${bare.peakRssMiB.toFixed(0)} MiB`,
    `  ${stage.label} / bare  ${(ratio * 100).toFixed(1)} %   (${stage.perSec.toFixed(1)} ${stage.unit}/s ÷ ${bare.workflowsPerSec.toFixed(1)}/s)   target ≥ ${target * 100} %: ${met ? 'MET' : 'NOT MET'}`,
    `  CPU-bound    ${(cpuRatio * 100).toFixed(1)} %   (bare CPU per workflow ${bareCpuMs.toFixed(1)} ms / ${stageCpuMs.toFixed(1)} ms per ${stage.unit.replace(/s$/, '')}: the ratio when the cores, not latency, are the limit)`,
  ];
  const r1 = (x: number) => Math.round(x * 10) / 10;
  const json = {
    bare: { workflowsPerSec: r1(bare.workflowsPerSec), n: floorN, seconds: r1(bare.seconds), cpuMsPerWorkflow: r1(bareCpuMs), peakRssMiB: Math.round(bare.peakRssMiB), otherLoadCores: Math.round((bare.cpu.other / bare.seconds) * 100) / 100 },
    cpuMsPerItem: r1(stageCpuMs),
    ratioPct: r1(ratio * 100),
    cpuBoundRatioPct: r1(cpuRatio * 100),
    targetPct: target * 100,
    targetMet: met,
  };
  return { lines, json, ratio, cpuRatio, met };
}
