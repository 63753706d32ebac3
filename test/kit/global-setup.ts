/** Says up front which suites this run skips, and why (CI sets both variables). */
export default function setup(): void {
  const needs = {
    TEST_DATABASE_URL: "PostgreSQL suites (the same tests on PostgreSQL, migrations, concurrency)",
    TEST_REDIS_URL: "Redis scale-out suites",
  };
  for (const [name, what] of Object.entries(needs)) {
    if (!process.env[name]) console.log(`skipping ${what}: ${name} is not set`);
  }
}
