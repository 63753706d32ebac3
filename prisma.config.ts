import { defineConfig } from "prisma/config";

// No datasource URL here: the application builds its own driver adapter (src/db/client.ts).
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
