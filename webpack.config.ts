// Extends the scaffold's build (never edit .config/): the demo dashboard lives in
// provisioning/dashboards/ and ships inside the plugin too, for plugin.json's includes.
import CopyWebpackPlugin from 'copy-webpack-plugin';
import type { Configuration } from 'webpack';
import { merge } from 'webpack-merge';

import grafanaConfig, { type Env } from './.config/webpack/webpack.config';

const config = async (env: Env): Promise<Configuration> =>
  merge(await grafanaConfig(env), {
    plugins: [
      new CopyWebpackPlugin({
        patterns: [{ from: '../provisioning/dashboards/*.json', to: 'dashboards/[name][ext]' }],
      }),
    ],
  });

export default config;
