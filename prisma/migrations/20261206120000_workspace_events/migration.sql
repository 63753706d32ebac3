-- The workspace event log (issue 18), its webhook outbox, and the trigger that writes both in the
-- statement that changes a workspace: no event for a change that did not commit, no change
-- without its event, and no extra round trip on any path.
--
-- Ordering: a project's events are numbered by workspace_event_heads. The trigger takes the next
-- number with an upsert on the project's head row, whose lock is held until the transaction
-- commits; a concurrent writer in the same project waits for it, then takes the next number. So
-- numbers become visible in order (a transaction that aborts gives its number back with its
-- rollback): a reader that has seen every event up to N and asks for "> N" misses none, on any
-- number of replicas. Writers in different projects do not wait for each other.

-- CreateEnum
CREATE TYPE "WorkspaceEventType" AS ENUM ('created', 'status_changed', 'updated', 'deleted');

-- CreateEnum
CREATE TYPE "WorkspaceEventReason" AS ENUM ('requested', 'engine', 'idle', 'max_run', 'auto_delete', 'provider_error');

-- CreateEnum
CREATE TYPE "WebhookDeliveryState" AS ENUM ('pending', 'delivered', 'failed');

-- AlterTable
ALTER TABLE "workspaces" ADD COLUMN     "change_reason" "WorkspaceEventReason",
ADD COLUMN     "change_token_id" UUID,
ADD COLUMN     "change_user_id" UUID;

-- CreateTable
CREATE TABLE "workspace_event_heads" (
    "project_id" UUID NOT NULL,
    "last_seq" BIGINT NOT NULL,
    "pruned_seq" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "workspace_event_heads_pkey" PRIMARY KEY ("project_id")
);

-- CreateTable
CREATE TABLE "workspace_events" (
    "project_id" UUID NOT NULL,
    "seq" BIGINT NOT NULL,
    "workspace_id" UUID NOT NULL,
    "type" "WorkspaceEventType" NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "from_status" "WorkspaceStatus",
    "to_status" "WorkspaceStatus",
    "actor_user_id" UUID,
    "actor_token_id" UUID,
    "reason" "WorkspaceEventReason" NOT NULL,
    "changes" JSONB,

    CONSTRAINT "workspace_events_pkey" PRIMARY KEY ("project_id","seq")
);

-- CreateTable
CREATE TABLE "webhook_endpoints" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "description" TEXT,
    "event_types" "WorkspaceEventType"[],
    "secret" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "failing_since" TIMESTAMPTZ(3),
    "disabled_at" TIMESTAMPTZ(3),
    "disabled_reason" TEXT,

    CONSTRAINT "webhook_endpoints_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "endpoint_id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "seq" BIGINT NOT NULL,
    "state" "WebhookDeliveryState" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_attempts" (
    "id" UUID NOT NULL,
    "delivery_id" UUID NOT NULL,
    "endpoint_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status_code" INTEGER,
    "duration_ms" INTEGER NOT NULL,
    "error" TEXT,
    "response_body" TEXT,
    "next_retry_at" TIMESTAMPTZ(3),

    CONSTRAINT "webhook_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "workspace_events_workspace_id_seq_idx" ON "workspace_events"("workspace_id", "seq");

-- CreateIndex
CREATE INDEX "workspace_events_at_idx" ON "workspace_events"("at");

-- CreateIndex
CREATE INDEX "webhook_endpoints_project_id_idx" ON "webhook_endpoints"("project_id");

-- CreateIndex
CREATE INDEX "webhook_deliveries_next_attempt_at_idx" ON "webhook_deliveries"("next_attempt_at");

-- CreateIndex
CREATE INDEX "webhook_deliveries_endpoint_id_created_at_idx" ON "webhook_deliveries"("endpoint_id", "created_at");

-- CreateIndex
CREATE INDEX "webhook_attempts_endpoint_id_at_id_idx" ON "webhook_attempts"("endpoint_id", "at", "id");

-- AddForeignKey
ALTER TABLE "workspace_event_heads" ADD CONSTRAINT "workspace_event_heads_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "workspace_events" ADD CONSTRAINT "workspace_events_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "webhook_endpoints_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_project_id_seq_fkey" FOREIGN KEY ("project_id", "seq") REFERENCES "workspace_events"("project_id", "seq") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_attempts" ADD CONSTRAINT "webhook_attempts_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "webhook_deliveries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The event of a write to workspaces, in the write's own statement (a BEFORE ROW trigger: it
-- runs on the row the write has locked and matched; if the write fails, the event goes with it).
-- Which event: a new row is `created`; desired_state turning to 'deleted' is `deleted` (the
-- workspace is gone for users from then on; the engine's later removal of the row is no news);
-- a new status is `status_changed`; a change of a user-set field (read by name through to_jsonb,
-- so a field a later migration adds is picked up) is `updated`; anything else (leases, activity,
-- machine details alone) is no event. Who and why come from the write's change_* columns, which
-- are cleared here so the next write cannot inherit them. None set means the system, and the
-- reason follows from the change: a deletion is auto_delete, a failed step provider_error, an
-- automatic stop the stop_reason it records (idle, max_run), anything else engine.
-- The same insert queues one webhook delivery per enabled endpoint of the project that wants
-- the type: the outbox commits with the event.
CREATE FUNCTION workspace_event_append() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  kind "WorkspaceEventType";
  diff jsonb;
  next_seq bigint;
  old_row jsonb;
  new_row jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    kind := 'created';
  ELSIF NEW.desired_state = 'deleted' AND OLD.desired_state <> 'deleted' THEN
    kind := 'deleted';
  ELSIF NEW.status <> OLD.status THEN
    kind := 'status_changed';
  ELSE
    old_row := to_jsonb(OLD);
    new_row := to_jsonb(NEW);
    SELECT jsonb_object_agg(field, new_row -> field) INTO diff
    FROM unnest(ARRAY['keep_active', 'auto_stop_minutes', 'max_run_minutes',
                      'auto_delete_minutes', 'labels']) AS field
    WHERE new_row ? field AND (new_row -> field) IS DISTINCT FROM (old_row -> field);
    IF diff IS NULL THEN
      NEW.change_reason := NULL;
      NEW.change_user_id := NULL;
      NEW.change_token_id := NULL;
      RETURN NEW;
    END IF;
    kind := 'updated';
  END IF;

  INSERT INTO workspace_event_heads AS h (project_id, last_seq) VALUES (NEW.project_id, 1)
  ON CONFLICT (project_id) DO UPDATE SET last_seq = h.last_seq + 1
  RETURNING h.last_seq INTO next_seq;

  INSERT INTO workspace_events
    (project_id, seq, workspace_id, type, at, from_status, to_status,
     actor_user_id, actor_token_id, reason, changes)
  VALUES (
    NEW.project_id, next_seq, NEW.id, kind, clock_timestamp(),
    CASE WHEN kind = 'status_changed' THEN OLD.status END,
    CASE WHEN kind = 'status_changed' THEN NEW.status END,
    NEW.change_user_id, NEW.change_token_id,
    COALESCE(NEW.change_reason, CASE
      WHEN NEW.change_user_id IS NOT NULL THEN 'requested'
      WHEN kind = 'deleted' THEN 'auto_delete'
      WHEN kind = 'status_changed' AND NEW.status IN ('error', 'stop_failed') THEN 'provider_error'
      WHEN kind = 'status_changed' AND NEW.status = 'stopping'
        AND to_jsonb(NEW) ->> 'stop_reason' IN ('idle', 'max_run') THEN to_jsonb(NEW) ->> 'stop_reason'
      ELSE 'engine' END::"WorkspaceEventReason"),
    diff);

  INSERT INTO webhook_deliveries (endpoint_id, project_id, seq, next_attempt_at)
  SELECT e.id, NEW.project_id, next_seq, clock_timestamp()
  FROM webhook_endpoints e
  WHERE e.project_id = NEW.project_id AND e.disabled_at IS NULL
    AND (e.event_types IS NULL OR cardinality(e.event_types) = 0 OR kind = ANY (e.event_types));

  NEW.change_reason := NULL;
  NEW.change_user_id := NULL;
  NEW.change_token_id := NULL;
  RETURN NEW;
END
$$;

CREATE TRIGGER workspace_events_append BEFORE INSERT OR UPDATE ON workspaces
FOR EACH ROW EXECUTE FUNCTION workspace_event_append();
