/* Fixture: column includes core and its own folder. */
#include "fx_core.h"
#include "fx_col.h"
