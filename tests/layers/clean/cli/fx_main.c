/* Fixture: the top folder includes both level-4 folders; sim/, io/ ...
 * do not exist here and count as empty. */
#include "fx_clock.h"
#include "fx_spec.h"
#include <stdio.h>
