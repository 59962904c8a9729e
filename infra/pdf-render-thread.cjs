'use strict';
// Renders PDFs with @react-pdf/renderer in a worker thread. It runs under Node's own module loader
// because the renderer is an ES module (which the tests' CommonJS loader can't require), and because
// layout is CPU-bound work that would otherwise stall the worker's event loop.
const path = require('node:path');
const { parentPort } = require('node:worker_threads');

// DejaVu Sans from the repository, registered once per thread: the PDF standard fonts only cover
// Latin-1, and customers' names and addresses across the EU need more (Łódź, Győr, Plzeň).
const loaded = Promise.all([import('@react-pdf/renderer'), import('react')]).then(([pdf, react]) => {
  pdf.Font.register({
    family: 'DejaVu Sans',
    fonts: [{ src: path.join(__dirname, 'fonts', 'DejaVuSans.ttf') }, { src: path.join(__dirname, 'fonts', 'DejaVuSans-Bold.ttf'), fontWeight: 'bold' }],
  });
  // Words are never hyphenated: an invoice number or VAT number must stay whole.
  pdf.Font.registerHyphenationCallback((word) => [word]);
  return { pdf, createElement: react.default.createElement };
});
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
