import pino from 'pino';

export type Logger = pino.Logger;

/** Credentials and link tokens never reach the logs: headers are replaced, the token query parameter blanked. */
const redact: pino.LoggerOptions['redact'] = {
  paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-twilio-signature"]', 'req.query.token', 'req.url'],
  censor: (value, path) => (path[path.length - 1] === 'url' ? String(value).replace(/([?&]token=)[^&]*/g, '$1[Redacted]') : '[Redacted]'),
};

export function createLogger(name: string, level: string = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  return destination ? pino({ name, level, redact }, destination) : pino({ name, level, redact });
}
