import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

export interface WorkerProcess { proc: ChildProcess; output(): string; kill(signal: NodeJS.Signals): Promise<number | null> }

/** The real worker entry point (worker/main.ts) as its own OS process, so a test can SIGKILL it. */
export async function spawnWorkerProcess(taskQueue: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'info', ...env },
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
    output: () => output,
    async kill(signal) {
      proc.kill(signal);
      return exited;
    },
  };
}
