// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

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
