/* Fixture: core reaching up to column (line 3). */
#include <stddef.h>
#include "fx_col.h"
