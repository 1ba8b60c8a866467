// The console feature (issue 16): server-rendered pages under /console, in an encapsulated
// plugin of their own (sessions, CSRF, security headers, templates), so the JSON API's bearer
// tokens and JSON errors are untouched. docs/features/console.md.
import type { ApiFeature } from '../feature';
import { consoleFoundation } from './plugin';
import { registerSignInRoutes } from './sign-in';
import { registerHomeRoutes } from './home';
import { registerAccountRoutes } from './accounts';

export const consoleApi: ApiFeature = async (app, deps) => {
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/', 302));
  await app.register(
    async (scope) => {
      await consoleFoundation(scope, deps);
      registerSignInRoutes(scope, deps);
      registerHomeRoutes(scope, deps);
      registerAccountRoutes(scope, deps);
    },
    { prefix: '/console' },
  );
};
