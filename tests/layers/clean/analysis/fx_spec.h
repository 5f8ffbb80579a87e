/* Fixture: the other level-4 folder, also on level 3 only. */
#include "fx_net.h"
