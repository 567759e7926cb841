"""The revenue ledger: order lines in an analytical store, imported from ERP exports.

``store`` connects to the ledger (DuckDB by default, any Ibis backend by URL), ``importing``
validates and loads order-line files, and ``features`` turns the lines into per-account
revenue features as Ibis expressions that run unchanged on DuckDB, PostgreSQL and Spark.
"""
