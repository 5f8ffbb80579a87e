/* Fixture: column reaching the template of io (line 2). */
#include "fx_commit.h"
