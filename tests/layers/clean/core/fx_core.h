/* Fixture of test_check_layers.sh: the lowest folder, no includes. */
#include <stddef.h>
