// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

// React 19's react-dom/server, which @grafana/ui 13 loads for its truncated text, makes a
// MessageChannel when it loads; jsdom has none. This one delivers on a timer, like the
// browser's, and unlike Node's own it keeps no port open that would hold Jest's workers.
if (typeof global.MessageChannel === 'undefined') {
  global.MessageChannel = class MessageChannel {
    constructor() {
      const port = () => ({ onmessage: null, postMessage: undefined, close() {}, start() {} });
      this.port1 = port();
      this.port2 = port();
      const deliver = (to) => (data) => setTimeout(() => to.onmessage?.({ data }), 0);
      this.port1.postMessage = deliver(this.port2);
      this.port2.postMessage = deliver(this.port1);
    }
  };
}

// jsdom has no canvas; @grafana/ui's Combobox measures option text with one.
HTMLCanvasElement.prototype.getContext = function getContext() {
  return { measureText: (text) => ({ width: String(text).length * 8 }), font: '' };
};

// Every picker of @grafana/ui positions its (closed) menu with floating-ui when it
// mounts and whenever it updates. Each position walks the element's ancestors with
// getComputedStyle, which jsdom answers by matching every CSS rule emotion has
// injected: about 80% of an editor test's time, and seconds per test on a busy
// machine. jsdom has no layout, so the positions were meaningless anyway; menus
// are placed at the origin here, and real placement is checked in Chromium.
jest.mock('@floating-ui/dom', () => ({
  ...jest.requireActual('@floating-ui/dom'),
  computePosition: (_reference, _floating, options) =>
    Promise.resolve({
      x: 0,
      y: 0,
      placement: options?.placement ?? 'bottom',
      strategy: options?.strategy ?? 'absolute',
      middlewareData: {},
    }),
  autoUpdate: () => () => {},
}));
