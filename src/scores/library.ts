import {
  scoreDefinitionSchema,
  type DecayingScore,
  type ProfileQualityScore,
  type RfmScore,
  type ScoreDefinition,
} from './schema';

/**
 * The built-in scores. Seed S3 names the behavioural score's shape (weights per event type, 0.95
 * a day, capped at 100, multipliers for pricey product views and repeat purchases) but not its
 * weights; these are Cairn's, in Cairn's canonical event names, and documented in the README:
 * intent rises from browsing to the cart to buying, and a click on our message says more than an
 * open. Only human engagement counts (machine opens and bot clicks score nothing).
 */
export const engagementScore: DecayingScore = {
  kind: 'decaying',
  id: 'engagement',
  version: 1,
  name: 'Engagement',
  description:
    'Σ weight × multiplier × 0.95^days over page views, product views, carts, purchases, form submissions, downloads and human opens and clicks; capped at 100.',
  weights: {
    page_view: 1,
    product_view: 2,
    add_to_cart: 5,
    purchase: 10,
    form_submit: 3,
    download: 3,
    subscription: 5,
    email_opened: 1,
    email_clicked: 3,
    sms_clicked: 3,
    push_opened: 2,
    in_app_read: 1,
  },
  multipliers: [
    { event: 'product_view', where: [{ property: 'price', op: 'gt', value: 100 }], factor: 1.5 },
    {
      event: 'product_view',
      where: [
        { property: 'price', op: 'gt', value: 50 },
        { property: 'price', op: 'lte', value: 100 },
      ],
      factor: 1.2,
    },
    {
      event: 'purchase',
      where: [{ property: 'is_repeat_customer', op: 'eq', value: true }],
      factor: 1.3,
    },
  ],
  decayPerDay: 0.95,
  cap: 100,
};

export const dataQualityScore: ProfileQualityScore = {
  kind: 'profile_quality',
  id: 'data_quality',
  version: 1,
  name: 'Data quality',
  description:
    'Email present, completeness (first_name, last_name, email), freshness of the profile and number of source systems, each 1, ½ or 0, averaged to 0..1.',
  requiredFields: ['first_name', 'last_name', 'hasEmail'],
};

/**
 * RFM over the last year: a year holds a full round of seasons, so a customer who buys every
 * Christmas keeps a frequency. Recomputed on a Temporal Schedule (daily by default).
 */
export const rfmScore: RfmScore = {
  kind: 'rfm',
  id: 'rfm',
  version: 1,
  name: 'RFM',
  description:
    'Recency (days since the last purchase), frequency (purchases) and monetary value (sum of properties.total) over 365 days, each a quintile 1..5 among the customers who bought in that time (5 best); scores.rfm reads r + f + m (3..15).',
  window: '365d',
};

/** Checked when the module loads: a built-in that breaks its own schema stops the process. */
export const builtInScores: readonly ScoreDefinition[] = [
  engagementScore,
  dataQualityScore,
  rfmScore,
].map((definition) => scoreDefinitionSchema.parse(definition));
