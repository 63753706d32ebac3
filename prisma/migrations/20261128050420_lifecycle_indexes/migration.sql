-- DropIndex
DROP INDEX "workspaces_status_desired_state_idx";

-- CreateIndex
CREATE INDEX "workspaces_status_last_activity_at_idx" ON "workspaces"("status", "last_activity_at");

-- CreateIndex
CREATE INDEX "workspaces_desired_state_idx" ON "workspaces"("desired_state");

-- CreateIndex
CREATE INDEX "workspaces_lease_owner_idx" ON "workspaces"("lease_owner");
