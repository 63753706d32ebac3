-- Teams (issue 19): project members with roles, tokens scoped to a project, a role and an expiry,
-- and the creating user of each workspace (WORKSPACE_QUOTA counts per creating user).

-- CreateEnum
CREATE TYPE "ProjectRole" AS ENUM ('viewer', 'developer', 'admin');

-- AlterTable
ALTER TABLE "api_tokens" ADD COLUMN     "expires_at" TIMESTAMPTZ(3),
ADD COLUMN     "name" VARCHAR(100) NOT NULL DEFAULT '',
ADD COLUMN     "project_id" UUID,
ADD COLUMN     "role" "ProjectRole";

-- AlterTable
ALTER TABLE "workspaces" ADD COLUMN     "created_by" UUID;

-- CreateTable
CREATE TABLE "project_members" (
    "project_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "user_id" UUID,
    "role" "ProjectRole" NOT NULL,
    "added_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "project_members_pkey" PRIMARY KEY ("project_id","email")
);

-- CreateIndex
CREATE INDEX "project_members_email_idx" ON "project_members"("email");

-- CreateIndex
CREATE UNIQUE INDEX "project_members_user_id_project_id_key" ON "project_members"("user_id", "project_id");

-- CreateIndex
CREATE INDEX "workspaces_created_by_idx" ON "workspaces"("created_by");

-- AddForeignKey
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "project_members" ADD CONSTRAINT "project_members_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "project_members" ADD CONSTRAINT "project_members_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "workspaces" ADD CONSTRAINT "workspaces_created_by_fkey" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Backfill: every project's owner is its first admin; existing workspaces were created by it.
INSERT INTO "project_members" ("project_id", "email", "user_id", "role", "added_at")
SELECT p.id, u.email, u.id, 'admin', p.created_at FROM "projects" p JOIN "users" u ON u.id = p.owner_id;

UPDATE "workspaces" w SET "created_by" = p.owner_id FROM "projects" p WHERE p.id = w.project_id;

-- WORKSPACE_QUOTA counts the workspaces a user created (in any project), not the workspaces of
-- the projects they own: the same lock and fresh count as 20261205000000_workspace_quota_lock.
CREATE OR REPLACE FUNCTION workspace_quota_has_room(owner uuid, quota integer) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('workspace_quota:' || owner::text, 0));
  RETURN (
    SELECT count(*) FROM workspaces w WHERE w.created_by = owner AND w.desired_state <> 'deleted'
  ) < quota;
END
$$;

-- The creator of a project is its first admin, whichever path creates it (Prisma, the keyed
-- create statement, the CLI): in the same statement, no extra round trip.
CREATE FUNCTION project_creator_is_admin() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO project_members (project_id, email, user_id, role)
  SELECT NEW.id, u.email, u.id, 'admin' FROM users u WHERE u.id = NEW.owner_id;
  RETURN NEW;
END
$$;

CREATE TRIGGER projects_creator_is_admin AFTER INSERT ON projects
FOR EACH ROW EXECUTE FUNCTION project_creator_is_admin();
