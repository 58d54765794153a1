import { fail, pass, type CheckKind } from '../check-kind.js';
import { describeTarget, enterTarget, parseTarget, validateTarget, type Target } from '../target.js';
import { validateExpect, validateKeys } from './expectations.js';

interface RouteSpec {
  destination: string;
  target: Target;
  via?: string;
  dev?: string;
}

interface RawRoute {
  dst?: string;
  gateway?: string;
  dev?: string;
}

/** A route of the main table, from `ip -j route show`; `route: default` is the default route. */
export const routeCheck: CheckKind<RouteSpec> = {
  key: 'route',
  keys: ['in', 'expect'],
  validate(body) {
    return validateKeys(body, 'route', this.keys) ?? validateTarget(body.in) ?? validateExpect(body, ['via', 'dev']);
  },
  parse(body) {
    const expect = body.expect as Record<string, unknown>;
    return {
      destination: String(body.route),
      target: parseTarget(body.in),
      via: expect.via === undefined ? undefined : String(expect.via),
      dev: expect.dev === undefined ? undefined : String(expect.dev),
    };
  },
  async run(context, spec) {
    const where = describeTarget(spec.target, context.host);
    const expected = [spec.destination, spec.via ? `via ${spec.via}` : '', spec.dev ? `dev ${spec.dev}` : ''].filter(Boolean).join(' ');
    const entered = await enterTarget(context, spec.target);
    if ('missing' in entered) return fail(expected, entered.missing, `no routes to read: ${entered.missing}`);
    const result = await context.exec([...entered.prefix, 'ip', '-j', 'route', 'show']);
    const routes = JSON.parse(result.stdout || '[]') as RawRoute[];
    const format = (route: RawRoute) => [route.dst, route.gateway ? `via ${route.gateway}` : '', route.dev ? `dev ${route.dev}` : ''].filter(Boolean).join(' ');
    const route = routes.find((candidate) => candidate.dst === spec.destination);
    if (!route) return fail(expected, routes.map(format).join('; ') || 'no routes', `${where} has no route to ${spec.destination}`);
    const problems: string[] = [];
    if (spec.via && route.gateway !== spec.via) problems.push(`via ${route.gateway ?? 'none'} (expected ${spec.via})`);
    if (spec.dev && route.dev !== spec.dev) problems.push(`dev ${route.dev ?? 'none'} (expected ${spec.dev})`);
    if (problems.length > 0) return fail(expected, format(route), `route ${spec.destination} in ${where}: ${problems.join(', ')}`);
    return pass(expected, format(route), `route ${spec.destination} in ${where} is as expected`);
  },
};
