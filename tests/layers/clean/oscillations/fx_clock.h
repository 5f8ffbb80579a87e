/* Fixture: level 4 includes level 3. */
#include "fx_net.h"
