import { randomUUID } from 'node:crypto';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestApi } from '../helpers/api';
import { getTransaction, insertTransactions } from '../../db/partner-statements';
import { partnerStartFromDb } from '../../db/partner-ledger';
import { partnerCapacityClient } from '../../infra/partner-capacity-client';
import { reserveRequest, settle } from '../capacity/fixtures';
import { eventually } from '../helpers/wait';
import { createLeadType, createPartner, keyFor, validPartner } from '../config/fixtures';

const execFileAsync = promisify(execFile);

export const GB = { line1: '1 High Street', city: 'London', postalCode: 'SW1A 1AA', country: 'GB' };
export const DE = { line1: 'Friedrichstraße 1', city: 'Berlin', postalCode: '10117', country: 'DE' };
export const PL = { line1: 'ul. Piotrkowska 1', city: 'Łódź', postalCode: '90-001', country: 'PL' };
export const US = { line1: '1 Main Street', city: 'Austin', postalCode: '78701', country: 'US' };

/** A partner with billing details and an address of its own to find its mail by, plus its portal key. */
export async function billedPartner(api: TestApi, billing: { legalName: string; address: typeof GB; vatId?: string }) {
  const email = `billing-${randomUUID().slice(0, 8)}@partner.example`;
  const base = validPartner().billing;
  const partner = await createPartner(api, { email, billing: { ...base, vatId: undefined, ...billing }, schedule: { type: 'always' }, caps: {}, creditLimitMinor: null });
  return { ...partner, email, key: await keyFor(api, 'partner', partner.id) };
}

/**
 * Charges on a partner's statement in a past month, written to the ledger table the partner workflow
 * writes, each for a lead of `leadType`, with the running balance.
 */
export async function chargesIn(api: TestApi, partnerId: string, month: string, leadType: { id: string; name: string }, pricesMinor: number[], firstSeq = 1) {
  const leads = pricesMinor.map(() => randomUUID());
  await api.sql`insert into leads ${api.sql(leads.map((id) => ({ id, lead_type: leadType.name, lead_type_id: leadType.id })))}`;
  let balance = 0;
  await insertTransactions(api.sql, partnerId, pricesMinor.map((price, i) => {
    balance -= price;
    return {
      seq: firstSeq + i, key: `charge:${leads[i]}`, kind: 'charge' as const, amountMinor: -price, balanceMinor: balance, currency: 'GBP',
      leadId: leads[i]!, assignmentId: 'assignment-1', description: `lead ${leads[i]}`, occurredAt: `${month}-${String(10 + i).padStart(2, '0')}T12:00:00.000Z`,
    };
  }));
  return leads;
}

/** A lead delivered and charged now, the way delivery does it: reserved and committed through the partner's workflow. */
export async function chargeNow(api: TestApi, taskQueue: string, partnerId: string, priceMinor: number): Promise<string> {
  const partners = partnerCapacityClient(api.temporal, taskQueue, partnerStartFromDb(api.sql));
  const req = reserveRequest(partnerId, { priceMinor });
  const reserved = await partners.reserve(req);
  if (!reserved.granted) throw new Error(`not granted: ${JSON.stringify(reserved)}`);
  await partners.commit({ ...settle(req), priceMinor });
  await eventually(async () => (await api.sql`select 1 from partner_transactions where partner_id = ${partnerId} and lead_id = ${req.leadId}`).length > 0 || undefined);
  return req.leadId;
}

export const creditOf = (api: TestApi, partnerId: string, leadId: string) => getTransaction(api.sql, partnerId, `credit:${leadId}`);

export const leadType = (api: TestApi) => createLeadType(api);

/** Follows the API's redirect to the presigned link and downloads the PDF from the object store. */
export async function downloadPdf(api: TestApi, path: string, key?: string) {
  const res = await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${key ?? api.operatorKey}` }, redirect: 'manual' });
  if (res.status !== 302) throw new Error(`expected a redirect, got ${res.status}: ${await res.text()}`);
  const location = res.headers.get('location')!;
  const pdf = Buffer.from(await (await fetch(location)).arrayBuffer());
  return { location, pdf };
}

// pdf.js loads its worker by dynamic import, which jest's module loader refuses: read PDFs in a plain Node process.
const EXTRACT = `const { PDFParse } = require('pdf-parse');
const chunks = []; process.stdin.on('data', (c) => chunks.push(c)).on('end', async () => {
  const parser = new PDFParse({ data: new Uint8Array(Buffer.concat(chunks)) });
  process.stdout.write((await parser.getText()).text); await parser.destroy();
});`;

// How much ink a PNG holds in each region of a grid: tenths of the height (rows) by quarters of the width (columns).
const INK = `const { createCanvas, loadImage } = require('@napi-rs/canvas');
const chunks = []; process.stdin.on('data', (c) => chunks.push(c)).on('end', async () => {
  const image = await loadImage(Buffer.concat(chunks)); const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d'); ctx.drawImage(image, 0, 0); const { data } = ctx.getImageData(0, 0, image.width, image.height);
  const ink = Array.from({ length: 10 }, () => new Array(4).fill(0));
  for (let y = 0; y < image.height; y++) for (let x = 0; x < image.width; x++) {
    const i = (y * image.width + x) * 4; if (data[i] + data[i + 1] + data[i + 2] < 384) ink[Math.floor((y * 10) / image.height)][Math.floor((x * 4) / image.width)]++;
  }
  process.stdout.write(JSON.stringify(ink));
});`;

// Poppler's tools, which `npm test` installs (scripts/lib/tools.js ensurePoppler).
const PDFTOPPM = process.env.LEADRELAY_PDFTOPPM ?? '/usr/bin/pdftoppm';
const PDFTOTEXT = path.join(path.dirname(PDFTOPPM), 'pdftotext');

/** Hands the PDF, written to a folder of its own, to a poppler tool; the folder goes afterwards. */
async function withPdfFile<T>(pdf: Buffer, use: (file: string, dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'leadrelay-pdf-'));
  try {
    await writeFile(path.join(dir, 'in.pdf'), pdf);
    return await use(path.join(dir, 'in.pdf'), dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A4 at `dpi`, in whole pixels as pdftoppm renders it: 210 x 297 mm rounded up. */
export const a4Pixels = (dpi: number) => [Math.ceil((210 / 25.4) * dpi), Math.ceil((297 / 25.4) * dpi)];

/**
 * What a person sees on page 1: rendered to PNG by pdftoppm at `dpi`, the image's size in pixels (from
 * its header) and dark pixels per tenth of the height (rows) and quarter of the width (columns).
 */
export async function pdfLooks(pdf: Buffer, dpi = 72): Promise<{ width: number; height: number; png: Buffer; ink: number[][] }> {
  const png = await withPdfFile(pdf, async (file, dir) => {
    await execFileAsync(PDFTOPPM, ['-png', '-r', String(dpi), '-f', '1', '-l', '1', '-singlefile', file, path.join(dir, 'page')]);
    return readFile(path.join(dir, 'page.png'));
  });
  if (png.subarray(1, 4).toString() !== 'PNG') throw new Error('pdftoppm wrote no PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), png, ink: JSON.parse(await runNode(INK, png)) };
}

/** Where each word sits on page 1, in points from the top left corner, as pdftotext -bbox reads it. */
export async function pdfWords(pdf: Buffer): Promise<{ word: string; x: number; y: number; xMax: number; yMax: number }[]> {
  const { stdout } = await withPdfFile(pdf, (file) => execFileAsync(PDFTOTEXT, ['-bbox', '-f', '1', '-l', '1', file, '-']));
  return [...stdout.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((m) => ({
    word: m[5]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"'),
    x: Number(m[1]), y: Number(m[2]), xMax: Number(m[3]), yMax: Number(m[4]),
  }));
}

/** The text a person would read on the PDF, by a stock PDF text extractor (pdf.js through pdf-parse). */
export const pdfText = (pdf: Buffer) => runNode(EXTRACT, pdf);

function runNode(script: string, input: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`PDF text extraction exited with ${code}`))));
    child.stdin.end(input);
  });
}

export interface CaughtMail { subject: string; text: string; to: { address: string }[]; attachments?: { fileName: string; contentType: string }[] }
export const mailsTo = async (address: string): Promise<CaughtMail[]> =>
  ((await (await fetch(`${process.env.MAIL_WEB_URL}/email`)).json()) as CaughtMail[]).filter((m) => m.to.some((t) => t.address === address));
