// `pgdog route SQL...` and `-f FILE`: each query through route(), with the session carried from
// one query to the next (SET pgdog.*, BEGIN ... COMMIT), as one client connection would.

import type { Route, RouteParams, RouteSession, RoutingTable } from '@pgdog/compiler';

export interface RouteQueriesOptions {
  table: RoutingTable;
  database: string;
  user: string;
  session: RouteSession;
  params: RouteParams | undefined;
  /** Texts to route; with `split`, each is a script cut into statements first. */
  queries: readonly string[];
  split: boolean;
}

export interface RoutedQueries {
  routes: Route[];
  /** Some query is blocked or does not parse. */
  failed: boolean;
}

export async function routeQueries(o: RouteQueriesOptions): Promise<RoutedQueries> {
  const { route, analyze, splitStatements, initialSessionState, toRouteSession, advanceSession } = await import('@pgdog/compiler');
  const texts = o.split ? o.queries.flatMap((q) => splitStatements(q).map((s) => s.text)) : o.queries;
  let state = initialSessionState(o.session);
  const routes: Route[] = [];
  let failed = false;
  for (const query of texts) {
    const analysis = analyze(query);
    const r = route(o.table, { database: o.database, user: o.user, query, analysis, session: toRouteSession(state), params: o.params });
    routes.push(r);
    if (r.blocked !== null || !analysis.ok) failed = true;
    if (analysis.ok) state = advanceSession(state, analysis.statements);
  }
  return { routes, failed };
}
