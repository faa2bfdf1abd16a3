mod exact_decimals;
mod tenancy;
