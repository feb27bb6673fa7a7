import { randomBytes } from 'node:crypto';

import { UnknownReferenceError, type ReferenceData } from '@app/reference';

import { assertTableIdentifier, type JsonRow, type Warehouse } from '../warehouse.port';

export interface ReferenceDimensionCounts {
  towns: number;
  learningPoints: number;
  skills: number;
}

/** The dimension tables of migrations/0007_reference_dimensions.sql and their rows from reference data. */
export function referenceDimensionRows(
  data: ReferenceData,
): Record<keyof typeof DIMENSION_TABLES, JsonRow[]> {
  const towns = new Map(data.towns.map((town) => [town.id, town]));
  const schools = new Map(data.schools.map((school) => [school.id, school]));
  const courses = new Map(data.courses.map((course) => [course.id, course]));
  const pointsPerTown = new Map<string, number>();
  for (const point of data.learningPoints)
    pointsPerTown.set(point.townId, (pointsPerTown.get(point.townId) ?? 0) + 1);
  return {
    towns: data.towns.map((town) => ({
      town_id: town.id,
      seq: town.seq,
      name: town.name,
      display_name: town.displayName,
      name_en: town.nameEn,
      region: town.region,
      kind: town.kind,
      population: town.population,
      area_km2: town.areaKm2,
      population_status: town.populationStatus,
      spending_2015_wan_cny: town.spending2015WanCny,
      learning_point_count: pointsPerTown.get(town.id) ?? 0,
    })),
    learningPoints: data.learningPoints.map((point) => ({
      learning_point_id: point.id,
      name: point.name,
      town_id: point.townId,
      // The loader has checked both references; a miss here would be a bug in @app/reference.
      region: required(towns.get(point.townId), 'town', point.townId).region,
      school_id: point.schoolId,
      school_name: required(schools.get(point.schoolId), 'school', point.schoolId).name,
      demonstration: point.demonstration,
      experimental_base: point.experimentalBase,
      smart_community_pilot: point.smartCommunityPilot,
      computers: point.computers,
    })),
    skills: data.skills.map((skill) => {
      const course = required(courses.get(skill.courseId), 'course', skill.courseId);
      return {
        skill_id: skill.id,
        course_id: course.id,
        course_name_zh: course.nameZh,
        course_name_en: course.nameEn,
        skill_order: skill.order,
        name_zh: skill.nameZh,
        name_en: skill.nameEn,
        activity_iri: skill.activityIri,
      };
    }),
  };
}

export const DIMENSION_TABLES = {
  towns: 'dim_towns',
  learningPoints: 'dim_learning_points',
  skills: 'dim_skills',
} as const;

/**
 * Replaces the content of dim_towns, dim_learning_points and dim_skills with the reference data. Each
 * table is filled as a fresh copy and swapped in with EXCHANGE TABLES (atomic), so readers see the old
 * or the new content, never an empty or half-loaded table, and running it again changes nothing.
 * Run at start-up after runMigrations. Throws the warehouse's error unchanged; the copy is dropped.
 */
export async function loadReferenceDimensions(
  warehouse: Warehouse,
  data: ReferenceData,
): Promise<ReferenceDimensionCounts> {
  const rows = referenceDimensionRows(data);
  for (const key of Object.keys(DIMENSION_TABLES) as (keyof typeof DIMENSION_TABLES)[]) {
    await replaceTableContent(warehouse, DIMENSION_TABLES[key], rows[key]);
  }
  return { towns: rows.towns.length, learningPoints: rows.learningPoints.length, skills: rows.skills.length };
}

async function replaceTableContent(
  warehouse: Warehouse,
  table: string,
  rows: readonly JsonRow[],
): Promise<void> {
  // A random suffix keeps two starting processes from sharing a copy.
  const copy = assertTableIdentifier(`${table}_load_${randomBytes(6).toString('hex')}`);
  await warehouse.command(`CREATE TABLE ${copy} AS ${assertTableIdentifier(table)}`);
  try {
    await warehouse.insertJsonEachRow(copy, rows);
    await warehouse.command(`EXCHANGE TABLES ${table} AND ${copy}`);
  } finally {
    await warehouse.command(`DROP TABLE IF EXISTS ${copy}`);
  }
}

function required<T>(value: T | undefined, kind: UnknownReferenceError['kind'], id: string): T {
  if (value === undefined) throw new UnknownReferenceError(kind, id);
  return value;
}
