'use strict';
// Renders PDFs with @react-pdf/renderer in a worker thread. It runs under Node's own module loader
// because the renderer is an ES module (which the tests' CommonJS loader can't require), and because
// layout is CPU-bound work that would otherwise stall the worker's event loop.
const { parentPort } = require('node:worker_threads');

const loaded = Promise.all([import('@react-pdf/renderer'), import('react')]).then(([pdf, react]) => ({ pdf, createElement: react.default.createElement }));
const TYPES = new Set(['Document', 'Page', 'View', 'Text']);

parentPort.on('message', async ({ id, doc }) => {
  try {
    const { pdf, createElement } = await loaded;
    const toElement = (node) => {
      if (typeof node === 'string') return node;
      if (!TYPES.has(node.type)) throw new Error(`unknown PDF element ${node.type}`);
      return createElement(pdf[node.type], { ...node.props, style: node.style }, ...(node.children ?? []).map(toElement));
    };
    const buffer = await pdf.renderToBuffer(toElement(doc));
    parentPort.postMessage({ id, pdf: new Uint8Array(buffer) });
  } catch (err) {
    parentPort.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
