import { temporal } from '@temporalio/proto';
import { CAIRN_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

const { IndexedValueType } = temporal.api.enums.v1;

type Operator = Pick<temporal.api.operatorservice.v1.OperatorService, 'listSearchAttributes'>;

const TYPES: Record<'Keyword' | 'Int', temporal.api.enums.v1.IndexedValueType> = {
  Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Int: IndexedValueType.INDEXED_VALUE_TYPE_INT,
};

/**
 * The search attributes Cairn starts runs with that the namespace lacks (or has with another
 * type), as `Name=Type`. Without them Temporal refuses every start, so every event would be
 * stored and never routed.
 */
export async function missingSearchAttributes(
  operator: Operator,
  namespace: string,
): Promise<string[]> {
  const listed = await operator.listSearchAttributes({ namespace });
  const custom = listed.customAttributes ?? {};
  return Object.entries(CAIRN_SEARCH_ATTRIBUTES).flatMap(([name, type]) =>
    custom[name] === TYPES[type] ? [] : [`${name}=${type}`],
  );
}

export class MissingSearchAttributes extends Error {
  constructor(namespace: string, missing: string[]) {
    const flags = missing
      .map((entry) => entry.split('='))
      .map(([name, type]) => `--name ${name} --type ${type}`)
      .join(' ');
    super(
      `Temporal namespace "${namespace}" lacks Cairn's search attributes ${missing.join(', ')}; ` +
        `register them with: temporal operator search-attribute create --namespace ${namespace} ${flags}`,
    );
    this.name = 'MissingSearchAttributes';
  }
}

/** Refuses to run against a namespace without Cairn's search attributes, saying how to add them. */
export async function requireSearchAttributes(
  operator: Operator,
  namespace: string,
): Promise<void> {
  const missing = await missingSearchAttributes(operator, namespace);
  if (missing.length > 0) throw new MissingSearchAttributes(namespace, missing);
}
