import {
  ageBand,
  InvalidBirthYearError,
  normalizeIri,
  type Place,
  type ReferenceIndex,
} from '@app/reference';
import { z } from 'zod';
import { EnrichmentError, type LearningPointOrigin } from './errors';
import { UNATTRIBUTED, type Attribution, type Enrichment, type EnrichmentAgeBand } from './enrichment.schema';
import type { LearnerDirectory } from './learner-directory';
import type { LearnerRecord } from './learner.schema';

/**
 * How a statement names the learning point it happened at (either form; both may be present if they agree):
 *
 * 1. context extension  `context.extensions["https://learn.jlp.cq.cn/xapi/extensions/learning-point"]`
 *    whose value is a point id (`"LP001"`) or a point activity IRI (below);
 * 2. context activity   an Activity in `context.contextActivities.grouping` or `.other` whose id is
 *    `https://learn.jlp.cq.cn/xapi/activities/learning-point/LP001` (query, fragment, trailing `/` ignored).
 */
export const LEARNING_POINT_EXTENSION = 'https://learn.jlp.cq.cn/xapi/extensions/learning-point';
export const LEARNING_POINT_ACTIVITY_PREFIX = 'https://learn.jlp.cq.cn/xapi/activities/learning-point/';

export function learningPointActivityIri(pointId: string): string {
  return `${LEARNING_POINT_ACTIVITY_PREFIX}${pointId}`;
}

/** Statement fields the enricher reads. An @app/xapi `Statement` fits it. */
export interface EnrichableActivity {
  readonly objectType?: string;
  readonly id: string;
}
/** Stored statements hold arrays; a single activity (xAPI allows it on input) is read as well. */
export type EnrichableActivityList = readonly EnrichableActivity[] | EnrichableActivity;
export interface EnrichableStatement {
  readonly verb: { readonly id: string };
  readonly object: { readonly objectType?: string; readonly id?: string };
  readonly context?: {
    readonly contextActivities?: {
      readonly parent?: EnrichableActivityList;
      readonly grouping?: EnrichableActivityList;
      readonly other?: EnrichableActivityList;
    };
    readonly extensions?: Readonly<Record<string, unknown>>;
  };
  readonly timestamp?: string;
  readonly stored?: string;
}

const activityRef = z.looseObject({ objectType: z.string().optional(), id: z.string() });
const activityList = z.union([z.array(activityRef), activityRef]);
/**
 * Narrows an already validated statement held as an open record (the received-topic message) to what
 * the enricher reads, checking only those fields' shapes: cheaper than validating the statement again.
 */
export const enrichableStatementSchema = z.looseObject({
  verb: z.looseObject({ id: z.string() }),
  object: z.looseObject({ objectType: z.string().optional(), id: z.string().optional() }),
  context: z
    .looseObject({
      contextActivities: z
        .looseObject({
          parent: activityList.optional(),
          grouping: activityList.optional(),
          other: activityList.optional(),
        })
        .optional(),
      extensions: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
  timestamp: z.string().optional(),
  stored: z.string().optional(),
});

export interface EnrichmentSource {
  /** portal, app, classroom, kiosk, partner (not interpreted here). */
  readonly type: string;
  readonly credentialKey: string;
  /** Set when the credential belongs to one learning point (a classroom or a kiosk). */
  readonly boundLearningPointId?: string;
}

export interface EnrichmentInput {
  readonly statement: EnrichableStatement;
  /** Canonical actor key of the statement's actor (@app/xapi actorKey), null for an anonymous Group. */
  readonly actorKey: string | null;
  readonly source: EnrichmentSource;
}

export interface EnrichmentDeps {
  readonly reference: ReferenceIndex;
  readonly learners: LearnerDirectory;
  /** Event time of a statement that has neither timestamp nor stored; defaults to the clock. */
  readonly now?: Date;
}

/**
 * Adds place, demographics, skill and verb category to one statement. Pure apart from the lookups.
 *
 * Learning point precedence: explicit in the statement's context → the credential's bound point →
 * the learner's home point → `unattributed`. A point id that is named but not in the reference data is
 * never replaced by a lower rule: that would count the learning in the wrong place. It throws a
 * permanent EnrichmentError instead (the message goes to the DLQ with that reason).
 *
 * Unknown learners are kept: learnerKnown false, learnerId null, demographics `unknown`.
 */
export function enrichStatement(input: EnrichmentInput, deps: EnrichmentDeps): Enrichment {
  const { statement, actorKey, source } = input;
  const { reference } = deps;
  const learner = actorKey === null ? undefined : deps.learners.findByActorKey(actorKey);

  let place: Place | undefined;
  let attribution: Attribution;
  const explicit = explicitLearningPoint(statement.context);
  if (explicit !== undefined) {
    place = knownPlace(reference, explicit.id, explicit.origin);
    attribution = 'context';
  } else if (source.boundLearningPointId !== undefined) {
    place = knownPlace(reference, source.boundLearningPointId, 'credential');
    attribution = 'credential';
  } else if (learner !== undefined && learner.homeLearningPointId !== null) {
    place = knownPlace(reference, learner.homeLearningPointId, 'home');
    attribution = 'home';
  } else attribution = 'unattributed';

  return {
    learnerId: learner === undefined ? null : learner.id,
    learnerKnown: learner !== undefined,
    learningPointId: place === undefined ? UNATTRIBUTED : place.point.id,
    schoolId: place === undefined ? null : place.school.id,
    townId: place === undefined ? null : place.town.id,
    region: place === undefined ? 'unknown' : place.region,
    ageBand: learner === undefined ? 'unknown' : ageBandAtEvent(learner, statement, deps.now),
    gender: learner === undefined ? 'unknown' : learner.gender,
    homeTownId: learner === undefined ? null : learner.homeTownId,
    skillId: skillOf(statement, reference),
    verbCategory: reference.verbCategory(statement.verb.id),
    attribution,
  };
}

interface ExplicitPoint {
  readonly id: string;
  readonly origin: LearningPointOrigin;
}

/** The point the statement names itself; throws when it names two different ones or a malformed one. */
export function explicitLearningPoint(context: EnrichableStatement['context']): ExplicitPoint | undefined {
  if (context === undefined) return undefined;
  let found: ExplicitPoint | undefined;
  const extension = context.extensions?.[LEARNING_POINT_EXTENSION];
  if (extension !== undefined) {
    const id = typeof extension === 'string' ? pointIdOf(extension) : undefined;
    if (id === undefined) {
      throw new EnrichmentError(
        'invalid-learning-point',
        `context extension ${LEARNING_POINT_EXTENSION} must be a learning point id such as "LP001" or ` +
          `${LEARNING_POINT_ACTIVITY_PREFIX}LP001, got ${JSON.stringify(extension)}`,
        { origin: 'context-extension' },
      );
    }
    found = { id, origin: 'context-extension' };
  }
  const activities = context.contextActivities;
  if (activities !== undefined) {
    found = pointFromActivities(activities.grouping, found);
    found = pointFromActivities(activities.other, found);
  }
  return found;
}

function pointIdOf(value: string): string | undefined {
  const id = value.startsWith(LEARNING_POINT_ACTIVITY_PREFIX)
    ? normalizeIri(value).slice(LEARNING_POINT_ACTIVITY_PREFIX.length)
    : value.trim();
  return id === '' || id.includes('/') ? undefined : id;
}

function pointFromActivities(
  list: EnrichableActivityList | undefined,
  found: ExplicitPoint | undefined,
): ExplicitPoint | undefined {
  if (list === undefined) return found;
  const activities = Array.isArray(list) ? list : [list as EnrichableActivity];
  let result = found;
  for (const activity of activities) {
    if (!activity.id.startsWith(LEARNING_POINT_ACTIVITY_PREFIX)) continue;
    const id = pointIdOf(activity.id);
    if (id === undefined) continue;
    if (result !== undefined && result.id !== id) {
      throw new EnrichmentError(
        'conflicting-learning-points',
        `the statement names two learning points: ${result.id} (${result.origin}) and ${id} (context-activity)`,
        { first: result.id, second: id },
      );
    }
    result ??= { id, origin: 'context-activity' };
  }
  return result;
}

function knownPlace(reference: ReferenceIndex, pointId: string, origin: LearningPointOrigin): Place {
  const place = reference.findPlace(pointId);
  if (place === undefined) {
    throw new EnrichmentError(
      'unknown-learning-point',
      `learning point "${pointId}" (from ${origin}) is not in the reference data`,
      { pointId, origin },
    );
  }
  return place;
}

/**
 * The object activity's skill; for an activity outside the catalogue (a lesson page, a quiz item id the
 * catalogue does not list) the first parent, then grouping activity that maps. Statements about a
 * SubStatement, StatementRef, Agent or Group have no skill.
 */
function skillOf(statement: EnrichableStatement, reference: ReferenceIndex): string | null {
  const object = statement.object;
  if (object.objectType !== undefined && object.objectType !== 'Activity') return null;
  if (object.id !== undefined) {
    const match = reference.skillForActivity(object.id);
    if (match !== undefined) return match.skill.id;
  }
  const activities = statement.context?.contextActivities;
  if (activities === undefined) return null;
  return skillOfList(activities.parent, reference) ?? skillOfList(activities.grouping, reference);
}

function skillOfList(list: EnrichableActivityList | undefined, reference: ReferenceIndex): string | null {
  if (list === undefined) return null;
  const activities = Array.isArray(list) ? list : [list as EnrichableActivity];
  for (const activity of activities) {
    const match = reference.skillForActivity(activity.id);
    if (match !== undefined) return match.skill.id;
  }
  return null;
}

/** The statement's time: its timestamp, else when the LRS stored it, else `now`. */
export function eventTime(statement: EnrichableStatement, now?: Date): Date {
  const text = statement.timestamp ?? statement.stored;
  if (text === undefined) return now ?? new Date();
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) {
    throw new EnrichmentError(
      'invalid-timestamp',
      `statement timestamp ${JSON.stringify(text)} is not a date`,
      {
        timestamp: text,
      },
    );
  }
  return at;
}

function ageBandAtEvent(
  learner: LearnerRecord,
  statement: EnrichableStatement,
  now: Date | undefined,
): EnrichmentAgeBand {
  try {
    return ageBand(learner.birthYear, eventTime(statement, now));
  } catch (error) {
    // Born after the event (or implausibly old at it): the registry or the timestamp is wrong; do not guess.
    if (error instanceof InvalidBirthYearError) {
      throw new EnrichmentError('implausible-age', `learner ${learner.id}: ${error.message}`, {
        learnerId: learner.id,
        birthYear: learner.birthYear,
      });
    }
    throw error;
  }
}
