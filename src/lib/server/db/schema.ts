/** The one Drizzle schema: every domain's tables, gathered for drizzle-kit and the query builder. */
export * from '../areas/schema';
export * from '../accounts/schema';
export * from '../audit/schema';
export * from '../jobs/schema';
export * from '../mail/schema';
export * from '../site/schema';
export * from '../events/schema';
export * from '../members/schema';
export * from '../infomail/schema';
