"""Reports: the measures, the daily rollup, the rates, scorecards and the periodic reports."""
