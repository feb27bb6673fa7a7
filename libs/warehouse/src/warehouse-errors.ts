// Typed warehouse errors. Callers decide by class: retry the same work later (WarehouseRetriableError),
// send the offending rows to the DLQ (WarehouseDataError), or stop and alert (everything else).

export abstract class WarehouseError extends Error {
  /** ClickHouse exception code (e.g. 252 TOO_MANY_PARTS) when the engine reported one. */
  readonly clickhouseCode?: number;

  constructor(message: string, options?: { cause?: unknown; clickhouseCode?: number }) {
    super(message, { cause: options?.cause });
    this.name = new.target.name;
    this.clickhouseCode = options?.clickhouseCode;
  }
}

/** Transient: connection, timeout, too many parts, memory. The same request may succeed later. */
export class WarehouseRetriableError extends WarehouseError {}

/** Permanent: the request itself is wrong (unknown table, bad SQL, missing parameter). Retrying cannot help. */
export class WarehouseQueryError extends WarehouseError {}

/** Permanent and caused by the data: a value that cannot be parsed or converted (a bad row). */
export class WarehouseDataError extends WarehouseQueryError {}

/** The adapter was configured or used wrongly (bad URL, second chdb data directory, closed warehouse). */
export class WarehouseConfigError extends WarehouseError {}

export class MigrationError extends WarehouseError {}

/** An applied migration's file changed after it was applied. */
export class MigrationChecksumError extends MigrationError {}

/** Two migration files share one version number, or a file name does not follow NNNN_name.sql. */
export class MigrationFileError extends MigrationError {}

// ClickHouse codes (src/Common/ErrorCodes.cpp) that mean "try again later".
const RETRIABLE_CODES = new Set<number>([
  3, // UNEXPECTED_END_OF_FILE (connection cut mid-response)
  159, // TIMEOUT_EXCEEDED
  160, // TOO_SLOW
  202, // TOO_MANY_SIMULTANEOUS_QUERIES
  203, // NO_FREE_CONNECTION
  209, // SOCKET_TIMEOUT
  210, // NETWORK_ERROR
  236, // ABORTED
  241, // MEMORY_LIMIT_EXCEEDED
  242, // TABLE_IS_READ_ONLY
  252, // TOO_MANY_PARTS
  285, // TOO_FEW_LIVE_REPLICAS
  319, // UNKNOWN_STATUS_OF_INSERT
  394, // QUERY_WAS_CANCELLED
  425, // SYSTEM_ERROR
  439, // CANNOT_SCHEDULE_TASK
  473, // DEADLOCK_AVOIDED
  999, // KEEPER_EXCEPTION
]);

// Codes raised while parsing or converting a value of the inserted data.
const DATA_CODES = new Set<number>([
  6, // CANNOT_PARSE_TEXT
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  32, // ATTEMPT_TO_READ_AFTER_EOF
  33, // CANNOT_READ_ALL_DATA
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  117, // INCORRECT_DATA
  131, // TOO_LARGE_STRING_SIZE
  349, // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
  376, // CANNOT_PARSE_UUID
  377, // CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING
  441, // CANNOT_PARSE_IPV4
  442, // CANNOT_PARSE_IPV6
  467, // CANNOT_PARSE_BOOL
  691, // UNKNOWN_ELEMENT_OF_ENUM
]);

const RETRIABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'CHDB_TIMEOUT',
]);

function readProperty(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** The ClickHouse code of an error from chdb (`clickhouseCode`), @clickhouse/client (`code` string) or its text. */
export function clickHouseCodeOf(error: unknown): number | undefined {
  const fromChdb = readProperty(error, 'clickhouseCode');
  if (typeof fromChdb === 'number') return fromChdb;
  const code = readProperty(error, 'code');
  if (typeof code === 'string' && /^\d+$/.test(code)) return Number(code);
  const message = readProperty(error, 'message');
  if (typeof message === 'string') {
    const match = /Code:\s*(\d+)\b/.exec(message);
    if (match) return Number(match[1]);
  }
  return undefined;
}

/** Turn any adapter failure into one of the typed warehouse errors (already-typed errors pass through). */
export function classifyWarehouseError(error: unknown, context: string): WarehouseError {
  if (error instanceof WarehouseError) return error;
  const rawMessage = error instanceof Error ? error.message : String(error);
  const message = `${context}: ${rawMessage}`;
  const clickhouseCode = clickHouseCodeOf(error);
  const options = { cause: error, clickhouseCode };
  // Transport-level codes first: they describe the connection, not the SQL.
  const code = readProperty(error, 'code');
  if (typeof code === 'string') {
    if (RETRIABLE_NODE_CODES.has(code)) return new WarehouseRetriableError(message, options);
    if (code === 'CHDB_CLOSED' || code === 'CHDB_CONNECTION')
      return new WarehouseConfigError(message, options);
  }
  if (clickhouseCode !== undefined) {
    if (RETRIABLE_CODES.has(clickhouseCode)) return new WarehouseRetriableError(message, options);
    if (DATA_CODES.has(clickhouseCode)) return new WarehouseDataError(message, options);
    return new WarehouseQueryError(message, options);
  }
  // @clickhouse/client reports its own request timeout and socket failures without a code.
  if (/timeout|socket hang up|network|connect/i.test(rawMessage)) {
    return new WarehouseRetriableError(message, options);
  }
  return new WarehouseQueryError(message, options);
}
