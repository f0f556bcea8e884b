#include "proto/zonefile.h"
