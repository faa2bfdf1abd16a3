mod exact_decimals;
