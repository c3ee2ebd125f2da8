/**
 * A small OData filter reader for the emulated APIs that filter lists with one: Absorb's
 * `_filter` (OData v2 style) and Learn365's `$filter` (OData v4). Both read comparisons, and / or /
 * not, parentheses, and string functions over properties and literals; which tokens, comparisons
 * and functions an API reads, and how it finds a property and compares two values, is its dialect.
 * Anything else throws the dialect's error, which the API answers as its 400 or 422.
 */

export type Literal = string | number | boolean | null;

export type FilterNode =
  | { kind: 'literal'; value: Literal }
  | { kind: 'property'; path: string[] }
  | { kind: 'call'; name: string; args: FilterNode[] }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'binary'; operator: string; left: FilterNode; right: FilterNode };

type Resource = Readonly<Record<string, unknown>>;

export interface FilterDialect {
  /** The query option, for messages: "$filter", "_filter". */
  option: string;
  /**
   * A sticky regex reading one token after optional white space, with named groups: `string`
   * ('text', '' for a quote), `number`, `word` (a property, function, operator or keyword; "/"
   * between names makes a property path) and `punct` (parentheses and commas); and, where the API
   * reads them, `guid` (a bare GUID) or `prefix` and `typed` (guid'…', datetime'…').
   */
  token: RegExp;
  /** Function names (lower case) and how many arguments each takes. */
  functions: Readonly<Record<string, number>>;
  /** Comparison operators (lower case). */
  comparisons: ReadonlySet<string>;
  /** What a filter the API cannot read throws. */
  error: new (
    message: string,
  ) => Error;
  /** A resource's value at a property path; throws `error` when the resource has no such property. */
  property(resource: Resource, path: readonly string[]): unknown;
  /** Whether `left <operator> right` holds, for one of `comparisons`. */
  compare(operator: string, left: Literal, right: Literal): boolean;
}

/** A token, with its text as written for messages. */
type Token = { type: 'literal'; text: string; value: Literal } | { type: 'word' | 'punct'; text: string };

function tokenize(text: string, dialect: FilterDialect): Token[] {
  const { token: pattern } = dialect;
  const tokens: Token[] = [];
  pattern.lastIndex = 0;
  while (pattern.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(pattern.lastIndex))) break;
    const at = pattern.lastIndex;
    const match = pattern.exec(text);
    if (!match?.groups) throw new dialect.error(`The ${dialect.option} cannot be read at position ${at}.`);
    const written = match[0].trim();
    const { typed, string, guid, number, word, punct } = match.groups;
    if (typed !== undefined) tokens.push({ type: 'literal', text: written, value: typed });
    else if (string !== undefined) tokens.push({ type: 'literal', text: written, value: string.slice(1, -1).replace(/''/g, "'") });
    else if (guid !== undefined) tokens.push({ type: 'literal', text: written, value: guid });
    else if (number !== undefined) tokens.push({ type: 'literal', text: written, value: Number(number) });
    else if (word !== undefined) tokens.push({ type: 'word', text: word });
    else if (punct !== undefined) tokens.push({ type: 'punct', text: punct });
  }
  return tokens;
}

/** Reads a filter into its tree; throws the dialect's error naming what it could not read. */
export function parseFilter(text: string, dialect: FilterDialect): FilterNode {
  const { option, error: ReadError } = dialect;
  const tokens = tokenize(text, dialect);
  let position = 0;
  const peek = () => tokens[position];
  const wordAt = () => {
    const token = peek();
    return token?.type === 'word' ? token.text.toLowerCase() : undefined;
  };
  const isPunct = (punct: string) => {
    const token = peek();
    return token?.type === 'punct' && token.text === punct;
  };
  const expect = (punct: string) => {
    if (!isPunct(punct)) throw new ReadError(`The ${option} expects "${punct}" at token ${position + 1}.`);
    position += 1;
  };

  function primary(): FilterNode {
    const token = peek();
    if (!token) throw new ReadError(`The ${option} ends too early.`);
    position += 1;
    if (token.type === 'literal') return { kind: 'literal', value: token.value };
    if (token.text === '(') {
      const inner = or();
      expect(')');
      return inner;
    }
    if (token.type !== 'word') throw new ReadError(`The ${option} has an unexpected "${token.text}".`);
    const lower = token.text.toLowerCase();
    if (lower === 'true' || lower === 'false') return { kind: 'literal', value: lower === 'true' };
    if (lower === 'null') return { kind: 'literal', value: null };
    if (isPunct('(')) {
      const arity = dialect.functions[lower];
      if (arity === undefined) throw new ReadError(`The ${option} function ${token.text} is not supported.`);
      expect('(');
      const args: FilterNode[] = [or()];
      while (isPunct(',')) {
        position += 1;
        args.push(or());
      }
      expect(')');
      if (args.length !== arity) throw new ReadError(`The ${option} function ${token.text} takes ${arity} argument(s).`);
      return { kind: 'call', name: lower, args };
    }
    return { kind: 'property', path: token.text.split('/') };
  }

  function comparison(): FilterNode {
    const left = primary();
    const operator = wordAt();
    if (operator !== undefined && dialect.comparisons.has(operator)) {
      position += 1;
      return { kind: 'binary', operator, left, right: primary() };
    }
    return left;
  }

  function not(): FilterNode {
    if (wordAt() === 'not') {
      position += 1;
      return { kind: 'not', operand: not() };
    }
    return comparison();
  }

  function and(): FilterNode {
    let node = not();
    while (wordAt() === 'and') {
      position += 1;
      node = { kind: 'binary', operator: 'and', left: node, right: not() };
    }
    return node;
  }

  function or(): FilterNode {
    let node = and();
    while (wordAt() === 'or') {
      position += 1;
      node = { kind: 'binary', operator: 'or', left: node, right: and() };
    }
    return node;
  }

  const tree = or();
  if (position < tokens.length) throw new ReadError(`The ${option} has an unexpected "${peek()?.text}".`);
  return tree;
}

/** A JSON value as a filter sees it: objects and arrays are null. */
export function literalOf(value: unknown): Literal {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : null;
}

/** Evaluates a filter tree against one resource: true when the resource matches. */
export function evaluateFilter(node: FilterNode, resource: Resource, dialect: FilterDialect): Literal {
  const evaluate = (child: FilterNode) => evaluateFilter(child, resource, dialect);
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'property':
      return literalOf(dialect.property(resource, node.path));
    case 'not':
      return evaluate(node.operand) !== true;
    case 'binary': {
      const left = evaluate(node.left);
      if (node.operator === 'and') return left === true && evaluate(node.right) === true;
      if (node.operator === 'or') return left === true || evaluate(node.right) === true;
      return dialect.compare(node.operator, left, evaluate(node.right));
    }
    case 'call': {
      const [first, second] = node.args.map(evaluate);
      if (node.name === 'tolower') return typeof first === 'string' ? first.toLowerCase() : null;
      if (node.name === 'toupper') return typeof first === 'string' ? first.toUpperCase() : null;
      if (typeof first !== 'string' || typeof second !== 'string') return false;
      // OData v2 writes substringof('value', field); v4 writes contains(field, 'value').
      if (node.name === 'substringof') return second.includes(first);
      if (node.name === 'contains') return first.includes(second);
      if (node.name === 'startswith') return first.startsWith(second);
      return first.endsWith(second);
    }
  }
}
