import type { Inconsistency } from './problems';
import type { POPULATION_STATUSES, REGIONS, TOWN_KINDS, VERB_CATEGORIES } from './schemas';

export type Region = (typeof REGIONS)[number];
export type TownKind = (typeof TOWN_KINDS)[number];
export type PopulationStatus = (typeof POPULATION_STATUSES)[number];
export type VerbCategory = (typeof VERB_CATEGORIES)[number];

export interface District {
  readonly nameZh: string;
  readonly nameEn: string;
  readonly collegeZh: string;
  readonly collegeEn: string;
  readonly areaKm2: number;
  /** District total from the source document (常住人口120万). */
  readonly population: number;
  readonly source: string;
  readonly expectations: DistrictExpectations;
}

export interface DistrictExpectations {
  readonly towns: number;
  readonly schoolsPerTown: number;
  readonly learningPoints: number;
  readonly demonstrationPoints: number;
  readonly experimentalBasesPerRegion: Readonly<Record<Region, number>>;
  readonly smartCommunityPilots: number;
  readonly minDigitalClassroomComputers: number;
  /** Allowed relative gap between the per-town population sum and the district total. */
  readonly populationTolerance: number;
}

export interface Town {
  /** Stable id used across the pipeline: T01..T19 in the 2015 table's order. */
  readonly id: string;
  readonly seq: number;
  /** Exactly as the 2015 funding table writes it. */
  readonly name: string;
  /** What dashboards show: the corrected name where the table is believed wrong, else `name`. */
  readonly displayName: string;
  readonly nameEn: string;
  readonly region: Region;
  readonly kind: TownKind;
  readonly note: string | null;
  /** From population.csv (see `populationStatus`). */
  readonly population: number;
  readonly areaKm2: number | null;
  readonly populationStatus: PopulationStatus;
  /** The town's stated 2015 community-education spending, 万元. */
  readonly spending2015WanCny: number;
}

export interface TownPopulation {
  readonly townId: string;
  readonly population: number;
  readonly areaKm2: number | null;
  readonly status: PopulationStatus;
  readonly source: string | null;
}

export interface School {
  readonly id: string;
  readonly name: string;
  readonly townId: string;
  readonly digitalClassroomComputers: number;
  readonly note: string | null;
}

export interface LearningPoint {
  readonly id: string;
  readonly name: string;
  readonly townId: string;
  readonly schoolId: string;
  readonly demonstration: boolean;
  readonly experimentalBase: boolean;
  readonly smartCommunityPilot: boolean;
  readonly computers: number;
  readonly note: string | null;
}

export interface BudgetCategory {
  readonly id: string;
  readonly order: number;
  readonly nameZh: string;
  readonly nameEn: string;
}

export interface BudgetRow {
  /** Null on the TOTAL row. */
  readonly seq: number | null;
  /** A town id, or `TOTAL` for the printed 合计 row. */
  readonly townId: string;
  readonly townName: string;
  readonly year: number;
  /** Category id → amount in 万元; null where the source cell is empty. */
  readonly items: Readonly<Record<string, number | null>>;
  readonly statedTotal: number;
  /** Sum of the non-empty items, rounded to 0.01. */
  readonly itemsSum: number;
}

export interface BudgetTable {
  readonly year: number;
  readonly unit: string;
  readonly categories: readonly BudgetCategory[];
  /** One row per town, in file order. */
  readonly rows: readonly BudgetRow[];
  /** The printed 合计 row. */
  readonly totalRow: BudgetRow;
  /** The table's own total (1533.70 in 2015). */
  readonly statedTotal: number;
  /** Sum of the towns' stated totals (1534.70 in 2015). */
  readonly sumOfRows: number;
}

export interface Course {
  readonly id: string;
  readonly nameZh: string;
  readonly nameEn: string;
  readonly activityIri: string;
  readonly note: string | null;
}

export interface Skill {
  readonly id: string;
  readonly courseId: string;
  readonly order: number;
  readonly nameZh: string;
  readonly nameEn: string;
  /** The module's activity id; activities at or below it map to this skill. */
  readonly activityIri: string;
  /** Further roots (e.g. a partner app's ids) that map to this skill the same way. */
  readonly alsoIris: readonly string[];
}

export interface VerbCategoryEntry {
  readonly verbIri: string;
  readonly category: VerbCategory;
  readonly displayZh: string;
  readonly displayEn: string;
}

export interface ReferenceData {
  /** Absolute directory the files were read from. */
  readonly dir: string;
  readonly district: District;
  readonly towns: readonly Town[];
  readonly population: readonly TownPopulation[];
  readonly schools: readonly School[];
  readonly learningPoints: readonly LearningPoint[];
  readonly budget2015: BudgetTable;
  readonly courses: readonly Course[];
  readonly skills: readonly Skill[];
  readonly verbCategories: readonly VerbCategoryEntry[];
  /** `# key=value` comment lines of each CSV file, by file name. */
  readonly metadata: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Warnings: the data loaded, but these things in it are odd or not real yet. */
  readonly inconsistencies: readonly Inconsistency[];
}
