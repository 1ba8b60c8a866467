import { DocumentRenderer, defaultTemplatesDir } from './renderer';

/** One Chromium per worker process, started by the first batch that needs it, closed with the worker. */
export function lazyRenderer(chromiumPath: string, templatesDir = defaultTemplatesDir()) {
  let launching: Promise<DocumentRenderer> | undefined;
  return {
    get(): Promise<DocumentRenderer> {
      launching ??= DocumentRenderer.launch({ chromiumPath, templatesDir }).catch((err) => {
        launching = undefined;
        throw err;
      });
      return launching;
    },
    async close(): Promise<void> {
      const current = launching;
      launching = undefined;
      if (current) await (await current).close();
    },
  };
}
