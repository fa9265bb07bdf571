// Documented exit codes (README): 0 ok, 1 problems found in the data, 2 usage or I/O error.
export const EXIT_OK = 0;
export const EXIT_PROBLEMS = 1;
export const EXIT_USAGE = 2;
