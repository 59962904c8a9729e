import { Client as MinioClient } from 'minio';
import type { Env } from './env';

export type ObjectStore = { client: MinioClient; bucket: string };

export function createObjectStore(env: Pick<Env, 'S3_ENDPOINT' | 'S3_ACCESS_KEY' | 'S3_SECRET_KEY' | 'S3_BUCKET' | 'S3_REGION'>): ObjectStore {
  const url = new URL(env.S3_ENDPOINT);
  const useSSL = url.protocol === 'https:';
  const client = new MinioClient({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : useSSL ? 443 : 80,
    useSSL,
    accessKey: env.S3_ACCESS_KEY,
    secretKey: env.S3_SECRET_KEY,
    region: env.S3_REGION,
  });
  return { client, bucket: env.S3_BUCKET };
}

/** Creates the bucket on first use; safe to call from every process at start. */
export async function ensureBucket(store: ObjectStore, region: string): Promise<void> {
  if (await store.client.bucketExists(store.bucket)) return;
  try {
    await store.client.makeBucket(store.bucket, region);
  } catch (err) {
    if ((err as { code?: string }).code !== 'BucketAlreadyOwnedByYou') throw err;
  }
}
