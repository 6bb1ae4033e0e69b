SELECT "customer_id", 0.1E0 * CAST("a" AS Nullable(Float64)) + ((-2.5E-7) * CAST("a""; drop table x; --" AS Nullable(Float64))) + 0.3333333333333333E0 AS "prediction" FROM "analytics"."customers"
