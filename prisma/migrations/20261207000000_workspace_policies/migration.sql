-- CreateEnum
CREATE TYPE "StopReason" AS ENUM ('user', 'idle', 'max_run');

-- DropIndex
DROP INDEX "workspaces_status_last_activity_at_idx";

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "default_auto_stop_minutes" INTEGER;

-- AlterTable
ALTER TABLE "workspaces" ADD COLUMN     "auto_delete_at" TIMESTAMPTZ(3),
ADD COLUMN     "auto_delete_minutes" INTEGER,
ADD COLUMN     "auto_stop_at" TIMESTAMPTZ(3),
ADD COLUMN     "auto_stop_minutes" INTEGER,
ADD COLUMN     "labels" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "max_run_minutes" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "started_at" TIMESTAMPTZ(3),
ADD COLUMN     "stop_reason" "StopReason",
ADD COLUMN     "stopped_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "workspaces_auto_stop_at_idx" ON "workspaces"("auto_stop_at");

-- CreateIndex
CREATE INDEX "workspaces_auto_delete_at_idx" ON "workspaces"("auto_delete_at");

-- CreateIndex
CREATE INDEX "workspaces_labels_idx" ON "workspaces" USING GIN ("labels" jsonb_path_ops);
