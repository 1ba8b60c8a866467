import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from '../feature';
import { ALL_ROLES } from './plugin';

/** The home page: what each role starts from. */
export function registerHomeRoutes(app: FastifyInstance, _deps: RouteDeps): void {
  app.get('/', { config: { consoleRoles: ALL_ROLES } }, async (request, reply) => {
    const user = request.consoleUser!;
    return reply.view('home.hbs', { title: 'ホーム', operator: user.role === 'operator' || user.role === 'admin' });
  });
}
