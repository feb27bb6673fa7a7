-- 0007: dimension tables for dashboards and the research API, loaded from @app/reference by
-- loadReferenceDimensions (aggregates/reference-dimensions.ts), which swaps in a complete new copy
-- (EXCHANGE TABLES) at every start, so a reader never sees a half-loaded or empty table.
-- Ids match the enriched columns of `statements`: town (T01..), learning_point_id (LP001..), skill.
CREATE TABLE IF NOT EXISTS dim_towns
(
    town_id LowCardinality(String),
    seq UInt16,
    -- exactly as the 2015 funding table writes it
    name String,
    -- what dashboards show (corrected where the table is believed wrong)
    display_name String,
    name_en String,
    region LowCardinality(String),
    kind LowCardinality(String),
    population UInt32,
    area_km2 Nullable(Float64),
    -- illustrative until the college supplies census figures
    population_status LowCardinality(String),
    -- stated 2015 community-education spending, 万元 (10,000 CNY)
    spending_2015_wan_cny Float64,
    learning_point_count UInt16
)
ENGINE = MergeTree
ORDER BY town_id
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;

CREATE TABLE IF NOT EXISTS dim_learning_points
(
    learning_point_id LowCardinality(String),
    name String,
    town_id LowCardinality(String),
    region LowCardinality(String),
    school_id LowCardinality(String),
    school_name String,
    demonstration Bool,
    experimental_base Bool,
    smart_community_pilot Bool,
    computers UInt16
)
ENGINE = MergeTree
ORDER BY learning_point_id
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;

CREATE TABLE IF NOT EXISTS dim_skills
(
    skill_id LowCardinality(String),
    course_id LowCardinality(String),
    course_name_zh String,
    course_name_en String,
    skill_order UInt16,
    name_zh String,
    name_en String,
    activity_iri String
)
ENGINE = MergeTree
ORDER BY skill_id
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;
