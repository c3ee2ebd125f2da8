import { CONNECTION_COLUMNS, toConnection } from '../rows.ts';
import type { Store } from '../store.ts';
import { patchRow } from './patch.ts';
import { pageOf } from './reads.ts';
import type { SqlRunner } from './runner.ts';

export type ConnectionMethods = Pick<Store, 'insertConnection' | 'getConnection' | 'listConnections' | 'updateConnection' | 'deleteConnection'>;

export function connectionMethods(runner: SqlRunner): ConnectionMethods {
  return {
    async insertConnection(connection) {
      await runner.change(
        'INSERT INTO connections (id, name, vendor, description, token_enc, inbound_enc, api_enc, retention_days, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
          connection.id,
          connection.name,
          connection.vendor,
          connection.description,
          connection.token_enc,
          connection.inbound_enc,
          connection.api_enc,
          connection.retention_days ?? null,
          connection.created_at,
          connection.updated_at,
        ],
      );
    },

    async getConnection(idOrName) {
      const [row] = await runner.rows('SELECT * FROM connections WHERE id = ? OR name = ?', [idOrName, idOrName]);
      return row ? toConnection(row) : null;
    },

    listConnections: (query) => pageOf(runner, 'connections', query, {}, toConnection),

    async updateConnection(id, patch) {
      const row = await patchRow(runner, 'connections', CONNECTION_COLUMNS, id, patch);
      return row ? toConnection(row) : null;
    },

    async deleteConnection(id) {
      return (await runner.change('DELETE FROM connections WHERE id = ?', [id])) > 0;
    },
  };
}
