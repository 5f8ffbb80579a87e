/* Fixture: oscillations including analysis, a folder above (line 2). */
#include "fx_spec.h"
