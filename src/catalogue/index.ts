/** The journeys catalogue: journeys, their immutable versions and which one is active. */
export { JourneyDefinitionError, publishVersion, type PublishedVersion } from './publish-version';
export {
  listJourneys,
  findJourney,
  findVersion,
  setJourneyStatus,
  type JourneyRow,
  type JourneyStatus,
  type JourneyVersionRow,
} from './journey-records';
export { activeJourney, journeysTriggeredBy, type ActiveJourney } from './active-journeys';
