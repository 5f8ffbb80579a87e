/* Fixture: column header. */
#include "fx_core.h"
