export {
  ageBand,
  ageBandInfo,
  chinaYear,
  AGE_BANDS,
  InvalidBirthYearError,
  MAX_PLAUSIBLE_AGE,
} from './age-band';
export type { AgeBand, AgeBandInfo } from './age-band';
export { CsvSyntaxError, parseCsv, tokenizeCsv } from './csv';
export type { CsvDocument, CsvRecord } from './csv';
export {
  DEFAULT_REFERENCE_DATA_DIR,
  REFERENCE_FILES,
  loadReferenceData,
  loadReferenceDataSync,
  normalizeIri,
} from './load-reference-data';
export { ReferenceDataError, UnknownReferenceError, formatProblem } from './problems';
export type { Inconsistency, ReferenceProblem } from './problems';
export { ReferenceIndex } from './reference-index';
export type { Place, SkillMatch } from './reference-index';
export { POPULATION_STATUSES, REGIONS, TOWN_KINDS, VERB_CATEGORIES } from './schemas';
export type * from './types';
