mod seed_demo;
