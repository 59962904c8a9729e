import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { workerDataConverter } from '../../infra/payload-codec';

// Every history recorded from real runs (npm run record-histories), replayed on today's workflow
// code: a change that would break a lead or partner workflow already running fails here.
const DIR = path.join(__dirname, 'histories');
const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

describe('recorded workflow histories replay on the current workflow code', () => {
  it('has histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s', async (file) => {
    const history: unknown = JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8'));
    await Worker.runReplayHistory({ workflowBundle: { codePath: process.env.LEADRELAY_WORKFLOW_BUNDLE! }, dataConverter: workerDataConverter() }, history, file);
  });
});
