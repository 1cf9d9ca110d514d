import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { lifecycleStageListSchema, type LifecycleStageList } from '../../contract/lifecycle';
import { LIFECYCLE_CHANGED, lifecycleStages } from '../../lifecycle/stages';
import type { ApiDeps } from '../deps';
import { authErrors, bearerSecurity } from '../route-support';

/** The stages are code, not data: the list is the same for every request. */
const stageList: LifecycleStageList = {
  stages: lifecycleStages.map((stage) => ({
    id: stage.id,
    name: stage.name,
    description: stage.description,
    aliases: [...stage.aliases],
    where: stage.where,
  })),
  changeEvent: LIFECYCLE_CHANGED,
};

export const lifecycleRoutes: FastifyPluginCallbackZod<{ deps: ApiDeps }> = (app, _opts, done) => {
  app.get(
    '/lifecycle-stages',
    {
      schema: {
        tags: ['lifecycle'],
        summary: 'List the lifecycle stages, their rules and aliases',
        description:
          'In order of precedence: a customer is in the first stage whose rule (a segment condition) ' +
          'matches. A change of stage is a lifecycle_changed event with properties {from, to}.',
        security: bearerSecurity,
        response: { 200: lifecycleStageListSchema, ...authErrors },
      },
    },
    () => stageList,
  );
  done();
};
