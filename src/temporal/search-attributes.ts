import { isGrpcServiceError, type Connection } from '@temporalio/client';
import proto from '@temporalio/proto'; // CommonJS: its namespace comes as the default export
import { PARKER_SEARCH_ATTRIBUTES } from '../shared/search-attributes.ts';

// Registers Parker's search attributes (src/shared/search-attributes.ts) on a Temporal
// cluster through its operator service. Parker's own dev server gets them on its command
// line instead (src/temporal/dev-server.ts). Workflows that set an unregistered attribute
// would fail their tasks, so every start-up makes sure they are there first.

const KEYWORD = proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
const GRPC_ALREADY_EXISTS = 6;

/** Thrown when the server refuses to register the attributes (Temporal Cloud, a missing permission). */
export class SearchAttributesError extends Error {
  override name = 'SearchAttributesError';
}

/** Parker's search attributes the namespace does not have as Keyword. */
export async function missingSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  return PARKER_SEARCH_ATTRIBUTES.map((key) => key.name).filter((name) => customAttributes?.[name] !== KEYWORD);
}

/** How a person registers them by hand, for messages. */
export function registerByHand(namespace: string, names: readonly string[]): string {
  return names.map((name) => `temporal operator search-attribute create --namespace ${namespace} --name ${name} --type Keyword`).join(' && ');
}

/** Registers what is missing and returns the names it added ("already exists" counts as there). */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const missing = await missingSearchAttributes(connection, namespace);
  if (missing.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((name) => [name, KEYWORD])),
    });
  } catch (error) {
    // Another Parker process registered them a moment ago.
    if (isGrpcServiceError(error) && error.code === GRPC_ALREADY_EXISTS) return missing;
    throw new SearchAttributesError(
      `cannot register the search attributes ${missing.join(', ')} in namespace ${namespace} (${(error as Error).message}): ` +
        `register them once with \`${registerByHand(namespace, missing)}\` (on Temporal Cloud: tcld or the Cloud UI)`,
      { cause: error },
    );
  }
  return missing;
}
