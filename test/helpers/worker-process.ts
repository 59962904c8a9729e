import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../scripts/lib/services';

const ROOT = path.resolve(__dirname, '..', '..');

export interface WorkerProcess { proc: ChildProcess; metricsUrl: string; output(): string; kill(signal: NodeJS.Signals): Promise<number | null> }

/** The real worker entry point (worker/main.ts) as its own OS process, so a test can SIGKILL it. */
export async function spawnWorkerProcess(taskQueue: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
  // Workers of parallel test files each need their own metrics port.
  const metricsPort = String(await freePort());
  const proc = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'info', WORKER_METRICS_PORT: metricsPort, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout!.on('data', (d) => { output += d; });
  proc.stderr!.on('data', (d) => { output += d; });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${output}`)), 60_000);
    const onData = () => {
      if (output.includes('worker started')) { clearTimeout(timer); resolve(); }
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', () => { clearTimeout(timer); reject(new Error(`worker exited while starting:\n${output}`)); });
  });
  return {
    proc,
    metricsUrl: `http://127.0.0.1:${env.WORKER_METRICS_PORT ?? metricsPort}/metrics`,
    output: () => output,
    async kill(signal) {
      proc.kill(signal);
      return exited;
    },
  };
}
