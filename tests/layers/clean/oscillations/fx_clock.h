/* Fixture: oscillations (level 3) include column (level 2). */
#include "fx_col.h"
