/* Fixture: the top folder includes oscillations and analysis; sim/, io/ ...
 * do not exist here and count as empty. */
#include "fx_clock.h"
#include "fx_spec.h"
#include <stdio.h>
