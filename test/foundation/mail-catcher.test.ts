import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { freePort, startMailCatcher } from '../../scripts/lib/services';
import { eventually } from '../helpers/wait';

// `npm start` keeps MailDev's mail under .data/mail, beside the other services' data; the tests keep it in their
// run's folder, removed at the end (MailDev's own default, a new folder in /tmp per start, was never removed).
describe("the mail catcher's mail folder", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadrelay-mail-test-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps each mail in the folder it is given, and shows it again after a restart', async () => {
    const mailDir = path.join(dir, 'data', 'mail');
    const ports = { smtpPort: await freePort(), webPort: await freePort() };
    const first = await startMailCatcher({ ...ports, mailDir });
    try {
      await nodemailer.createTransport({ url: first.smtpUrl }).sendMail({ from: 'a@example.test', to: 'b@example.test', subject: 'kept across restarts', text: 'hello' });
    } finally {
      await first.stop();
    }
    expect(fs.readdirSync(mailDir).filter((f) => f.endsWith('.eml'))).toHaveLength(1);

    const second = await startMailCatcher({ ...ports, mailDir });
    try {
      // MailDev reads the folder back just after it starts listening.
      const subjects = await eventually(async () => {
        const mails = (await (await fetch(`${second.webUrl}/email`)).json()) as Array<{ subject: string }>;
        return mails.length > 0 ? mails.map((m) => m.subject) : undefined;
      });
      expect(subjects).toEqual(['kept across restarts']);
    } finally {
      await second.stop();
    }
  });
});
