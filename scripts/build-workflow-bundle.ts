import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../domain/onestop/payload-codec';

/** Pre-bundles the workflows for production workers (samples-typescript/production pattern). */
async function main(): Promise<void> {
  const quiet = () => undefined;
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    // SEC-1: failure messages leave the sandbox as encoded payloads, so the codec encrypts them.
    failureConverterPath: FAILURE_CONVERTER_PATH(),
    // webpack's module listing drowns the start-up summary; errors still surface as a rejected promise.
    logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: (m) => console.warn(m), error: (m) => console.error(m) },
  });
  const out = path.resolve(__dirname, '..', 'workflow-bundle.js');
  await fs.promises.writeFile(out, code);
  console.log(`workflow bundle: ${out} (${Math.round(code.length / 1024)} KiB)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
