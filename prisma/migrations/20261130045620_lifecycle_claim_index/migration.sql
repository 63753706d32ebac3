-- DropIndex
DROP INDEX "workspaces_desired_state_idx";

-- CreateIndex
CREATE INDEX "workspaces_work_idx" ON "workspaces"("updated_at") WHERE (status = ANY (ARRAY['creating'::"WorkspaceStatus", 'starting'::"WorkspaceStatus", 'stopping'::"WorkspaceStatus"])) OR (desired_state = 'deleted'::"DesiredState");
