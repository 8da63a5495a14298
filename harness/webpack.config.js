// Bundles the editors with @grafana/ui and React into one page, unlike the
// plugin's own build, where Grafana provides them.
const path = require('path');

module.exports = {
  mode: 'development',
  devtool: false,
  entry: path.resolve(__dirname, 'index.tsx'),
  output: { path: path.resolve(__dirname, 'dist'), filename: 'bundle.js' },
  resolve: {
    extensions: ['.tsx', '.ts', '.js', '.mjs'],
    fallback: { fs: false, path: false, os: false, crypto: false, stream: false },
  },
  module: {
    rules: [
      {
        test: /\.[tj]sx?$/,
        exclude: /node_modules/,
        use: {
          loader: 'swc-loader',
          options: {
            jsc: { parser: { syntax: 'typescript', tsx: true }, transform: { react: { runtime: 'automatic' } } },
          },
        },
      },
      // @grafana/ui's .mjs files import CommonJS packages by their default export
      // (react-custom-scrollbars-2); strict ESM interop would hand them the whole module.
      { test: /\.m?js$/, type: 'javascript/auto', resolve: { fullySpecified: false } },
      { test: /\.css$/, use: ['style-loader', 'css-loader'] },
      { test: /\.(svg|png|woff2?|ttf|eot)$/, type: 'asset/inline' },
    ],
  },
  performance: { hints: false },
};
