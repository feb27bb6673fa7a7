import { DEFAULT_REFERENCE_DATA_DIR, loadReferenceData, normalizeIri } from './load-reference-data';
import { UnknownReferenceError } from './problems';
import type {
  Course,
  LearningPoint,
  ReferenceData,
  Region,
  School,
  Skill,
  Town,
  VerbCategory,
  VerbCategoryEntry,
} from './types';

/** Where a learning point sits: point → community school → town → region. */
export interface Place {
  readonly point: LearningPoint;
  readonly school: School;
  readonly town: Town;
  readonly region: Region;
}

/** A skill together with the course it belongs to. */
export interface SkillMatch {
  readonly skill: Skill;
  readonly course: Course;
}

/**
 * Lookups for the enricher, built once from loaded reference data. Each lookup is one Map access,
 * except activity → skill, which walks at most the activity IRI's path depth.
 *
 * `find*` return undefined for an unknown id (the caller decides what an unknown id means);
 * the plain getters throw UnknownReferenceError.
 */
export class ReferenceIndex {
  private readonly towns = new Map<string, Town>();
  private readonly schools = new Map<string, School>();
  private readonly points = new Map<string, LearningPoint>();
  private readonly places = new Map<string, Place>();
  private readonly skillRoots = new Map<string, SkillMatch>();
  private readonly courseRoots = new Map<string, Course>();
  private readonly verbs = new Map<string, VerbCategoryEntry>();
  private readonly schoolsByTown = new Map<string, School[]>();
  private readonly pointsByTown = new Map<string, LearningPoint[]>();
  /** Activity ids repeat heavily in a stream; null caches "no skill". Cleared when full. */
  private readonly skillCache = new Map<string, SkillMatch | null>();

  constructor(readonly data: ReferenceData) {
    for (const town of data.towns) this.towns.set(town.id, town);
    for (const school of data.schools) {
      this.schools.set(school.id, school);
      push(this.schoolsByTown, school.townId, school);
    }
    for (const point of data.learningPoints) {
      this.points.set(point.id, point);
      push(this.pointsByTown, point.townId, point);
      const school = this.school(point.schoolId);
      const town = this.town(point.townId);
      this.places.set(point.id, { point, school, town, region: town.region });
    }
    const courses = new Map(data.courses.map((course) => [course.id, course]));
    for (const course of data.courses) this.courseRoots.set(normalizeIri(course.activityIri), course);
    for (const skill of data.skills) {
      const course = courses.get(skill.courseId);
      if (course === undefined) throw new UnknownReferenceError('course', skill.courseId);
      for (const iri of [skill.activityIri, ...skill.alsoIris]) {
        this.skillRoots.set(normalizeIri(iri), { skill, course });
      }
    }
    for (const entry of data.verbCategories) this.verbs.set(entry.verbIri, entry);
  }

  static async load(dir: string = DEFAULT_REFERENCE_DATA_DIR): Promise<ReferenceIndex> {
    return new ReferenceIndex(await loadReferenceData(dir));
  }

  findTown(id: string): Town | undefined {
    return this.towns.get(id);
  }

  town(id: string): Town {
    return required(this.towns.get(id), 'town', id);
  }

  findSchool(id: string): School | undefined {
    return this.schools.get(id);
  }

  school(id: string): School {
    return required(this.schools.get(id), 'school', id);
  }

  findLearningPoint(id: string): LearningPoint | undefined {
    return this.points.get(id);
  }

  learningPoint(id: string): LearningPoint {
    return required(this.points.get(id), 'learning point', id);
  }

  findPlace(pointId: string): Place | undefined {
    return this.places.get(pointId);
  }

  /** point → school → town → region. */
  placeOf(pointId: string): Place {
    return required(this.places.get(pointId), 'learning point', pointId);
  }

  schoolsOfTown(townId: string): readonly School[] {
    return this.schoolsByTown.get(this.town(townId).id) ?? [];
  }

  learningPointsOfTown(townId: string): readonly LearningPoint[] {
    return this.pointsByTown.get(this.town(townId).id) ?? [];
  }

  /**
   * The skill an xAPI activity counts towards: the skill whose IRI equals the activity id or is
   * its nearest ancestor path (…/module/1/lesson/3 → module 1). Undefined when the activity is not
   * part of any skill, which is normal for activities outside the catalogue.
   */
  skillForActivity(activityIri: string): SkillMatch | undefined {
    const cached = this.skillCache.get(activityIri);
    if (cached !== undefined) return cached ?? undefined;
    const match = nearest(this.skillRoots, activityIri);
    if (this.skillCache.size >= SKILL_CACHE_LIMIT) this.skillCache.clear();
    this.skillCache.set(activityIri, match ?? null);
    return match;
  }

  /** The course an activity belongs to (the course IRI or anything below it). */
  courseForActivity(activityIri: string): Course | undefined {
    return nearest(this.courseRoots, activityIri) ?? this.skillForActivity(activityIri)?.course;
  }

  /** Unlisted verbs are `other` by definition of the categories, not by failure. */
  verbCategory(verbIri: string): VerbCategory {
    return this.verbs.get(verbIri)?.category ?? 'other';
  }

  verbEntry(verbIri: string): VerbCategoryEntry | undefined {
    return this.verbs.get(verbIri);
  }
}

const SKILL_CACHE_LIMIT = 50_000;

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function required<T>(value: T | undefined, kind: UnknownReferenceError['kind'], id: string): T {
  if (value === undefined) throw new UnknownReferenceError(kind, id);
  return value;
}

/** Longest-prefix match on whole path segments; never matches across the authority. */
function nearest<T>(roots: ReadonlyMap<string, T>, iri: string): T | undefined {
  let candidate = normalizeIri(iri);
  const authorityEnd =
    candidate.indexOf('//') >= 0 ? candidate.indexOf('/', candidate.indexOf('//') + 2) : -1;
  for (;;) {
    const hit = roots.get(candidate);
    if (hit !== undefined) return hit;
    const cut = candidate.lastIndexOf('/');
    if (cut <= authorityEnd || cut < 0) return undefined;
    candidate = candidate.slice(0, cut).replace(/\/+$/, '');
  }
}
