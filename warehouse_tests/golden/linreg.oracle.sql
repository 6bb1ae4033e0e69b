SELECT "customer_id", 0.1E0 * CAST("a" AS DOUBLE PRECISION) + ((-2.5E-7) * CAST("a""; drop table x; --" AS DOUBLE PRECISION)) + 0.3333333333333333E0 AS "prediction" FROM "analytics"."customers"
