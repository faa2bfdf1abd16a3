mod clock;
mod exact_decimals;
mod tenancy;
