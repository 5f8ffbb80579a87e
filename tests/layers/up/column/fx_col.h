/* Fixture: column, clean. */
#include "fx_core.h"
