import type { SegmentDefinitionInput } from '../schema';

/**
 * The seed documents' segments (seed S0's rule segments, seed S1's inactive customers), as
 * built-in definitions installed with the built-in journeys. Field and event names are Cairn's
 * canonical ones: lifetime_value on the profile, purchase with properties.total and
 * properties.category, page_view and form_submit.
 */

export const highValueCustomer: SegmentDefinitionInput = {
  id: 'high_value_customer',
  name: 'High-value customers',
  description: 'Lifetime value of 1,000 or more (profile.lifetime_value).',
  where: { profile: { field: 'lifetime_value', op: 'gte', value: 1000 } },
};

/**
 * Seed S0 asks for an engagement score of 0.8 or more; until scores exist this is what the score
 * is made of: ten or more human opens or clicks of our messages in 30 days.
 */
export const highlyEngaged: SegmentDefinitionInput = {
  id: 'highly_engaged',
  name: 'Highly engaged',
  description: '10 or more opens or clicks of our messages (machine opens left out) in 30 days.',
  where: { engaged: { action: 'any', count: { atLeast: 10 }, within: '30d' } },
};

export const recentPurchaser: SegmentDefinitionInput = {
  id: 'recent_purchaser',
  name: 'Recent purchasers',
  description: 'Bought something in the last 30 days.',
  where: { performed: { event: 'purchase', within: '30d' } },
};

export const emailEngaged: SegmentDefinitionInput = {
  id: 'email_engaged',
  name: 'Email engaged',
  description: '5 or more email opens or clicks (machine opens left out) in 30 days.',
  where: { engaged: { action: 'any', channel: 'email', count: { atLeast: 5 }, within: '30d' } },
};

export const webActive: SegmentDefinitionInput = {
  id: 'web_active',
  name: 'Active on the web',
  description: '20 or more page views, or 20 or more form submissions, in 30 days.',
  where: {
    any: [
      { performed: { event: 'page_view', count: { atLeast: 20 }, within: '30d' } },
      { performed: { event: 'form_submit', count: { atLeast: 20 }, within: '30d' } },
    ],
  },
};

/**
 * Customers who bought before and have shown no sign of life for 30 days: no purchase, no page
 * view and no open or click. The re-engagement journey starts when a customer enters it.
 */
export const inactive30d: SegmentDefinitionInput = {
  id: 'inactive_30d',
  name: 'Inactive for 30 days',
  description: 'Bought before; no purchase, page view, open or click in the last 30 days.',
  where: {
    all: [
      { performed: { event: 'purchase' } },
      { notPerformed: { event: 'purchase', within: '30d' } },
      { notPerformed: { event: 'page_view', within: '30d' } },
      { not: { engaged: { action: 'any', within: '30d' } } },
    ],
  },
};

/** purchased_<category>: bought in this category, ever (seed S0's purchased_{category}). */
export function purchasedCategory(category: string): SegmentDefinitionInput {
  return {
    id: `purchased_${category}`,
    name: `Purchased ${category}`,
    description: `Bought something in the category "${category}" (purchase properties.category).`,
    where: {
      performed: {
        event: 'purchase',
        where: [{ property: 'category', op: 'eq', value: category }],
      },
    },
  };
}

export const builtInSegments: SegmentDefinitionInput[] = [
  highValueCustomer,
  highlyEngaged,
  recentPurchaser,
  emailEngaged,
  webActive,
  inactive30d,
];
