import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Principal, RouteAuth } from './auth';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteContext<TBody, TQuery, TParams> {
  body: TBody;
  query: TQuery;
  params: TParams;
  /** The caller's key; null only on public routes. */
  principal: Principal | null;
  req: Request;
  res: Response;
}

export interface ResponseSpec { description: string; schema?: z.ZodType; /** application/json unless given. */ contentType?: string }

/**
 * One route: its schemas validate the request and, from the same objects, describe it in
 * /openapi.json, so the documentation can't drift from what the API accepts.
 */
export interface RouteDef<TBody = unknown, TQuery = unknown, TParams = unknown> {
  method: Method;
  /** Express-style path, e.g. /leads/:id */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  /** Who may call it: 'public', or the roles whose API keys are accepted. Required so no route is open by accident. */
  auth: RouteAuth;
  /** A partner awaiting activation may call it too (every other route refuses its key). */
  pendingPartners?: boolean;
  body?: z.ZodType<TBody>;
  query?: z.ZodType<TQuery>;
  params?: z.ZodType<TParams>;
  headers?: z.ZodObject;
  status?: number;
  responses: Record<number, ResponseSpec>;
  handler: (ctx: RouteContext<TBody, TQuery, TParams>) => Promise<unknown>;
}

export function defineRoute<TBody = undefined, TQuery = undefined, TParams = undefined>(
  def: RouteDef<TBody, TQuery, TParams>,
): RouteDef<TBody, TQuery, TParams> {
  return def;
}

export type AnyRoute = RouteDef<any, any, any>;
