import type { RequestHandler } from 'express';
import type { ApiScope } from '../../store/store.ts';

/** The auth middleware factory every router receives. */
export type RequireScope = (...scopes: ApiScope[]) => RequestHandler;
