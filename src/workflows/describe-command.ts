import type { Command } from '../journeys/run-types';

/** One line for Web UI timers and current details; ids and times only, never PII. */
export function describeCommand(command: Command): string {
  switch (command.kind) {
    case 'load_profile':
      return 'reading the customer profile';
    case 'load_engagement':
      return `step ${command.stepId}: reading when the customer usually engages`;
    case 'send':
      return `sending ${command.channel} for step ${command.stepId}`;
    case 'update_profile':
      return `updating the profile for step ${command.stepId}`;
    case 'wait': {
      const events = command.events.length > 0 ? ` or ${command.events.join(', ')}` : '';
      return `step ${command.stepId}: waiting until ${new Date(command.until).toISOString()}${events}`;
    }
    case 'load_trigger_history':
      return `re-checking the trigger: ${command.types.join(', ')} since ${new Date(command.since).toISOString()}`;
    case 'record_conversion':
      return `recording the conversion of goal ${command.event.type}`;
    case 'finish':
      return `finished: ${command.status} (${command.reason})`;
  }
}
