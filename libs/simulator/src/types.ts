import type { AgeBand, Region } from '@app/reference';

/** The channels a statement reaches the gateway through; the gateway tells them apart by credential. */
export const SIMULATION_SOURCES = ['portal', 'app', 'classroom', 'partner'] as const;
export type SimulationSource = (typeof SIMULATION_SOURCES)[number];

export type SimulatedGender = 'female' | 'male' | 'other' | 'unknown';

/** Body of `PUT /registry/learners/{id}` plus the id: what the registry is told about a learner. */
export interface RegistryEntry {
  readonly id: string;
  readonly identities: readonly string[];
  readonly birthYear: number;
  readonly gender: SimulatedGender;
  readonly homeTownId: string;
  readonly homeLearningPointId: string | null;
}

/** Everything the simulator decided about a learner, including what the registry never sees. */
export interface LearnerProfile extends RegistryEntry {
  /** False for the ~5% the registry does not know (their statements stay unattributed to a person). */
  readonly registered: boolean;
  readonly region: Region;
  /** Age band at the simulation's start. */
  readonly ageBand: AgeBand;
  /** The channel the learner starts the course on. */
  readonly firstChannel: SimulationSource;
  /** Classroom starters who go on to learn online on their own (portal/app, no learning point). */
  readonly goesOnline: boolean;
  /** The point whose classes the learner attends (classroom starters only). */
  readonly classroomPointId: string | null;
}

export interface SimulatedAgent {
  readonly objectType: 'Agent';
  readonly account?: { readonly homePage: string; readonly name: string };
  readonly mbox_sha1sum?: string;
}

export interface SimulatedActivity {
  readonly objectType: 'Activity';
  readonly id: string;
  readonly definition?: {
    readonly type: string;
    readonly name: Readonly<Record<string, string>>;
  };
}

/** An xAPI 1.0.3 statement as the simulator sends it (plain JSON). */
export interface SimulatedStatement {
  readonly id: string;
  readonly actor: SimulatedAgent;
  readonly verb: { readonly id: string; readonly display: Readonly<Record<string, string>> };
  readonly object: SimulatedActivity;
  readonly result?: {
    readonly score?: {
      readonly scaled: number;
      readonly raw: number;
      readonly min: number;
      readonly max: number;
    };
    readonly success?: boolean;
    readonly completion?: boolean;
    readonly duration?: string;
  };
  readonly context: {
    readonly platform: string;
    readonly language: string;
    readonly contextActivities?: {
      readonly parent?: readonly SimulatedActivity[];
      readonly grouping?: readonly SimulatedActivity[];
    };
    readonly extensions?: Readonly<Record<string, string>>;
  };
  /** ISO 8601 in China time (+08:00). */
  readonly timestamp: string;
}

/** A statement with what the sender needs to route it: the source and, for classrooms, the point. */
export interface RoutedStatement {
  readonly source: SimulationSource;
  /** Set for classroom (kiosk) statements: the point whose credential records them. */
  readonly learningPointId: string | null;
  readonly learnerId: string;
  /** Milliseconds since the epoch of `statement.timestamp`, for ordering. */
  readonly at: number;
  readonly statement: SimulatedStatement;
}

export const SHEET_COLUMNS = [
  'learner',
  'date',
  'session',
  'learning_point',
  'module',
  'outcome',
  'score',
] as const;

export type SheetOutcome = 'attended' | 'completed' | 'passed' | 'failed';

export interface SheetRow {
  readonly learner: string;
  /** YYYY-MM-DD, China. */
  readonly date: string;
  readonly session: 'morning' | 'afternoon' | 'evening';
  readonly learningPointId: string;
  /** Skill id (module), e.g. `computer-principles`. */
  readonly module: string;
  readonly outcome: SheetOutcome;
  readonly score: number | null;
}

/** A paper sign-in sheet of one learning point for one week, typed in and uploaded late as CSV. */
export interface ClassroomSheet {
  readonly learningPointId: string;
  /** Monday of the sheet's week (YYYY-MM-DD, China). */
  readonly weekStart: string;
  readonly rows: readonly SheetRow[];
  /** The sheet as `POST /xapi/classroom/attendance` takes it (columns SHEET_COLUMNS). */
  readonly csv: string;
}

/** How a learning point behaves in the simulation. */
export interface PointProfile {
  readonly id: string;
  readonly townId: string;
  readonly region: Region;
  /** Relative attraction for classroom learners and home points; 0 = silent. */
  readonly weight: number;
  /** Classes happen on days before this day index (Infinity = throughout); earlier = faded. */
  readonly activeUntilDay: number;
  /** Records attendance on paper (uploaded late as a sheet) rather than at a kiosk. */
  readonly paper: boolean;
  /** Weekdays (0 = Sunday) the point holds classes. */
  readonly classDays: readonly number[];
  readonly session: SheetRow['session'];
}

export interface Simulation {
  readonly seed: string;
  /** First simulated day (China calendar date, YYYY-MM-DD). */
  readonly startDate: string;
  readonly days: number;
  /** Registry entries (registered learners only), in id order. */
  readonly learners: readonly RegistryEntry[];
  /** All simulated learners, registered or not. */
  readonly profiles: readonly LearnerProfile[];
  readonly points: readonly PointProfile[];
  /** In timestamp order. */
  readonly statements: readonly RoutedStatement[];
  readonly classroomSheets: readonly ClassroomSheet[];
}
