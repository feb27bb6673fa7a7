export { Prng } from './prng';
export {
  DEFAULT_HOME_PAGES,
  UNREGISTERED_SHARE,
  learnerIdOf,
  simulateLearners,
  simulatePoints,
} from './district';
export type { HomePages, LearnerGenerationOptions } from './district';
export { LEARNING_POINT_EXTENSION, LESSONS_PER_MODULE, PASS_RATE, actorOf, chinaDateOf } from './activity';
export { buildClassroomSheets, toCsv } from './sheets';
export { simulateDistrict } from './simulate';
export type { SimulateDistrictOptions } from './simulate';
export * from './types';
export {
  SimulationConfigError,
  TargetUnreachableError,
  batchStatements,
  classroomCredential,
  credentialFor,
  parseRetryAfter,
  sendSimulation,
  summarize,
} from './sender';
export type {
  BasicCredential,
  Batch,
  ClassroomCredentials,
  LatencySummary,
  PhaseReport,
  RequestFailure,
  SendOptions,
  SendProgress,
  SendReport,
  SheetPhaseReport,
  SimulationCredentials,
  StatementPhaseReport,
} from './sender';
export {
  CLI_USAGE,
  CliError,
  formatSendReport,
  formatSimulationSummary,
  hasFailures,
  parseCliArgs,
  parseKeySecret,
  resolveCredentials,
} from './cli';
export type { CliOptions } from './cli';
export { learnersCsv, writeSimulationFiles } from './files';
