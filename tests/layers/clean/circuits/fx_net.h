/* Fixture: circuits includes two lower folders and a generated header
 * of no library folder. */
#include "fx_col.h"
#include "fx_core.h"
#include "lam_config.h"
