import { describe, expect, it } from 'vitest';
import { splitFullName } from './person-name.ts';

describe('splitFullName', () => {
  it('takes the first word as first name and the rest as last name', () => {
    expect(splitFullName('Mary Ann  Smith')).toEqual({ first_name: 'Mary', last_name: 'Ann Smith' });
  });

  it('leaves the last name empty for a single word and both empty for nothing', () => {
    expect(splitFullName(' Cher ')).toEqual({ first_name: 'Cher', last_name: null });
    expect(splitFullName(null)).toEqual({ first_name: null, last_name: null });
    expect(splitFullName('')).toEqual({ first_name: null, last_name: null });
  });
});
