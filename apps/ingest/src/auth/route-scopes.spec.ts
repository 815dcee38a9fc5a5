import 'reflect-metadata';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { FEATURE_CONTROLLERS, INGEST_CONTROLLERS } from '../ingest.module';
import { PUBLIC_ROUTE, REQUIRED_SCOPE } from './scopes.decorator';

/** Every ingest route declares who may call it: a scope, or public on purpose. */
describe('ingest routes and their access scopes', () => {
  const routes = [...INGEST_CONTROLLERS, ...FEATURE_CONTROLLERS].flatMap((controller) => {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const proto = controller.prototype as unknown as Record<string, unknown>;
    return Object.getOwnPropertyNames(proto)
      .filter((name) => name !== 'constructor' && typeof proto[name] === 'function' && Reflect.getMetadata(METHOD_METADATA, proto[name] as object) !== undefined)
      .map((name) => {
        const handler = proto[name] as object;
        return {
          route: `${base}/${String(Reflect.getMetadata(PATH_METADATA, handler))}`.replace(/\/+$/, ''),
          method: `${controller.name}.${name}`,
          scope: (Reflect.getMetadata(REQUIRED_SCOPE, handler) ?? Reflect.getMetadata(REQUIRED_SCOPE, controller)) as string | undefined,
          isPublic: Boolean(Reflect.getMetadata(PUBLIC_ROUTE, handler) ?? Reflect.getMetadata(PUBLIC_ROUTE, controller)),
        };
      });
  });

  it('finds the routes', () => {
    expect(routes.length).toBeGreaterThan(8);
  });

  it.each(routes.map((r) => [`${r.route} (${r.method})`, r]))('%s declares a scope or is public', (_name, route) => {
    expect(route.isPublic || route.scope !== undefined).toBe(true);
  });

  it('keeps writes that cost credits or change state behind ingest or admin', () => {
    const byMethod = new Map(routes.map((r) => [r.method, r]));
    expect(byMethod.get('LeadsController.create')?.scope).toBe('ingest');
    expect(byMethod.get('LeadsController.createBatch')?.scope).toBe('ingest');
    expect(byMethod.get('LeadsController.refresh')?.scope).toBe('admin');
    expect(byMethod.get('LeadsController.list')?.scope).toBe('read');
    expect(byMethod.get('ErasureController.erase')?.scope).toBe('admin');
    expect(routes.filter((r) => r.route.startsWith('api/dead-letters')).map((r) => r.scope)).toEqual(['admin', 'admin', 'admin', 'admin']);
  });
});
