/** Customers: reading and changing a customer, and the profile snapshot conditions see. */
export { readCustomer, type CustomerRow } from './read-customer';
export { upsertCustomer, type CustomerChange } from './upsert-customer';
export { updateAttributes, AttributeUpdateError } from './update-attributes';
export { toProfileSnapshot, BUILT_IN_PROFILE_FIELDS, type ProfileSource } from './profile-snapshot';
export { loadProfileSnapshot, loadProfileSnapshots, profileSourceOf } from './load-profile';
export { ENGAGEMENT_EVENT_TYPES, engagementTimes, lastEngagement } from './engagement';
export { existingCustomerIds, customersWithAddress } from './find-customers';
export { ensureCustomer } from './ensure-customer';
export { lockProfiles, type LockedProfile } from './lock-profiles';
export {
  customerScoreViews,
  scoreContributionsOf,
  storedScores,
  type CustomerScoreView,
  type ScoreContribution,
} from './customer-scores';
export { scoreView } from './score-view';
export { customerContacts, deleteCustomerRow } from './erase-customer';
