//! The JSON Schema of the `[sweep]` table, part of the scenario file's schema (`coldsim
//! schema`). The table itself is read by hand by `sweep::spec`, which removes it from the text
//! before the scenario is parsed; its schema lives here so that the scenario's schema (and the
//! check of a file against it) needs nothing above the scenario layer.

use schemars::schema::{
    ArrayValidation, InstanceType, Metadata, NumberValidation, ObjectValidation, Schema,
    SchemaObject, SubschemaValidation,
};
use schemars::JsonSchema;

/// Most runs per point: far beyond what a confidence interval needs, and a guard against typos.
pub const MAX_REPLICATIONS: i64 = 10_000;

/// The `[sweep]` table as `coldsim schema` describes it: the settings `sweep::spec` reads
/// (`replications`, `mode`, `labels`) and, for every other key, a list of values (or a table
/// of them, for unquoted dotted keys). It has no serde form: the table is read by hand.
pub struct SweepTable;

impl JsonSchema for SweepTable {
    fn schema_name() -> String {
        "Sweep".into()
    }

    fn json_schema(gen: &mut schemars::gen::SchemaGenerator) -> Schema {
        let described = |mut s: SchemaObject, text: &str| {
            s.metadata().description = Some(text.into());
            Schema::Object(s)
        };
        let replications = SchemaObject {
            instance_type: Some(InstanceType::Integer.into()),
            number: Some(Box::new(NumberValidation {
                minimum: Some(1.0),
                maximum: Some(MAX_REPLICATIONS as f64),
                ..Default::default()
            })),
            ..Default::default()
        };
        let mode = SchemaObject {
            instance_type: Some(InstanceType::String.into()),
            enum_values: Some(vec!["grid".into(), "zip".into()]),
            ..Default::default()
        };
        let labels = SchemaObject {
            instance_type: Some(InstanceType::Array.into()),
            array: Some(Box::new(ArrayValidation {
                items: Some(gen.subschema_for::<String>().into()),
                min_items: Some(1),
                ..Default::default()
            })),
            ..Default::default()
        };
        let mut object = ObjectValidation {
            additional_properties: Some(Box::new(gen.subschema_for::<SweptValues>())),
            ..Default::default()
        };
        object.properties.insert(
            "replications".into(),
            described(replications, &format!("Runs per point, 1 to {MAX_REPLICATIONS} [1]; replication r of every point replays the same arrivals.")),
        );
        object.properties.insert(
            "mode".into(),
            described(mode, "grid: every combination, the last key varying fastest; zip: the i-th values of every list together [grid]."),
        );
        object.properties.insert(
            "labels".into(),
            described(
                labels,
                "zip only: a name per point, shown instead of its values.",
            ),
        );
        let table = SchemaObject {
            instance_type: Some(InstanceType::Object.into()),
            object: Some(Box::new(object)),
            ..Default::default()
        };
        described(table, "Turns the scenario into a grid of points, each run `replications` times: every key but the settings is a scenario path (the `--set` form, e.g. \"platform.keep_alive.idle\") with a list of values.")
    }
}

/// A swept path's values: a list, or a table of deeper keys (`platform.keep_alive.idle =
/// [...]` written without quotes).
struct SweptValues;

impl JsonSchema for SweptValues {
    fn schema_name() -> String {
        "SweptValues".into()
    }

    fn json_schema(gen: &mut schemars::gen::SchemaGenerator) -> Schema {
        let list = SchemaObject {
            instance_type: Some(InstanceType::Array.into()),
            array: Some(Box::new(ArrayValidation {
                min_items: Some(1),
                ..Default::default()
            })),
            ..Default::default()
        };
        let deeper = SchemaObject {
            instance_type: Some(InstanceType::Object.into()),
            object: Some(Box::new(ObjectValidation {
                additional_properties: Some(Box::new(gen.subschema_for::<SweptValues>())),
                ..Default::default()
            })),
            ..Default::default()
        };
        Schema::Object(SchemaObject {
            metadata: Some(Box::new(Metadata {
                description: Some(
                    "The values of a swept path, e.g. [\"1m\", \"5m\", \"10m\"] (at least one)."
                        .into(),
                ),
                ..Default::default()
            })),
            subschemas: Some(Box::new(SubschemaValidation {
                any_of: Some(vec![list.into(), deeper.into()]),
                ..Default::default()
            })),
            ..Default::default()
        })
    }
}
