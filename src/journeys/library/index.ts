import type { JourneyDefinition } from '../schema';
import { abandonedCart } from './abandoned-cart';
import { onboarding } from './onboarding';
import { reEngagement } from './re-engagement';
import { welcomeSeries } from './welcome-series';

/**
 * The built-in journeys (seed scenarios A–D), on the channels the seeds use: email, SMS (with an
 * email fallback in the welcome series) and push.
 *
 * Template variables (Handlebars, strict: a missing variable fails the send):
 * - profile.first_name — optional everywhere (guarded by {{#if}}, falls back to "there")
 * - company.name — all four journeys
 * - links.onboarding — welcome-series, onboarding
 * - links.help_center — welcome-series
 * - links.profile — welcome-series, onboarding
 * - links.checkout — abandoned-cart
 * - links.shop, links.survey — re-engagement
 * - trigger.cart_items (array of { name, price }), trigger.cart_value — abandoned-cart
 *   (trigger.* are the trigger event's properties)
 *
 * Events: welcome-series ← user_signup; abandoned-cart ← cart_abandoned { cart_id, cart_value,
 * cart_items }, exits on purchase; re-engagement ← segment_entered of inactive_30d, listens to email_opened and
 * sms_clicked; onboarding ← onboarding_started, listens to profile_completion. All but
 * abandoned-cart exit on unsubscribe.
 */
export const builtInJourneys: JourneyDefinition[] = [
  welcomeSeries,
  abandonedCart,
  reEngagement,
  onboarding,
];

export { abandonedCart, onboarding, reEngagement, welcomeSeries };

export const LIBRARY_TEMPLATE_VARIABLES = [
  'profile.first_name',
  'company.name',
  'links.onboarding',
  'links.help_center',
  'links.profile',
  'links.checkout',
  'links.shop',
  'links.survey',
  'trigger.cart_items',
  'trigger.cart_value',
] as const;

export {
  abandonCart001,
  browseAbandonment2h,
  cartAbandonment24h,
  engagementMomentum,
  triggerRuleExamples,
} from './trigger-rules';
