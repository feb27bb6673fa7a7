import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';

import { ResearchController } from './insights.module';
import { researchOpenApiDocument } from './openapi';

type Operation = { security?: { research: string[] }[]; parameters?: { name: string }[] };

describe('research OpenAPI document', () => {
  const document = researchOpenApiDocument() as {
    openapi: string;
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
  };

  it('documents exactly the routes the controller serves, each with the scope its guard checks', () => {
    const prototype = ResearchController.prototype as unknown as Record<string, () => unknown>;
    const routes = Object.getOwnPropertyNames(ResearchController.prototype)
      .filter((name) => name !== 'constructor')
      .map((name) => {
        const handler = prototype[name];
        const path = String(Reflect.getMetadata(PATH_METADATA, handler));
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number].toLowerCase();
        const scope = Reflect.getMetadata('research:scope', handler) as string;
        return { route: `${method} /${path.replace(/:(\w+)/g, '{$1}')}`, scope };
      });
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({
        route: `${method} ${path}`,
        scope: operation.security?.[0]?.research[0],
      })),
    );
    const byRoute = (a: { route: string }, b: { route: string }) => a.route.localeCompare(b.route);
    expect(documented.sort(byRoute)).toEqual(routes.sort(byRoute));
  });

  it('derives the request schemas from the zod schemas the API validates with', () => {
    expect(document.openapi).toBe('3.1.0');
    const study = document.components.schemas.StudyRequest;
    expect(study.required).toEqual(['title', 'purpose', 'approvedFields', 'window']);
    const engagement = document.paths['/metrics/engagement'].get;
    expect(engagement.parameters?.map((p) => p.name)).toEqual(
      expect.arrayContaining(['from', 'to', 'period', 'groupBy', 'town', 'learning_point', 'skill']),
    );
  });
});
