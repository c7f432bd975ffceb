// A worker entry that dies before it is ready (exit code 3), as a broken install would: for the supervision tests.
process.exit(3);
