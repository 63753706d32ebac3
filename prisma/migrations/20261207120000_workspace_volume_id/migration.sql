-- The provider's volume id, kept once a lifecycle step has learnt it, so that starting, resizing
-- and deleting a workspace reach its volume directly instead of listing every volume of the app.
ALTER TABLE "workspaces" ADD COLUMN "volume_id" TEXT;
