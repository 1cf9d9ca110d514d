import type { z } from 'zod';
import { contentSchemas } from './channel-content';
import { durationOrNull } from './durations';
import { matchTarget } from './event-match';
import { checkLoopsWithoutWait } from './loops-without-wait';
import { stepTargets } from './step-targets';
import type { CapRuleInput, EventMatch, ReEntry, SendStep, Step, Trigger } from './schema';
import { checkTrigger } from './trigger-checks';

/**
 * The rules of a definition that span fields (step graph, send forms, caps, key matches). zod
 * checks each field; these run after it, on the parsed definition, and name the exact path.
 */

type GraphInput = {
  entry: string;
  steps: Step[];
  caps?: CapRuleInput[];
  reEntry?: ReEntry;
  exitOn?: { match?: EventMatch }[];
  goal?: { match?: EventMatch };
  trigger?: Trigger;
};

export function checkGraph(def: GraphInput, ctx: z.RefinementCtx): void {
  const ids = new Set<string>();
  def.steps.forEach((step, index) => {
    if (ids.has(step.id)) {
      ctx.addIssue({
        code: 'custom',
        path: ['steps', index, 'id'],
        message: `duplicate step id "${step.id}"`,
      });
    }
    ids.add(step.id);
    if (step.type === 'send') checkSendStep(step, ['steps', index], ctx);
    if (step.type === 'wait') {
      const forms = [
        step.for,
        step.untilSinceEntry,
        step.untilLocalTime,
        step.untilBestHour,
      ].filter((v) => v !== undefined);
      if (forms.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps', index],
          message:
            'a wait step needs exactly one of "for", "untilSinceEntry", "untilLocalTime", "untilBestHour"',
        });
      }
    }
  });
  checkCaps(def.caps ?? [], ctx);
  checkTrigger(def.trigger, ctx);
  checkMatches(def, ctx);
  if (!ids.has(def.entry)) {
    ctx.addIssue({ code: 'custom', path: ['entry'], message: `no step with id "${def.entry}"` });
  }
  checkLoopsWithoutWait(def.steps, ctx);
  def.steps.forEach((step, index) => {
    for (const [field, target] of Object.entries(stepTargets(step))) {
      if (target !== undefined && !ids.has(target)) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps', index, field],
          message: `no step with id "${target}"`,
        });
      }
    }
  });
}

/** One message or several, never both; shorthand content must fit its channel; offsets ascend. */
function checkSendStep(step: SendStep, path: (string | number)[], ctx: z.RefinementCtx): void {
  const shorthand = step.channel !== undefined || step.content !== undefined;
  if (shorthand === (step.messages !== undefined)) {
    ctx.addIssue({
      code: 'custom',
      path,
      message: 'a send step needs either "channel" with "content", or "messages"',
    });
    return;
  }
  if (step.messages) {
    if (step.fallback) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'fallback'],
        message: 'with "messages", put the fallback on the message it stands in for',
      });
    }
    let previous = 0;
    step.messages.forEach((message, index) => {
      const offset = message.offset ? (durationOrNull(message.offset) ?? 0) : 0;
      if (offset < previous) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'messages', index, 'offset'],
          message: 'offsets must not decrease from one message to the next',
        });
      }
      previous = Math.max(previous, offset);
    });
    return;
  }
  if (step.channel === undefined || step.content === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: [...path, step.channel === undefined ? 'channel' : 'content'],
      message: 'a single-message send step needs both "channel" and "content"',
    });
    return;
  }
  const parsed = contentSchemas[step.channel].safeParse(step.content);
  for (const issue of parsed.error?.issues ?? []) {
    ctx.addIssue({
      code: 'custom',
      path: [...path, 'content', ...issue.path],
      message: issue.message,
    });
  }
}

type Located = { path: (string | number)[]; match: EventMatch | undefined };

/** A match in an unkeyed journey must say what it compares with: there is no run key. */
function checkMatches(def: GraphInput, ctx: z.RefinementCtx): void {
  const matches: Located[] = [
    ...(def.exitOn ?? []).map((rule, i) => ({ path: ['exitOn', i], match: rule.match })),
    { path: ['goal'], match: def.goal?.match },
    ...def.steps.map((step, i) => ({
      path: ['steps', i],
      match: step.type === 'waitForEvent' ? step.match : undefined,
    })),
  ];
  for (const { path, match } of matches) {
    if (match && matchTarget(match, def.reEntry) === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'match', 'equals'],
        message: `the journey is not keyed, so there is no run key to compare "${match.key}" with: set "equals" (e.g. "trigger.properties.${match.key}") or key the journey (reEntry keyed)`,
      });
    }
  }
}

/** Two caps for the same channel and window length ("24h" and "1d") would be ambiguous. */
function checkCaps(caps: CapRuleInput[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  caps.forEach((cap, index) => {
    const key = `${cap.channel}/${durationOrNull(cap.window) ?? cap.window}`;
    if (seen.has(key)) {
      ctx.addIssue({
        code: 'custom',
        path: ['caps', index],
        message: `another cap already limits ${cap.channel} over the same window`,
      });
    }
    seen.add(key);
  });
}
