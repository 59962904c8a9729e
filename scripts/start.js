'use strict';
// `npm start`: installs what is missing, then runs the stack in this process (so Ctrl-C reaches it).
const tools = require('./lib/tools');

try {
  tools.ensureNodeModules();
} catch (err) {
  tools.say(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
require('tsx/cjs/api').register();
require('./stack.ts');
