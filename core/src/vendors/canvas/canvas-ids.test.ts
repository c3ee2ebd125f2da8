import { describe, expect, it } from 'vitest';
import { canonicalId, shardOf } from './canvas-ids.ts';

/* Switchman's IDS_PER_SHARD = 10^13 (instructure/switchman, app/models/switchman/shard.rb); the ids are those of Canvas's Live Events examples (doc/api/data_services). */
describe('Canvas ids', () => {
  it('read the shard of a global id exactly, past 2^53', () => {
    expect(shardOf('21070000000020064')).toBe(2107n);
    expect(shardOf('565')).toBeNull();
    expect(shardOf('sis_user_id:42')).toBeNull();
  });

  it('make an id on the root account shard local, so one learner is one id in every event', () => {
    expect(canonicalId('21070000000020064', 2107n)).toBe('20064');
    expect(canonicalId('123', 2107n)).toBe('123');
    expect(canonicalId(565, 2107n)).toBe('565');
  });

  it('keep an id from another shard global, since its local part would name another row', () => {
    expect(canonicalId('31070000000000042', 2107n)).toBe('31070000000000042');
    expect(canonicalId('21070000000000042', null)).toBe('21070000000000042');
    expect(canonicalId(null, 2107n)).toBeNull();
  });
});
