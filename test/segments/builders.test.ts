import {
  all,
  performed,
  profile,
  property,
  segment,
  notPerformed,
  engaged,
} from '../../src/segments/builders';
import { segmentDefinitionSchema } from '../../src/segments/schema';

it('builds the JSON an author would write, validated', () => {
  const definition = segment('high_value')
    .name('High value')
    .where(profile('lifetime_value', 'gte', 1000))
    .where(performed('purchase', { within: '30d', where: [property('amount', 'gt', 10)] }))
    .build();
  expect(definition).toEqual({
    id: 'high_value',
    name: 'High value',
    kind: 'rule',
    where: {
      all: [
        { profile: { field: 'lifetime_value', op: 'gte', value: 1000 } },
        {
          performed: {
            event: 'purchase',
            within: '30d',
            where: [{ property: 'amount', op: 'gt', value: 10 }],
          },
        },
      ],
    },
  });
  expect(segmentDefinitionSchema.parse(JSON.parse(JSON.stringify(definition)))).toEqual(definition);
});

it('fills the schema defaults and refuses what the schema refuses', () => {
  const lapsed = segment('lapsed')
    .name('Lapsed')
    .where(all(notPerformed('purchase', { within: '90d' }), engaged({ within: '30d' })))
    .build();
  expect(lapsed.where).toEqual({
    all: [
      { notPerformed: { event: 'purchase', within: '90d' } },
      { engaged: { action: 'any', within: '30d' } },
    ],
  });
  expect(() =>
    segment('Bad Id')
      .name('x')
      .where(profile('a', 'eq', 1))
      .build(),
  ).toThrow(/snake_case/);
  expect(() =>
    segment('m')
      .name('Manual')
      .manual()
      .where(profile('a', 'eq', 1))
      .build(),
  ).toThrow(/manual segment has no condition/);
  expect(segment('m').name('Manual').manual().build()).toEqual({
    id: 'm',
    name: 'Manual',
    kind: 'manual',
  });
});
