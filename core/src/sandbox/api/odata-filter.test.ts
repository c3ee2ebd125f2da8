import { describe, expect, it } from 'vitest';
import { thrownBy } from '../../testing/errors.ts';
import { evaluateFilter, parseFilter, type FilterDialect } from './odata-filter.ts';

class FilterError extends Error {}

/** Learn365's dialect in miniature: OData v4 functions, eq and ne, properties matched exactly. */
const dialect: FilterDialect = {
  option: '$filter',
  token: /\s*(?:(?<string>'(?:[^']|'')*')|(?<number>-?\d+(?:\.\d+)?)|(?<word>[A-Za-z_][A-Za-z0-9_]*(?:\/[A-Za-z_][A-Za-z0-9_]*)*)|(?<punct>[(),]))/y,
  functions: { contains: 2, substringof: 2, startswith: 2, endswith: 2, tolower: 1, toupper: 1 },
  comparisons: new Set(['eq', 'ne']),
  error: FilterError,
  property(resource, path) {
    const name = path.join('/');
    if (!Object.hasOwn(resource, name)) throw new FilterError(`no ${name}`);
    return resource[name];
  },
  compare: (operator, left, right) => (operator === 'eq') === (left === right),
};

const maya = { Title: "Maya O'Chen", Age: 34, Active: true };
const matches = (filter: string, resource: Record<string, unknown> = maya) => evaluateFilter(parseFilter(filter, dialect), resource, dialect) === true;
const readError = (filter: string) => thrownBy(FilterError, () => parseFilter(filter, dialect)).message;

describe('parseFilter and evaluateFilter', () => {
  it('compares properties with literals, quotes doubled inside strings', () => {
    expect(matches("Title eq 'Maya O''Chen'")).toBe(true);
    expect(matches('Age eq 34 and Active eq true')).toBe(true);
    expect(matches('Age ne 34')).toBe(false);
  });

  it('binds not before and before or, and parentheses before all', () => {
    expect(matches('Age eq 1 and Age eq 2 or Active eq true')).toBe(true);
    expect(matches('Age eq 1 and (Age eq 2 or Active eq true)')).toBe(false);
    expect(matches('not Age eq 1 and Active eq false')).toBe(false);
  });

  it('reads both argument orders: contains(field, value) and substringof(value, field)', () => {
    expect(matches("contains(tolower(Title),'chen')")).toBe(true);
    expect(matches("substringof('chen',tolower(Title))")).toBe(true);
    expect(matches("startswith(Title,'Maya') and endswith(toupper(Title),'CHEN')")).toBe(true);
    expect(matches("contains(Age,'3')")).toBe(false);
  });

  it('names the query option and the place it cannot read', () => {
    expect(readError('Age eq')).toBe('The $filter ends too early.');
    expect(readError('Age eq 1 )')).toBe('The $filter has an unexpected ")".');
    expect(readError('Age # 1')).toBe('The $filter cannot be read at position 3.');
    expect(readError('length(Title) eq 4')).toBe('The $filter function length is not supported.');
    expect(readError('contains(Title)')).toBe('The $filter function contains takes 2 argument(s).');
  });

  it('does not take a string literal for punctuation', () => {
    expect(readError("(Age eq 1 ')'")).toBe('The $filter expects ")" at token 5.');
  });

  it("throws the dialect's error for a property the resource does not have", () => {
    expect(() => matches("Nickname eq 'M'")).toThrow(FilterError);
  });
});
