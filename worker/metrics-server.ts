import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { Metrics } from '../infra/metrics';

/**
 * One scrape target per worker: leadrelay's metrics followed by the Temporal SDK's, which the SDK's
 * Core exports on a loopback port of its own (`sdkMetricsUrl`).
 */
export async function serveWorkerMetrics(opts: { port: number; host: string; metrics: Metrics; sdkMetricsUrl: string }): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    const sdk = await fetch(opts.sdkMetricsUrl).then((r) => r.text()).catch((err: Error) => `# Temporal SDK metrics unavailable: ${err.message}\n`);
    res.writeHead(200, { 'content-type': opts.metrics.registry.contentType });
    res.end(`${await opts.metrics.registry.metrics()}\n${sdk}`);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(opts.port, opts.host, resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://${opts.host}:${port}/metrics`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A loopback port nobody holds now, for the SDK's exporter (which can't report a port it picked itself). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
