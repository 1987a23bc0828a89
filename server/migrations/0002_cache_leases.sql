-- One row per node that may answer from its caches: the nodes' registry and
-- their fences. A coordinating node bumps `generation` of every node that
-- did not acknowledge a cluster-wide clear; a node whose `generation` is
-- ahead of what it last saw empties its caches before it uses them again,
-- then records that it caught up in `synced_generation`.

CREATE TABLE IF NOT EXISTS cache_leases (
    node_id TEXT PRIMARY KEY,
    generation BIGINT NOT NULL,
    synced_generation BIGINT NOT NULL
);
