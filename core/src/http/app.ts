import express, { type Express } from 'express';
import type { Logger } from '../logger.ts';
import { errorHandler, notFoundHandler } from './error-handler.ts';

export interface AppOptions {
  logger: Logger;
  version: string;
}

/** The hub's HTTP surface (DESIGN §4). Routes are added here as the layers behind them land. */
export function createApp(options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', version: options.version });
  });

  app.use(notFoundHandler);
  app.use(errorHandler(options.logger));
  return app;
}
