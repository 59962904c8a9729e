import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { assertPortsFree, freePort } from '../../scripts/lib/services';

describe('npm start with a port already taken', () => {
  it('names the port, what holds it and the variable that moves it', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const taken = (holder.address() as AddressInfo).port;
    try {
      await expect(assertPortsFree([{ port: taken, what: 'API', env: 'API_PORT' }, { port: await freePort(), what: 'MinIO', env: 'MINIO_PORT' }]))
        .rejects.toThrow(new RegExp(`^port ${taken} \\(API\\) is taken( by node \\(pid ${process.pid}\\))?; free it or set API_PORT to another port$`));
      await expect(assertPortsFree([{ port: taken, what: 'API', env: 'API_PORT' }], async () => true)).rejects.toThrow(/leadrelay is already running/);
    } finally {
      await new Promise((r) => holder.close(r));
    }
    await expect(assertPortsFree([{ port: taken, what: 'API', env: 'API_PORT' }])).resolves.toBeUndefined();
  });
});
