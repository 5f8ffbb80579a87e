/* Fixture: a level-4 peer including the other (line 2). */
#include "fx_spec.h"
