/* Fixture: analysis, clean. */
#include "fx_col.h"
