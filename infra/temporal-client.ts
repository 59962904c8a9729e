import { Client, Connection } from '@temporalio/client';
import { encryptedDataConverter } from './payload-codec';

export async function connectTemporalClient(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace, dataConverter: encryptedDataConverter() });
}
