"""Sales analytics for the sales intents: aggregation, period comparison, forecasting and charts.

Pure functions over Backend records; the charts render with matplotlib's Agg backend (call them in an
executor: `dialogue.analytics.charts.render`).
"""
