// Jest's module runtime, compiling each module with vm.Script instead of
// vm.compileFunction. V8 keeps a compiled vm.Script in its per-process compilation
// cache and reuses it when the same source is compiled again, as every test file does
// for @grafana/data, @grafana/ui and the rest: each file has its own module registry,
// so each loads them anew. vm.compileFunction is never cached (nodejs/node#35375),
// and Jest 30 switched to it, which made module loading most of this suite's time
// (jestjs/jest#15718). The wrapper is the one Jest 29 used; the module runs the same.
const { Script } = require('vm');
const JestRuntime = require('jest-runtime').default;

const RESULT = 'Object.<anonymous>';

class ScriptRuntime extends JestRuntime {
  constructor(...args) {
    super(...args);
    const executor = this.executor;
    if (typeof executor?.compile !== 'function' || !Array.isArray(executor.injectedModuleParameters)) {
      // A Jest upgrade moved what this replaces: fail loudly, not slowly.
      throw new Error('jest-script-runtime.js: this jest-runtime has no executor.compile; update or remove it');
    }
    executor.compile = function compile(source, filename) {
      const context = this.environment.getVmContext();
      if (context == null) {
        return null;
      }
      const scriptFilename = this.resolution.isCoreModule(filename) ? `jest-nodejs-core-${filename}` : filename;
      const script = new Script(`({"${RESULT}":function(${this.injectedModuleParameters.join(',')}){${source}\n}});`, {
        filename: scriptFilename,
        importModuleDynamically: (specifier, _script, importAttributes, phase) =>
          this.dynamicImport(specifier, scriptFilename, context, importAttributes, phase),
      });
      return script.runInContext(context, { filename: scriptFilename })[RESULT];
    };
  }
}

module.exports = ScriptRuntime;
